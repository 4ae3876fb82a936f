package org.bpfmaps.conformance.types;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.conformance.Bytes;

/**
 * Lockstep differential for LPM_TRIE, QUEUE, STACK and BLOOM_FILTER: random specs and op sequences, each op run
 * on both backends, the outcomes (value bytes or errno) compared op by op. LPM also compares the whole
 * {@code get_next_key} order after every op that may change the trie (update, delete, their program and batch
 * forms) and after every eighth op in any case; bloom filters are created with {@code BPF_F_ZERO_SEED} and each
 * peek is also checked against the §4.6 bit formula, so false positives must agree bit for bit.
 *
 * <p>A mismatch is replayed on fresh maps and minimised (cut after the first mismatch, then each op dropped
 * when the mismatch survives without it); the {@link AssertionError} lists the seed, the spec and the
 * remaining ops with both sides' outcomes. Program-view ops run on {@link #CPU}, with the calling thread pinned
 * there by {@link MapBackend#onCpu}, so the kernel runs them in the caller's task (no IPI).
 *
 * <p>Bloom peeks go through the program view only unless {@code -Dbpfmaps.types.bloomSyscallPeek=true}: the
 * linux backend's syscall lookup does not pass the value in (see
 * {@code BloomKit.zeroSeedFalsePositivesArePredictable}), which would stop every run at its first syscall peek.
 */
public final class TypesLockstep {
    /**
     * Whether bloom scenarios also peek with the syscall lookup ({@code -Dbpfmaps.types.bloomSyscallPeek=true});
     * off by default while the linux backend does not pass the value in.
     */
    static final boolean SYSCALL_BLOOM_PEEK = Boolean.getBoolean("bpfmaps.types.bloomSyscallPeek");

    /** The CPU of the program views. */
    public static final int CPU = 0;

    /** Nanoseconds spent: order walks on a and b, ops on a and b. */
    private final long[] nanos = new long[4];
    private final MapBackend a;
    private final MapBackend b;

