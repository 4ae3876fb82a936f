package org.bpfmaps.conformance.lru;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.bpfmaps.BpfException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;

/**
 * The LRU differential property: random operation sequences on small {@code LRU_HASH} / {@code LRU_PERCPU_HASH}
 * maps, every user-space call issued from a named CPU ({@link MapBackend#onCpu}) and every program helper call run
 * on a named CPU ({@code programView(cpu)}), on two backends; after <em>every</em> operation the result and the
 * surviving keys in get_next_key order must be identical (maps are created with {@code BPF_F_ZERO_SEED}, so the
 * order is deterministic), and every {@link #valueEvery} operations and at the end the syscall value of every key
 * as well.
 *
 * <p>Each side runs a whole scenario on a fresh map (consecutive operations from the same CPU inside one
 * {@code onCpu} block, the walk inside it too), then the per-step records are compared; a difference is minimised
 * by removing chunks of operations while some difference remains (each candidate replayed on fresh maps, every
 * operation keeping its CPUs) and reported with both sides' answers for each remaining step.
 *
 * <p>Deterministic by construction: one thread, maps private to the run, the thread pinned for user-space calls
 * and program runs on a named CPU. See the package documentation for what is <em>not</em> deterministic on the
 * kernel and is therefore not generated here.
 */
public final class LruDifferential {
    /** What a scenario's map looks like. */
    public record Spec(MapType type, int maxEntries, boolean noCommonLru, int keySize) {
        /** The spec sent to both backends: 8-byte values, ZERO_SEED. */
        public MapSpec mapSpec() {
            MapSpec.Builder b = MapSpec.builder(type).keySize(keySize).valueSize(8).maxEntries(maxEntries)
                    .with(MapFlag.ZERO_SEED).name("lru_diff");
            if (noCommonLru) {
                b.with(MapFlag.NO_COMMON_LRU);
            }
            return b.build();
        }

        @Override
        public String toString() {
            return mapSpec().toString() + (noCommonLru ? " (NO_COMMON_LRU)" : " (common LRU)");
        }
    }

    /** A generated scenario: the spec, the seed it came from, the ops. */
    public record Scenario(Spec spec, long seed, List<LruOp> ops) {
        Scenario withOps(List<LruOp> other) {
            return new Scenario(spec, seed, other);
        }
    }

    /** Counters across scenarios. */
    public static final class Stats {
        /** Operations applied to each side (map creation not counted). */
        public long ops;
        /** Program-view operations among them. */
        public long programOps;
        /** Batch operations among them. */
        public long batchOps;
        /** Operations whose thread CPU differed from the previous operation's. */
        public long cpuSwitches;
        /** Program operations run on a CPU other than the caller's. */
        public long remoteProgramOps;
        /** Key-order comparisons (one per op) and full value comparisons. */
        public long keyChecks;
        public long valueChecks;
        /** Updates (syscall, program or batch) after which other keys were gone (evictions), and those keys. */
        public long evictingUpdates;
        public long evictedKeys;
        /** Updates (syscall, program or batch) whose outcome was an error, and outcomes "miss". */
        public long failedUpdates;
        public long misses;
        /** Scenarios run and, of them, NO_COMMON_LRU ones. */
        public long scenarios;
        public long noCommonScenarios;
        /** Differences found. */
        public long differences;
        /** Wall time spent on each side, nanoseconds. */
        public long nanosA;
        public long nanosB;

        @Override
        public String toString() {
            return String.format("%,d ops (%,d program, %,d of them on another CPU; %,d batch; %,d CPU switches; "
                            + "%,d updates evicted %,d keys; %,d failed updates; %,d misses) in %,d scenarios "
                            + "(%,d NO_COMMON_LRU); %,d key-order checks, %,d value checks; %,d differences; "
                            + "%.1f s on side A, %.1f s on side B",
                    ops, programOps, remoteProgramOps, batchOps, cpuSwitches, evictingUpdates, evictedKeys,
                    failedUpdates, misses, scenarios, noCommonScenarios, keyChecks, valueChecks, differences,
                    nanosA / 1e9, nanosB / 1e9);
        }
    }

    private final String nameA;
    private final MapBackend a;
    private final String nameB;
    private final MapBackend b;
    private final int valueEvery;
    private long minimiseBudgetNanos = 60_000_000_000L;

    /** A driver comparing backend {@code a} with backend {@code b} (the judge, usually the kernel). */
    public LruDifferential(String nameA, MapBackend a, String nameB, MapBackend b, int valueEvery) {
        this.nameA = nameA;
        this.a = a;
        this.nameB = nameB;
        this.b = b;
        this.valueEvery = Math.max(1, valueEvery);
    }

