package org.bpfmaps.conformance.lru;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;

/**
 * What holds for an LRU map used from all CPUs at once, where the surviving keys depend on the interleaving and
 * are not compared between backends (see the package documentation). One thread per CPU, each pinned with
 * {@code onCpu} and using a program view on its own CPU, works on its own keys ({@code key % threads == t}); the
 * others can only evict them. Checked on every step and after the threads join:
 * <ul>
 *   <li>no update fails for lack of room with E2BIG; an update may fail with ENOMEM (counted and reported): on the
 *       kernel, concurrent updates of a small common-LRU map can find every node in flight on another CPU (taken
 *       from the free lists but not yet linked into the table, so neither evictable nor stealable) — seen with
 *       max_entries 1 on 2 CPUs; the key then keeps its previous state. Otherwise ANY updates never fail;
 *       NOEXIST fails only with EEXIST and only when the thread's last operation on the key was a successful
 *       write; EXIST fails only with ENOENT and succeeds only when that last operation was a write (the key may
 *       have been evicted since, so ENOENT is always allowed);</li>
 *   <li>a lookup (syscall or program) or delete finds a key only when the thread's last operation on it was a
 *       successful write, and then with that write's value (values encode key, thread and a sequence number;
 *       per-CPU maps: CPU i's slot holds value + i, a program sees its own CPU's slot) — or, counted as a
 *       <i>recycled read</i>, with a value some thread wrote for another key: on the kernel an evicted element is
 *       reused at once (preallocated, no RCU grace period), so a lookup racing with the eviction and reuse copies
 *       the new key's value (seen on 6.18 with max_entries 1); the simulator must have none;</li>
 *   <li>after the join, with nothing running: a get_next_key walk visits no key twice, at most max_entries keys
 *       (as the kernel reports it, i.e. rounded for NO_COMMON_LRU), and every surviving key holds exactly its
 *       thread's last write (no recycled value any more).</li>
 * </ul>
 */
public final class LruConcurrentInvariants {
    private LruConcurrentInvariants() {
    }

    /** What a run did. */
    public record Report(long ops, long evictionsObserved, long enomemUpdates, long recycledReads, int survivors,
                         int maxEntries) {
    }