    /** One operation of a scenario. */
    record Op(String kind, byte[] key, byte[] value, long flags, int count) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(kind);
            if (key != null) {
                s.append(" key=").append(Bytes.hex(key));
            }
            if (value != null) {
                s.append(" value=").append(Bytes.hex(value));
            }
            if (flags != 0) {
                s.append(" flags=").append(flags);
            }
            if (count != 0) {
                s.append(" count=").append(count);
            }
            return s.toString();
        }
    }

    /** One scenario: a spec and its ops. */
    record Scenario(MapSpec spec, List<Op> ops) {
    }

    /** What a run did. */
    public record Stats(MapType type, long ops, long iterationCalls, long scenarios, long oracleChecks,
                        long millis) {
        @Override
        public String toString() {
            return String.format("[types lockstep %s] %d ops in %d scenarios (+%d get_next_key calls for order checks,"
                    + " %d bloom oracle checks) in %d ms", type, ops, scenarios, iterationCalls, oracleChecks, millis);
        }
    }

    public TypesLockstep(MapBackend a, MapBackend b) {
        this.a = a;
        this.b = b;
    }

    // ---------------------------------------------------------------------------------------------------------
    // generation

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) r.nextInt(256);
        }
        return out;
    }

    static byte[] lpmKey(int prefixLen, byte[] data) {
        return ByteBuffer.allocate(4 + data.length).order(ByteOrder.nativeOrder()).putInt(prefixLen).put(data).array();
    }

    private static long updateFlags(SplittableRandom r) {
        int p = r.nextInt(100);
        if (p < 50) {
            return UpdateFlags.ANY;
        } else if (p < 70) {
            return UpdateFlags.NOEXIST;
        } else if (p < 93) {
            return UpdateFlags.EXIST;
        }
        long[] odd = {3, UpdateFlags.F_LOCK, 8, 0x20};
        return odd[r.nextInt(odd.length)];
    }

    static Scenario lpmScenario(SplittableRandom r, int nOps) {
        int[] dataLens = {4, 4, 4, 8, 9, 16, 16, 33};
        int dataLen = dataLens[r.nextInt(dataLens.length)];
        int keySize = 4 + dataLen;
        int maxPrefix = dataLen * 8;
        int valueSize = 1 + r.nextInt(12);
        int maxEntries = 1 + r.nextInt(16);
        MapSpec spec = MapSpec.builder(MapType.LPM_TRIE).keySize(keySize).valueSize(valueSize)
                .maxEntries(maxEntries).flags(MapFlag.NO_PREALLOC).build();
        // a pool of addresses sharing prefixes, so lookups often match several entries
        byte[] base = bytes(r, dataLen);
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] d = base.clone();
            int flipFrom = r.nextInt(maxPrefix);
            for (int bit = flipFrom; bit < maxPrefix; bit++) {
                if (r.nextBoolean()) {
                    d[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                }
            }
            pool.add(d);
        }
        List<Op> ops = new ArrayList<>(nOps);
        for (int i = 0; i < nOps; i++) {
            byte[] data = r.nextInt(10) == 0 ? bytes(r, dataLen) : pool.get(r.nextInt(pool.size())).clone();
            int plen;
            int p = r.nextInt(100);
            if (p < 4) {
                plen = maxPrefix + 1 + r.nextInt(3);
            } else if (p < 30) {
                plen = maxPrefix;
            } else {
                plen = r.nextInt(maxPrefix + 1);
            }
            byte[] key = lpmKey(plen, data);
            int k = r.nextInt(100);
            if (k < 28) {
                ops.add(new Op("update", key, bytes(r, valueSize), updateFlags(r), 0));
            } else if (k < 40) {
                ops.add(new Op("prog.update", key, bytes(r, valueSize), updateFlags(r), 0));
            } else if (k < 55) {
                ops.add(new Op("lookup", lpmKey(r.nextInt(4) == 0 ? plen : maxPrefix, data), null, 0, 0));
            } else if (k < 63) {
                ops.add(new Op("prog.lookup", lpmKey(r.nextInt(4) == 0 ? plen : maxPrefix, data), null, 0, 0));
            } else if (k < 75) {
                ops.add(new Op("delete", key, null, 0, 0));
            } else if (k < 80) {
                ops.add(new Op("prog.delete", key, null, 0, 0));
            } else if (k < 84) {
                ops.add(new Op("nextKey", r.nextBoolean() ? null : key, null, 0, 0));
            } else if (k < 85) {
                ops.add(new Op("lookupAndDelete", key, null, 0, 0));
            } else if (k < 90) {
                int n = 1 + r.nextInt(4);
                ByteBuffer keys = ByteBuffer.allocate(n * keySize);
                for (int j = 0; j < n; j++) {
                    byte[] d = pool.get(r.nextInt(pool.size()));
                    int pl = r.nextInt(20) == 0 ? maxPrefix + 1 : r.nextInt(maxPrefix + 1);
                    keys.put(lpmKey(pl, d));
                }
                ops.add(new Op("updateBatch", keys.array(), bytes(r, n * valueSize), r.nextInt(15) == 0 ? 1 : 0, n));
            } else if (k < 94) {
                int n = 1 + r.nextInt(3);
                ByteBuffer keys = ByteBuffer.allocate(n * keySize);
                for (int j = 0; j < n; j++) {
                    keys.put(lpmKey(r.nextInt(maxPrefix + 1), pool.get(r.nextInt(pool.size()))));
                }
                ops.add(new Op("deleteBatch", keys.array(), null, 0, n));
            } else {
                ops.add(new Op("lookupBatch", r.nextBoolean() ? null : key, null, r.nextInt(20) == 0 ? 1 : 0,
                        r.nextInt(8)));
            }
        }
        return new Scenario(spec, ops);
    }

    static Scenario queueScenario(SplittableRandom r, MapType type, int nOps) {
        int valueSize = 1 + r.nextInt(12);
        int maxEntries = 1 + r.nextInt(12);
        MapSpec spec = MapSpec.builder(type).valueSize(valueSize).maxEntries(maxEntries).build();
        List<Op> ops = new ArrayList<>(nOps);
        int bias = r.nextInt(30, 70); // push share: some scenarios stay full, some stay empty
        for (int i = 0; i < nOps; i++) {
            int k = r.nextInt(100);
            long flags = r.nextInt(10) < 7 ? UpdateFlags.ANY : updateFlags(r);
            if (k < bias * 3 / 4) {
                ops.add(new Op("prog.push", null, bytes(r, valueSize), flags, 0));
            } else if (k < bias) {
                ops.add(new Op("update", null, bytes(r, valueSize), flags, 0));
            } else if (k < bias + (100 - bias) / 2) {
                ops.add(new Op("prog.pop", null, null, 0, 0));
            } else if (k < bias + (100 - bias) * 3 / 4) {
                ops.add(new Op("prog.peek", null, null, 0, 0));
            } else if (k < 96) {
                ops.add(new Op(r.nextBoolean() ? "lookupAndDelete" : "lookup", null, null,
                        r.nextInt(20) == 0 ? 1 : 0, 0));
            } else {
                ops.add(new Op(r.nextBoolean() ? "nextKey" : "delete", null, null, 0, 0));
            }
        }
        return new Scenario(spec, ops);
    }

    static Scenario bloomScenario(SplittableRandom r, int nOps) {
        int valueSize = 1 + r.nextInt(12);
        int maxEntries = r.nextInt(3) == 0 ? 1 + r.nextInt(8) : 1 + r.nextInt(300);
        long extra = r.nextInt(16);
        MapSpec spec = MapSpec.builder(MapType.BLOOM_FILTER).valueSize(valueSize).maxEntries(maxEntries)
                .flags(MapFlag.ZERO_SEED).mapExtra(extra).build();
        List<byte[]> pushed = new ArrayList<>();
        List<Op> ops = new ArrayList<>(nOps);
        for (int i = 0; i < nOps; i++) {
            int k = r.nextInt(100);
            if (k < 30) {
                byte[] v = bytes(r, valueSize);
                pushed.add(v);
                long flags = r.nextInt(10) == 0 ? updateFlags(r) : UpdateFlags.ANY;
                ops.add(new Op(r.nextInt(3) == 0 ? "update" : "prog.push", null, v, flags, 0));
            } else if (k < 40 && !pushed.isEmpty()) {
                ops.add(new Op("prog.peek", null, pushed.get(r.nextInt(pushed.size())), 0, 0));
            } else if (k < 97) {
                ops.add(new Op(SYSCALL_BLOOM_PEEK && r.nextBoolean() ? "lookup" : "prog.peek", null,
                        bytes(r, valueSize), 0, 0));
            } else {
                String[] odd = {"delete", "nextKey", "lookupAndDelete", "prog.pop"};
                ops.add(new Op(odd[r.nextInt(odd.length)], null, bytes(r, valueSize), 0, 0));
            }
        }
        return new Scenario(spec, ops);
    }

    /**
     * Adds what every type shares: in one scenario of five a {@code freeze} at a random point (syscall writes
     * then fail with EPERM, program writes go on), and in one of five a few program ops moved to the last
     * possible CPU (prefix {@code cpuN.}), whose runs the kernel sends there by IPI.
     */
    static Scenario decorate(SplittableRandom r, Scenario sc) {
        List<Op> ops = new ArrayList<>(sc.ops);
        if (r.nextInt(5) == 0 && !ops.isEmpty()) {
            ops.add(r.nextInt(ops.size()), new Op("freeze", null, null, 0, 0));
        }
        if (r.nextInt(5) == 0) {
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op.kind.startsWith("prog.") && r.nextInt(30) == 0) {
                    ops.set(i, new Op("cpuN." + op.kind, op.key, op.value, op.flags, op.count));
                }
            }
        }
        return new Scenario(sc.spec, ops);
    }

    // ---------------------------------------------------------------------------------------------------------
    // execution

    /** One side of a replay: a map and its program view. */
    private static final class Side implements AutoCloseable {
        final BpfMap map;
        final ProgramView view;
        private ProgramView other;
        long iterationCalls;

        /** A view on the last possible CPU, opened on first use. */
        ProgramView other() {
            if (other == null) {
                other = map.programView(map.possibleCpus() - 1);
            }
            return other;
        }

        Side(MapBackend backend, MapSpec spec) {
            map = backend.create(spec);
            ProgramView v = null;
            try {
                v = map.programView(CPU);
            } finally {
                if (v == null) {
                    map.close();
                }
            }
            view = v;
        }

        @Override
        public void close() {
            try {
                if (other != null) {
                    other.close();
                }
                view.close();
            } finally {
                map.close();
            }
        }
    }

    private static String err(BpfException e) {
        return "E" + e.errno();
    }

    private static String apply(Side s, Op op) {
        if (op.kind.startsWith("cpuN.")) {
            Op inner = new Op(op.kind.substring(5), op.key, op.value, op.flags, op.count);
            return applyWith(s, s.other(), inner);
        }
        return applyWith(s, s.view, op);
    }

    private static String applyWith(Side s, ProgramView view, Op op) {
        BpfMap m = s.map;
        int vs = m.valueSize();
        try {
            switch (op.kind) {
                case "freeze":
                    m.freeze();
                    return "ok";
                case "update":
                    m.update(op.key, op.value, op.flags);
                    return "ok";
                case "prog.update":
                    view.update(op.key, op.value, op.flags);
                    return "ok";
                case "lookup": {
                    if (m.type() == MapType.LPM_TRIE) {
                        Optional<byte[]> v = m.lookup(op.key);
                        return v.map(Bytes::hex).orElse("miss");
                    }
                    byte[] v = op.value == null ? new byte[vs] : op.value.clone();
                    boolean hit = m.lookup(null, v, op.flags);
                    return hit ? (m.type() == MapType.BLOOM_FILTER ? "maybe" : Bytes.hex(v)) : "miss";
                }
                case "prog.lookup":
                    return view.lookup(op.key).map(Bytes::hex).orElse("miss");
                case "delete":
                    return m.delete(op.key) ? "ok" : "miss";
                case "prog.delete":
                    return view.delete(op.key) ? "ok" : "miss";
                case "nextKey": {
                    byte[] next = new byte[m.keySize()];
                    return m.nextKey(op.key, next) ? Bytes.hex(next) : "end";
                }
                case "lookupAndDelete": {
                    byte[] v = new byte[vs];
                    return m.lookupAndDelete(op.key, v, op.flags) ? Bytes.hex(v) : "miss";
                }
                case "prog.push":
                    view.push(op.value, op.flags);
                    return "ok";
                case "prog.pop": {
                    byte[] v = new byte[vs];
                    return view.pop(v) ? Bytes.hex(v) : "miss";
                }
                case "prog.peek": {
                    byte[] v = op.value == null ? new byte[vs] : op.value.clone();
                    boolean hit = view.peek(v);
                    return hit ? (m.type() == MapType.BLOOM_FILTER ? "maybe" : Bytes.hex(v)) : "miss";
                }
                case "updateBatch":
                    try {
                        return "ok " + m.updateBatch(op.key, op.value, op.count, op.flags);
                    } catch (BpfException e) {
                        return err(e) + " count " + e.batchCount();
                    }
                case "deleteBatch":
                    try {
                        return "ok " + m.deleteBatch(op.key, op.count, op.flags);
                    } catch (BpfException e) {
                        return err(e) + " count " + e.batchCount();
                    }
                case "lookupBatch": {
                    int ks = m.keySize();
                    int n = Math.max(op.count, 1);
                    byte[] keys = new byte[n * ks];
                    byte[] values = new byte[n * vs];
                    byte[] out = new byte[ks];
                    try {
                        BatchResult r = m.lookupBatch(op.key, out, keys, values, op.count, op.flags);
                        return "count " + r.count() + " done " + r.done() + " out " + Bytes.hex(out) + " keys "
                                + Bytes.hex(keys, 0, r.count() * ks) + " values "
                                + Bytes.hex(values, 0, r.count() * vs);
                    } catch (BpfException e) {
                        return err(e) + " count " + e.batchCount();
                    }
                }
                default:
                    throw new IllegalArgumentException(op.kind);
            }
        } catch (BpfException e) {
            return err(e);
        }
    }

    /** Whether {@code op} may change an LPM trie (the order walk follows every such op). */
    private static boolean mutates(Op op) {
        switch (op.kind.startsWith("cpuN.") ? op.kind.substring(5) : op.kind) {
            case "update":
            case "prog.update":
            case "delete":
            case "prog.delete":
            case "updateBatch":
            case "deleteBatch":
                return true;
            default:
                return false;
        }
    }

    /** The whole get_next_key walk (LPM), as text. */
    private static String order(Side s) {
        StringBuilder sb = new StringBuilder();
        byte[] cur = null;
        byte[] next = new byte[s.map.keySize()];
        int guard = 0;
        while (s.map.nextKey(cur, next)) {
            s.iterationCalls++;
            sb.append(Bytes.hex(next)).append(';');
            cur = next.clone();
            if (++guard > 10_000) {
                sb.append("...loop");
                break;
            }
        }
        s.iterationCalls++;
        return sb.toString();
    }

    /** The §4.6 prediction for a peek of {@code value} given the pushed values' bits. */
    static int[] bloomBits(byte[] value, int maxEntries, long mapExtra) {
        int nh = (int) (mapExtra & 0xf);
        if (nh == 0) {
            nh = 5;
        }
        return BloomKit.bits(value, maxEntries, nh);
    }

    /** Result of one replay. */
    private record Replay(int firstMismatch, List<String> outA, List<String> outB, long iterationCalls,
                          long oracleChecks) {
    }

    private Replay replay(Scenario sc, boolean stopAtMismatch) {
        List<String> outA = new ArrayList<>();
        List<String> outB = new ArrayList<>();
        int first = -1;
        long oracle = 0;
        boolean lpm = sc.spec.type() == MapType.LPM_TRIE;
        boolean bloom = sc.spec.type() == MapType.BLOOM_FILTER;
        java.util.BitSet bits = new java.util.BitSet();
        try (Side sa = new Side(a, sc.spec); Side sb = new Side(b, sc.spec)) {
            for (int i = 0; i < sc.ops.size(); i++) {
                Op op = sc.ops.get(i);
                long t0 = System.nanoTime();
                String ra = apply(sa, op);
                long t1 = System.nanoTime();
                String rb = apply(sb, op);
                nanos[2] += t1 - t0;
                nanos[3] += System.nanoTime() - t1;
                if (lpm && (mutates(op) || i % 8 == 7 || i == sc.ops.size() - 1)) {
                    long w0 = System.nanoTime();
                    ra += " | order " + order(sa);
                    long w1 = System.nanoTime();
                    rb += " | order " + order(sb);
                    nanos[0] += w1 - w0;
                    nanos[1] += System.nanoTime() - w1;
                }
                if (bloom) {
                    String kind = op.kind.startsWith("cpuN.") ? op.kind.substring(5) : op.kind;
                    if (kind.equals("prog.push") || kind.equals("update")) {
                        if ("ok".equals(ra)) {
                            for (int bit : bloomBits(op.value, sc.spec.maxEntries(), sc.spec.mapExtra())) {
                                bits.set(bit);
                            }
                        }
                    } else if (kind.equals("prog.peek") || kind.equals("lookup")) {
                        boolean predicted = true;
                        for (int bit : bloomBits(op.value, sc.spec.maxEntries(), sc.spec.mapExtra())) {
                            predicted &= bits.get(bit);
                        }
                        oracle++;
                        String p = predicted ? "maybe" : "miss";
                        if (!p.equals(ra)) {
                            ra += " (SEMANTICS 4.6 predicts " + p + ")";
                        }
                        if (!p.equals(rb)) {
                            rb += " (SEMANTICS 4.6 predicts " + p + ")";
                        }
                    }
                }
                outA.add(ra);
                outB.add(rb);
                if (!ra.equals(rb) || ra.contains("predicts")) {
                    if (first < 0) {
                        first = i;
                    }
                    if (stopAtMismatch) {
                        break;
                    }
                }
            }
            return new Replay(first, outA, outB, sa.iterationCalls + sb.iterationCalls, oracle);
        }
    }

    private Scenario minimise(Scenario sc, int firstMismatch) {
        List<Op> ops = new ArrayList<>(sc.ops.subList(0, firstMismatch + 1));
        int budget = 400;
        for (int i = ops.size() - 2; i >= 0 && budget > 0; i--, budget--) {
            List<Op> shorter = new ArrayList<>(ops);
            shorter.remove(i);
            if (replay(new Scenario(sc.spec, shorter), true).firstMismatch >= 0) {
                ops = shorter;
            }
        }
        Replay r = replay(new Scenario(sc.spec, ops), true);
        if (r.firstMismatch >= 0) {
            ops = new ArrayList<>(ops.subList(0, r.firstMismatch + 1));
        }
        return new Scenario(sc.spec, ops);
    }

    private String report(long seed, int index, Scenario sc) {
        Replay r = replay(sc, true);
        StringBuilder sb = new StringBuilder();
        sb.append(a.name()).append(" and ").append(b.name()).append(" differ; seed ").append(seed)
                .append(", scenario ").append(index).append(", minimised to ").append(sc.ops.size())
                .append(" ops\n  spec: ").append(sc.spec).append('\n');
        for (int i = 0; i < r.outA.size(); i++) {
            sb.append(String.format("  %3d %s%n      %s: %s%n      %s: %s%n", i, sc.ops.get(i), a.name(),
                    r.outA.get(i), b.name(), r.outB.get(i)));
        }
        return sb.toString();
    }

    /**
     * Runs scenarios of {@code type} until {@code totalOps} ops were compared.
     *
     * @throws AssertionError with the minimised reproduction at the first difference
     */
    public Stats run(MapType type, long seed, long totalOps, int opsPerScenario) {
        SplittableRandom root = new SplittableRandom(seed);
        long start = System.nanoTime();
        long ops = 0;
        long iter = 0;
        long oracle = 0;
        int scenarios = 0;
        while (ops < totalOps) {
            SplittableRandom r = root.split();
            int n = (int) Math.min(opsPerScenario / 2 + r.nextInt(opsPerScenario), totalOps - ops);
            n = Math.max(n, 1);
            Scenario sc;
            switch (type) {
                case LPM_TRIE:
                    sc = lpmScenario(r, n);
                    break;
                case QUEUE:
                case STACK:
                    sc = queueScenario(r, type, n);
                    break;
                case BLOOM_FILTER:
                    sc = bloomScenario(r, n);
                    break;
                default:
                    throw new IllegalArgumentException(type.toString());
            }
            sc = decorate(r, sc);
            Replay rep = replay(sc, true);
            if (rep.firstMismatch >= 0) {
                Scenario min = minimise(sc, rep.firstMismatch);
                throw new AssertionError(report(seed, scenarios, min));
            }
            ops += sc.ops.size();
            iter += rep.iterationCalls;
            oracle += rep.oracleChecks;
            scenarios++;
        }
        System.out.printf("[types lockstep %s] time in ops: %s %d ms, %s %d ms; in order walks: %s %d ms, %s %d ms%n",
                type, a.name(), nanos[2] / 1_000_000, b.name(), nanos[3] / 1_000_000, a.name(),
                nanos[0] / 1_000_000, b.name(), nanos[1] / 1_000_000);
        java.util.Arrays.fill(nanos, 0);
        return new Stats(type, ops, iter, scenarios, oracle, (System.nanoTime() - start) / 1_000_000);
    }
}