    /** Limits the time spent minimising a failing sequence. */
    public LruDifferential minimiseBudgetSeconds(int seconds) {
        this.minimiseBudgetNanos = seconds * 1_000_000_000L;
        return this;
    }

    // ---- generation ----------------------------------------------------------------------------------------------

    /**
     * A scenario from {@code seed}: max_entries 1..64 (small ones more often), common or per-CPU LRU, 4- or 8-byte
     * keys from a universe somewhat larger than the map, and {@code nOps} operations. Most operations stay on one
     * CPU; the CPU switches with a per-scenario probability (0.5%, 3%, 15% or 50%); 20% of program operations run on a
     * random CPU rather than the caller's.
     */
    public static Scenario generate(long seed, MapType type, int cpus, int nOps) {
        Random r = new Random(seed);
        int roll = r.nextInt(10);
        int me = roll < 5 ? 1 + r.nextInt(8) : roll < 8 ? 9 + r.nextInt(24) : 33 + r.nextInt(32);
        boolean noCommon = r.nextBoolean();
        int keySize = r.nextInt(5) == 0 ? 8 : 4;
        Spec spec = new Spec(type, me, noCommon, keySize);
        int effective = noCommon ? (me + cpus - 1) / cpus * cpus : me;
        int universe = effective + 1 + r.nextInt(2 * effective + 4);
        double[] switchChoices = {0.005, 0.03, 0.15, 0.5};
        double switchP = switchChoices[r.nextInt(switchChoices.length)];
        int cpu = r.nextInt(cpus);
        long value = 1;
        List<LruOp> ops = new ArrayList<>(nOps);
        List<Long> recent = new ArrayList<>();
        for (int i = 0; i < nOps; i++) {
            if (cpus > 1 && r.nextDouble() < switchP) {
                cpu = (cpu + 1 + r.nextInt(cpus - 1)) % cpus;
            }
            long key = !recent.isEmpty() && r.nextInt(10) < 3 ? recent.get(r.nextInt(recent.size()))
                    : r.nextInt(universe);
            int progCpu = r.nextInt(10) < 8 ? cpu : r.nextInt(cpus);
            int p = r.nextInt(100);
            LruOp op;
            if (p < 28) {
                op = new LruOp.Update(cpu, key, value++, updateFlags(r));
                remember(recent, key);
            } else if (p < 44) {
                op = new LruOp.ProgLookup(cpu, progCpu, key);
            } else if (p < 52) {
                op = new LruOp.Lookup(cpu, key);
            } else if (p < 59) {
                op = new LruOp.Delete(cpu, key);
            } else if (p < 64) {
                op = new LruOp.LookupAndDelete(cpu, key);
            } else if (p < 80) {
                op = new LruOp.ProgUpdate(cpu, progCpu, key, value++, updateFlags(r));
                remember(recent, key);
            } else if (p < 86) {
                op = new LruOp.ProgDelete(cpu, progCpu, key);
            } else if (p < 97) {
                op = new LruOp.ProgLookup(cpu, progCpu, key);
            } else {
                int kind = r.nextInt(4);
                if (kind == 0) {
                    long[] keys = keys(r, universe, 1 + r.nextInt(4));
                    op = new LruOp.UpdateBatch(cpu, keys, value, r.nextInt(4) == 0 ? UpdateFlags.NOEXIST
                            : UpdateFlags.ANY);
                    value += keys.length;
                } else if (kind == 1) {
                    op = new LruOp.DeleteBatch(cpu, keys(r, universe, 1 + r.nextInt(3)));
                } else {
                    op = new LruOp.LookupBatch(cpu, kind == 3, 1 + r.nextInt(effective + 2));
                }
            }
            ops.add(op);
        }
        return new Scenario(spec, seed, ops);
    }

    /**
     * ANY 60%, NOEXIST 20%, EXIST 19%, and 1% invalid: NOEXIST|EXIST (3), which htab_lru_map_update_elem refuses with
     * EINVAL before it takes a node (so nothing may be evicted), or F_LOCK on a map without a spin lock (EINVAL).
     */
    private static long updateFlags(Random r) {
        int f = r.nextInt(100);
        if (f == 0) {
            return r.nextBoolean() ? UpdateFlags.NOEXIST | UpdateFlags.EXIST : UpdateFlags.F_LOCK;
        }
        return f < 61 ? UpdateFlags.ANY : f < 81 ? UpdateFlags.NOEXIST : UpdateFlags.EXIST;
    }