    /** Runs the workload once on {@code backend}; throws {@link AssertionError} on a violated invariant. */
    public static Report run(MapBackend backend, MapType type, boolean noCommonLru, int maxEntries, int opsPerThread,
                             long seed) {
        int threads = backend.possibleCpus();
        MapSpec.Builder sb = MapSpec.builder(type).keySize(8).valueSize(8).maxEntries(maxEntries).name("lru_conc");
        if (noCommonLru) {
            sb.with(MapFlag.NO_COMMON_LRU);
        }
        long universe = 3L * maxEntries + 3;
        try (BpfMap map = backend.create(sb.build())) {
            List<Map<Long, Long>> models = new ArrayList<>();
            long[] evictions = new long[threads];
            long[][] enomems = new long[threads][1];
            long[][] recycleds = new long[threads][1];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Map<Long, Long> model = new HashMap<>();
                models.add(model);
                int cpu = t;
                Thread w = new Thread(() -> {
                    try {
                        backend.onCpu(cpu, () -> {
                            try (ProgramView view = map.programView(cpu)) {
                                start.await();
                                evictions[cpu] = work(map, view, cpu, threads, universe, opsPerThread,
                                        seed * 31 + cpu, model, enomems[cpu], recycleds[cpu]);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        start.reset();
                    }
                }, "lru-conc-cpu" + cpu);
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            if (failure.get() != null) {
                Throwable f = failure.get();
                while (f.getCause() != null && !(f instanceof AssertionError)) {
                    f = f.getCause();
                }
                throw new AssertionError("concurrent LRU invariant violated on " + backend.name() + ", " + map.type()
                        + (noCommonLru ? " NO_COMMON_LRU" : " common") + " max_entries " + maxEntries + " (seed "
                        + seed + "): " + f.getMessage(), failure.get());
            }
            int survivors = backend.onCpu(0, () -> checkFinal(map, threads, universe, models));
            long ev = 0;
            long nomem = 0;
            long rec = 0;
            for (int t = 0; t < threads; t++) {
                ev += evictions[t];
                nomem += enomems[t][0];
                rec += recycleds[t][0];
            }
            return new Report((long) threads * opsPerThread, ev, nomem, rec, survivors, map.maxEntries());
        }
    }

    private static byte[] key(long k) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(k).array();
    }

    private static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(off);
    }

    private static byte[] value(BpfMap map, long v) {
        ByteBuffer b = ByteBuffer.allocate(map.valueBufferSize()).order(ByteOrder.nativeOrder());
        for (int i = 0; b.remaining() >= 8; i++) {
            b.putLong(v + i);
        }
        return b.array();
    }

    /**
     * Checks a syscall value buffer against the thread's last write of the key. While other CPUs run
     * ({@code concurrent}), a value that is not that write but, slot by slot, some write of another key is a
     * recycled element: the kernel reuses a preallocated LRU element as soon as it is evicted (no RCU grace period),
     * so a lookup that found the key can copy the value of the key the element was reused for. Returns whether the
     * value was a recycled one; anything else throws.
     */
    private static boolean checkValue(BpfMap map, long k, byte[] got, Long expected, String what, boolean concurrent,
                                      int threads, long universe) {
        if (expected == null) {
            throw new AssertionError(what + ": key " + k + " found but its thread last deleted it or never wrote it"
                    + " (value " + describe(u64(got, 0)) + ")");
        }
        boolean exact = true;
        boolean plausible = true;
        for (int i = 0; i < got.length / 8; i++) {
            long slot = u64(got, i * 8);
            exact &= slot == expected + i;
            plausible &= isSomeWrite(slot - i, threads, universe);
        }
        if (exact) {
            return false;
        }
        if (concurrent && plausible) {
            return true;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < got.length / 8; i++) {
            sb.append(i == 0 ? "" : ", ").append(describe(u64(got, i * 8) - i));
        }
        throw new AssertionError(what + ": key " + k + " holds [" + sb + "] (slot i shown minus i), its thread's last"
                + " write was " + describe(expected) + (concurrent ? " and that is no write of any key" : ""));
    }

    /** A value as written: {@code key << 32 | writer cpu << 24 | sequence}. */
    private static long encode(long key, int cpu, long seq) {
        return (key << 32) | ((long) cpu << 24) | (seq & 0xffffff);
    }

    private static boolean isSomeWrite(long w, int threads, long universe) {
        long key = w >>> 32;
        long cpu = (w >>> 24) & 0xff;
        long seq = w & 0xffffff;
        // work() draws keys as (n % (universe / threads + 1)) * threads + cpu, so they reach past universe
        return key < (universe / threads + 1) * threads && cpu < threads && key % threads == cpu && seq > 0;
    }

    private static String describe(long w) {
        return "key " + (w >>> 32) + "/cpu " + ((w >>> 24) & 0xff) + "/#" + (w & 0xffffff);
    }

    private static final int ENOMEM = 12;

    private static long work(BpfMap map, ProgramView view, int cpu, int threads, long universe, int ops, long seed,
                             Map<Long, Long> model, long[] enomem, long[] recycled) {
        Random r = new Random(seed);
        long seq = 0;
        long evictions = 0;
        byte[] v = new byte[map.valueBufferSize()];
        byte[] pv = new byte[map.valueSize()];
        for (int i = 0; i < ops; i++) {
            long k = (r.nextLong() & Long.MAX_VALUE) % (universe / threads + 1) * threads + cpu;
            Long mine = model.get(k);
            int p = r.nextInt(100);
            String what = "cpu " + cpu + " op " + i;
            if (p < 45) {
                int f = r.nextInt(10);
                long flags = f < 6 ? UpdateFlags.ANY : f < 8 ? UpdateFlags.NOEXIST : UpdateFlags.EXIST;
                long val = encode(k, cpu, ++seq);
                try {
                    map.update(key(k), value(map, val), flags);
                    if (flags == UpdateFlags.EXIST && mine == null) {
                        throw new AssertionError(what + ": EXIST update of key " + k + " succeeded but the key was"
                                + " absent (only this thread writes it)");
                    }
                    model.put(k, val);
                } catch (BpfException e) {
                    if (e.errno() == ENOMEM) {
                        // the kernel found no node it could take: every candidate was in flight on another CPU
                        // (popped, not yet linked into the table, so neither evictable nor stealable); the key keeps
                        // its previous state (or was evicted meanwhile), as the update failed before touching it
                        enomem[0]++;
                        continue;
                    }
                    if (flags == UpdateFlags.NOEXIST && e.errno() == 17 && mine != null) {
                        continue;
                    }
                    if (flags == UpdateFlags.EXIST && e.errno() == 2) {
                        evictions += mine != null ? 1 : 0;
                        model.remove(k);
                        continue;
                    }
                    throw new AssertionError(what + ": update of key " + k + " flags " + UpdateFlags.describe(flags)
                            + " failed with errno " + e.errno() + " (thread's model: "
                            + (mine == null ? "absent" : "present") + ")", e);
                }
            } else if (p < 65) {
                if (view.lookup(key(k), pv)) {
                    // the program sees its own CPU's slot: the value + cpu for per-CPU maps
                    byte[] asSlot0 = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                            .putLong(0, u64(pv, 0) - (map.type().isPerCpu() ? cpu : 0)).array();
                    recycled[0] += checkValue(map, k, asSlot0, mine, what + " program lookup", true, threads,
                            universe) ? 1 : 0;
                } else if (mine != null) {
                    evictions++;
                    model.remove(k);
                }
            } else if (p < 80) {
                if (map.lookup(key(k), v)) {
                    recycled[0] += checkValue(map, k, v, mine, what + " syscall lookup", true, threads, universe)
                            ? 1 : 0;
                } else if (mine != null) {
                    evictions++;
                    model.remove(k);
                }
            } else {
                boolean deleted = map.delete(key(k));
                if (deleted && mine == null) {
                    throw new AssertionError(what + ": delete of key " + k + " found it, but this thread had not"
                            + " written it since its last delete");
                }
                if (!deleted && mine != null) {
                    evictions++;
                }
                model.remove(k);
            }
        }
        return evictions;
    }

    private static int checkFinal(BpfMap map, int threads, long universe, List<Map<Long, Long>> models) {
        Set<Long> seen = new HashSet<>();
        byte[] cur = null;
        byte[] next = new byte[8];
        byte[] v = new byte[map.valueBufferSize()];
        while (map.nextKey(cur, next)) {
            long k = u64(next, 0);
            if (!seen.add(k)) {
                throw new AssertionError("get_next_key walk after the join visited key " + k + " twice");
            }
            if (seen.size() > map.maxEntries()) {
                throw new AssertionError("more live keys than max_entries " + map.maxEntries() + ": " + seen);
            }
            if (!map.lookup(next, v)) {
                throw new AssertionError("walked key " + k + " cannot be looked up");
            }
            checkValue(map, k, v, models.get((int) (k % threads)).get(k), "after the join", false, threads, universe);
            cur = next.clone();
        }
        return seen.size();
    }
}