    private static long[] keys(Random r, int universe, int n) {
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            k[i] = r.nextInt(universe);
        }
        return k;
    }

    private static void remember(List<Long> recent, long key) {
        recent.add(key);
        if (recent.size() > 8) {
            recent.remove(0);
        }
    }

    // ---- execution -----------------------------------------------------------------------------------------------

    /**
     * Runs {@code sc} on one side: element 0 is the map creation, element i+1 op i's result followed by the keys in
     * get_next_key order (and values on value-check steps).
     */
    private List<String> runSide(String name, MapBackend backend, Scenario sc, Stats stats, boolean checkEveryValue) {
        List<LruOp> ops = sc.ops();
        List<String> out = new ArrayList<>(ops.size() + 1);
        try (LruSide side = new LruSide(name, backend)) {
            try {
                side.map = backend.create(sc.spec().mapSpec());
                out.add("created max_entries=" + side.map.maxEntries() + " flags=0x"
                        + Integer.toHexString(side.map.flags()) + " valueBuffer=" + side.map.valueBufferSize());
            } catch (BpfException e) {
                out.add("create " + LruOp.error(e));
                return out;
            }
            int[] next = {0};
            while (next[0] < ops.size()) {
                int cpu = ops.get(next[0]).cpu();
                backend.onCpu(cpu, () -> {
                    while (next[0] < ops.size() && ops.get(next[0]).cpu() == cpu) {
                        int i = next[0]++;
                        boolean values = checkEveryValue || (i + 1) % valueEvery == 0 || i == ops.size() - 1;
                        out.add(step(side, ops.get(i), values));
                        if (stats != null) {
                            stats.keyChecks++;
                            stats.valueChecks += values ? 1 : 0;
                        }
                    }
                });
            }
        }
        return out;
    }

    private static String step(LruSide side, LruOp op, boolean values) {
        String result;
        try {
            result = op.apply(side);
        } catch (RuntimeException e) {
            result = "UNEXPECTED " + e;
        }
        String keys;
        try {
            keys = side.walk(values);
        } catch (RuntimeException e) {
            keys = "UNEXPECTED walk " + e;
        }
        return result + " | " + (values ? "values " : "keys ") + keys;
    }

    /** Index of the first differing record, or -1. */
    private static int firstDifference(List<String> x, List<String> y) {
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            if (!x.get(i).equals(y.get(i)) || x.get(i).contains("UNEXPECTED") || x.get(i).contains("INVARIANT")) {
                return i;
            }
        }
        return x.size() == y.size() ? -1 : n;
    }

    /** Runs {@code sc} on both sides; empty when they agreed after every step, else the failure report. */
    public Optional<String> run(Scenario sc, Stats stats) {
        long t0 = System.nanoTime();
        List<String> ra = runSide(nameA, a, sc, null, false);
        long t1 = System.nanoTime();
        List<String> rb = runSide(nameB, b, sc, stats, false);
        stats.nanosA += t1 - t0;
        stats.nanosB += System.nanoTime() - t1;
        count(sc, stats);
        countOutcomes(sc, rb, stats);
        int d = firstDifference(ra, rb);
        if (d < 0) {
            return Optional.empty();
        }
        stats.differences++;
        return Optional.of(report(sc, ra, rb, d));
    }

    private static void count(Scenario sc, Stats stats) {
        stats.scenarios++;
        stats.noCommonScenarios += sc.spec().noCommonLru() ? 1 : 0;
        int prev = -1;
        for (LruOp op : sc.ops()) {
            stats.ops++;
            if (prev >= 0 && op.cpu() != prev) {
                stats.cpuSwitches++;
            }
            prev = op.cpu();
            if (op instanceof LruOp.ProgLookup p) {
                stats.programOps++;
                stats.remoteProgramOps += p.progCpu() != p.cpu() ? 1 : 0;
            } else if (op instanceof LruOp.ProgUpdate p) {
                stats.programOps++;
                stats.remoteProgramOps += p.progCpu() != p.cpu() ? 1 : 0;
            } else if (op instanceof LruOp.ProgDelete p) {
                stats.programOps++;
                stats.remoteProgramOps += p.progCpu() != p.cpu() ? 1 : 0;
            } else if (op instanceof LruOp.UpdateBatch || op instanceof LruOp.DeleteBatch
                    || op instanceof LruOp.LookupBatch) {
                stats.batchOps++;
            }
        }
    }

    /** Adds outcome-derived counts (evictions, failed updates, misses) from the judge's records of a scenario. */
    private static void countOutcomes(Scenario sc, List<String> records, Stats stats) {
        java.util.Set<String> before = java.util.Set.of();
        for (int i = 0; i < sc.ops().size() && i + 1 < records.size(); i++) {
            String r = records.get(i + 1);
            java.util.Set<String> after = keysOf(r);
            LruOp op = sc.ops().get(i);
            boolean update = op instanceof LruOp.Update || op instanceof LruOp.ProgUpdate
                    || op instanceof LruOp.UpdateBatch;
            if (update) {
                java.util.Set<String> gone = new java.util.HashSet<>(before);
                gone.removeAll(after);
                if (!gone.isEmpty()) {
                    stats.evictingUpdates++;
                    stats.evictedKeys += gone.size();
                }
            }
            if (update && r.startsWith("ERR")) {
                stats.failedUpdates++;
            } else if (r.startsWith("miss")) {
                stats.misses++;
            }
            before = after;
        }
    }

    /** The keys of a step record ({@code ... | keys [k1 k2]} or {@code ... | values [k1=v1 k2=v2]}). */
    private static java.util.Set<String> keysOf(String record) {
        java.util.Set<String> out = new java.util.HashSet<>();
        int open = record.lastIndexOf(" | ");
        open = open < 0 ? -1 : record.indexOf('[', open);
        int close = record.lastIndexOf(']');
        if (open < 0 || close <= open + 1) {
            return out;
        }
        for (String t : record.substring(open + 1, close).split(" ")) {
            int eq = t.indexOf('=');
            out.add(eq < 0 ? t : t.substring(0, eq));
        }
        return out;
    }

    private boolean fails(Scenario sc) {
        try {
            return firstDifference(runSide(nameA, a, sc, null, true), runSide(nameB, b, sc, null, true)) >= 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Removes chunks of ops while a difference remains (ddmin-style), within the time budget. */
    List<LruOp> minimise(Scenario sc) {
        long deadline = System.nanoTime() + minimiseBudgetNanos;
        List<LruOp> current = new ArrayList<>(sc.ops());
        if (!fails(sc)) {
            return current;
        }
        int chunk = Math.max(1, current.size() / 2);
        while (chunk >= 1 && System.nanoTime() < deadline) {
            boolean removed = false;
            for (int start = 0; start < current.size() && System.nanoTime() < deadline; ) {
                List<LruOp> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                if (!candidate.isEmpty() && fails(sc.withOps(candidate))) {
                    current = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (!removed) {
                chunk /= 2;
            }
        }
        return current;
    }

    private String report(Scenario sc, List<String> ra, List<String> rb, int d) {
        StringBuilder sb = new StringBuilder();
        sb.append("LRU differential difference between ").append(nameA).append(" and ").append(nameB).append('\n');
        sb.append("spec: ").append(sc.spec()).append(", scenario seed ").append(sc.seed()).append(", ")
                .append(sc.ops().size()).append(" ops\n");
        sb.append("first difference at ")
                .append(d == 0 ? "map creation" : "op #" + (d - 1) + ": " + sc.ops().get(d - 1)).append('\n');
        sb.append("  ").append(nameA).append(": ").append(d < ra.size() ? ra.get(d) : "(no record)").append('\n');
        sb.append("  ").append(nameB).append(": ").append(d < rb.size() ? rb.get(d) : "(no record)").append('\n');
        List<LruOp> min = minimise(sc);
        Scenario ms = sc.withOps(min);
        List<String> ma = runSide(nameA, a, ms, null, true);
        List<String> mb = runSide(nameB, b, ms, null, true);
        int md = firstDifference(ma, mb);
        sb.append("minimal reproduction (").append(min.size()).append(" ops, every op followed by a full value walk")
                .append(md < 0 ? "; NOTE: did not reproduce on replay" : "").append("):\n");
        sb.append("  create ").append(sc.spec()).append('\n');
        sb.append("    ").append(nameA).append(": ").append(ma.get(0)).append('\n');
        sb.append("    ").append(nameB).append(": ").append(mb.get(0)).append('\n');
        for (int i = 0; i < min.size(); i++) {
            boolean differs = i + 1 < ma.size() && i + 1 < mb.size() && !ma.get(i + 1).equals(mb.get(i + 1));
            sb.append(differs ? "  * " : "    ").append('#').append(i).append(' ').append(min.get(i)).append('\n');
            sb.append("      ").append(nameA).append(": ").append(i + 1 < ma.size() ? ma.get(i + 1) : "-").append('\n');
            sb.append("      ").append(nameB).append(": ").append(i + 1 < mb.size() ? mb.get(i + 1) : "-").append('\n');
            if (md >= 0 && i + 1 > md + 3) {
                sb.append("    ... (").append(min.size() - i - 1).append(" more ops)\n");
                break;
            }
        }
        return sb.toString();
    }
}
