package org.bpfmaps.conformance.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * Concurrency stress for one map type on one backend: several threads, each running a random mix of operations,
 * and an invariant checker that asserts only what the kernel guarantees.
 *
 * <p><b>What is checked.</b>
 * <ul>
 *   <li><i>No lost update.</i> Each thread owns a disjoint range of keys and is their only writer, so a read of
 *       an own key by its owner returns exactly the value the owner last wrote (or a miss after its delete), and
 *       at the end, with the threads stopped, every own key holds its owner's last value.</li>
 *   <li><i>Hand-off.</i> Hash tables: shared keys are inserted with {@code NOEXIST} carrying a unique token and
 *       taken with {@code lookupAndDelete} by any thread; every inserted token is taken exactly once (during the
 *       run or by the final drain). Queues: every pushed token is popped exactly once.</li>
 *   <li><i>Nothing unwritten appears.</i> Every key iteration yields is one of the keys the threads use, and every
 *       value read carries the tag of a thread that exists.</li>
 *   <li><i>Iteration terminates.</i> A {@code nextKey} walk from the first key during concurrent change ends
 *       within a bound of steps (a walk restarts from the first key when its current key was deleted, so the
 *       bound is generous: 64 x max_entries + 1000).</li>
 * </ul>
 *
 * <p><b>What is not demanded.</b> The kernel copies ARRAY and per-CPU values with plain memory copies and no lock,
 * and recycles preallocated hash elements at once (a syscall lookup copying an element can race with its reuse),
 * so a value read from a key another thread is writing may be torn: a mix of two writes. On the kernel, reads of
 * keys other threads write are therefore checked byte-wise only (each 8-byte word's thread field names a real
 * thread, or the word is zero for never-written array slots). The simulator promises atomic elements, so there
 * every value read must be one complete write, checked by a per-key checksum word. LRU maps may evict: an own key
 * may vanish and a shared token may be lost to eviction, but whatever is read must still be the last value
 * written, and no token may be taken twice.
 */
public final class ConcurrencyStress {
    /** Keys each thread owns. */
    static final int OWN = 32;
    /** Keys all threads share. */
    static final int SHARED = 32;
    private static final long DELETED = -1;
    private static final long NEVER = 0;

    /** The figures of one run. */
    public record Report(String backend, MapType type, int threads, int opsPerThread, long nanos, long walks,
                         long walkSteps, long handedOff, long evicted) {
        @Override
        public String toString() {
            return String.format("concurrency %s %s: %d threads x %d ops = %d ops in %.2f s (%.2f us/op/thread); "
                            + "%d walks (%d steps), %d tokens handed off exactly once%s", backend, type, threads,
                    opsPerThread, (long) threads * opsPerThread, nanos / 1e9,
                    nanos / 1e3 / opsPerThread, walks, walkSteps, handedOff,
                    evicted > 0 ? ", " + evicted + " lost to LRU eviction" : "");
        }
    }

    private final MapBackend backend;
    private final MapType type;
    private final int threads;
    private final int opsPerThread;
    private final boolean atomicValues;
    private final int valueSize = 16;
    private BpfMap map;
    private int universe;
    /** Highest sequence number each thread has used, for checking tags read by others. */
    private AtomicLongArray maxSeq;
    private final AtomicLong walks = new AtomicLong();
    private final AtomicLong walkSteps = new AtomicLong();
    /** Tokens inserted or pushed, and tokens taken or popped, with how often. */
    private final Map<Long, Integer> given = new ConcurrentHashMap<>();
    private final Map<Long, Integer> taken = new ConcurrentHashMap<>();

    private ConcurrencyStress(MapBackend backend, MapType type, int threads, int opsPerThread) {
        this.backend = backend;
        this.type = type;
        this.threads = threads;
        this.opsPerThread = opsPerThread;
        this.atomicValues = !backend.name().equals("linux");
    }

    /** Whether {@link #run} covers {@code type}. */
    public static boolean covers(MapType type) {
        return switch (type) {
            case HASH, PERCPU_HASH, LRU_HASH, ARRAY, PERCPU_ARRAY, LPM_TRIE, QUEUE -> true;
            default -> false;
        };
    }

    /** Runs {@code threads} x {@code opsPerThread} mixed operations on a fresh map and checks the invariants. */
    public static Report run(MapBackend backend, MapType type, int threads, int opsPerThread) throws Exception {
        return new ConcurrencyStress(backend, type, threads, opsPerThread).run();
    }

    private MapSpec spec() {
        universe = threads * OWN + SHARED;
        MapSpec.Builder b = MapSpec.builder(type).keySize(4).valueSize(valueSize).name("stress");
        return switch (type) {
            case HASH, PERCPU_HASH -> b.maxEntries(universe + 64).build();
            case LRU_HASH -> b.maxEntries(4096).build();
            case ARRAY, PERCPU_ARRAY -> b.maxEntries(universe).build();
            case LPM_TRIE -> b.keySize(8).maxEntries(universe + 64).flags(MapFlag.NO_PREALLOC).build();
            case QUEUE -> b.keySize(0).maxEntries(64).build();
            default -> throw new IllegalArgumentException(type + " is not covered");
        };
    }

    private Report run() throws Exception {
        map = backend.create(spec());
        maxSeq = new AtomicLongArray(threads);
        try {
            List<Worker> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(new Worker(t));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
            for (Worker w : workers) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        w.loop();
                    } catch (Throwable e) {
                        errors.put(w.id, e);
                    }
                }, "stress-" + type + "-" + w.id);
                th.start();
                ts.add(th);
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread th : ts) {
                th.join();
            }
            long nanos = System.nanoTime() - t0;
            if (!errors.isEmpty()) {
                Throwable first = errors.values().iterator().next();
                throw new AssertionError(backend.name() + " " + type + ": " + errors.size() + " of " + threads
                        + " threads failed; first: " + first, first);
            }
            long evicted = finalCheck(workers);
            return new Report(backend.name(), type, threads, opsPerThread, nanos, walks.get(), walkSteps.get(),
                    taken.size(), evicted);
        } finally {
            map.close();
        }
    }

    // ---- encoding -----------------------------------------------------------------------------------

    private static long tag(int thread, long seq) {
        return ((long) (thread + 1) << 48) | seq;
    }

    private static long check(long tag, int key) {
        return ~tag ^ (key * 0x9E3779B97F4A7C15L);
    }

    private byte[] key(int k) {
        if (type == MapType.QUEUE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(map.keySize()).order(ByteOrder.nativeOrder());
        if (type == MapType.LPM_TRIE) {
            b.putInt(32);
            b.order(ByteOrder.BIG_ENDIAN).putInt(k + 1);
        } else {
            b.putInt(k);
        }
        return b.array();
    }

    private int keyId(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        if (type == MapType.LPM_TRIE) {
            if (b.getInt(0) != 32) {
                return -1;
            }
            return b.order(ByteOrder.BIG_ENDIAN).getInt(4) - 1;
        }
        return b.getInt(0);
    }

    private byte[] value(long tag, int key) {
        ByteBuffer b = ByteBuffer.allocate(map.valueBufferSize()).order(ByteOrder.nativeOrder());
        for (int slot = 0; slot < map.valueBufferSize() / valueSize; slot++) {
            b.putLong(tag).putLong(check(tag, key));
        }
        return b.array();
    }

    /** The tag of a value read back; fails when the value cannot have been written (see the class comment). */
    private long decode(byte[] v, int key, boolean exact, String where) {
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
        long first = b.getLong(0);
        for (int slot = 0; slot < v.length / valueSize; slot++) {
            long tag = b.getLong(slot * valueSize);
            long chk = b.getLong(slot * valueSize + 8);
            if (exact || atomicValues) {
                boolean zero = tag == 0 && chk == 0 && type.isArray();
                if (!zero && (chk != check(tag, key) || !validTag(tag) || (exact && tag != first))) {
                    throw new AssertionError(where + ": key " + key + " slot " + slot + " holds a value no thread "
                            + "wrote in one piece: tag 0x" + Long.toHexString(tag) + " check 0x"
                            + Long.toHexString(chk));
                }
            } else {
                if (tag != 0 && !validThreadField(tag)) {
                    throw new AssertionError(where + ": key " + key + " slot " + slot + " tag 0x"
                            + Long.toHexString(tag) + " names no thread");
                }
            }
        }
        return first;
    }

    private boolean validThreadField(long tag) {
        int thread = (int) (tag >>> 48);
        return thread >= 1 && thread <= threads;
    }

    private boolean validTag(long tag) {
        if (!validThreadField(tag)) {
            return false;
        }
        long seq = tag & ((1L << 48) - 1);
        return seq >= 1 && seq <= maxSeq.get((int) (tag >>> 48) - 1);
    }

    // ---- workers ------------------------------------------------------------------------------------

    private boolean hasKeys() {
        return type != MapType.QUEUE;
    }

    private boolean deletes() {
        return !type.isArray() && hasKeys();
    }

    private boolean handsOff() {
        return type == MapType.HASH || type == MapType.PERCPU_HASH || type == MapType.LRU_HASH;
    }

    private final class Worker {
        final int id;
        final long[] last = new long[OWN];
        long seq;
        final SplittableRandom random;

        Worker(int id) {
            this.id = id;
            this.random = new SplittableRandom(0x5EED + id * 7919L);
        }

        long nextTag() {
            seq++;
            maxSeq.set(id, seq);
            return tag(id, seq);
        }

        void loop() {
            int done = 0;
            byte[] out = new byte[map.valueBufferSize()];
            while (done < opsPerThread) {
                int r = random.nextInt(1000);
                if (type == MapType.QUEUE) {
                    queueOp(r, out);
                    done++;
                    continue;
                }
                if (r < 2 && hasKeys()) {
                    done += walk();
                    continue;
                }
                int i = random.nextInt(OWN);
                int k = id * OWN + i;
                if (r < 400) {
                    long tag = nextTag();
                    map.update(key(k), value(tag, k), 0);
                    last[i] = tag;
                } else if (r < 650) {
                    boolean found = map.lookup(key(k), out);
                    checkOwn(k, i, found, out, "lookup of own key");
                } else if (r < 750 && deletes()) {
                    boolean deleted = map.delete(key(k));
                    if (last[i] != NEVER && last[i] != DELETED && !deleted && type != MapType.LRU_HASH) {
                        throw new AssertionError(type + ": own key " + k + " vanished before its delete");
                    }
                    if (last[i] == DELETED && deleted) {
                        throw new AssertionError(type + ": own key " + k + " deleted twice");
                    }
                    last[i] = DELETED;
                } else if (r < 900) {
                    sharedOp(out);
                } else {
                    int other = random.nextInt(universe);
                    if (map.lookup(key(other), out)) {
                        decode(out, other, false, "lookup of key " + other);
                    } else if (type.isArray()) {
                        throw new AssertionError(type + ": index " + other + " missing");
                    }
                }
                done++;
            }
        }

        void checkOwn(int k, int i, boolean found, byte[] out, String where) {
            long want = last[i];
            if (type.isArray()) {
                if (!found) {
                    throw new AssertionError(type + ": " + where + ": index " + k + " missing");
                }
                long got = decode(out, k, true, where);
                if (got != (want == NEVER ? 0 : want)) {
                    throw lost(k, want, got, where);
                }
                return;
            }
            if (want == NEVER || want == DELETED) {
                if (found) {
                    throw new AssertionError(type + ": " + where + ": key " + k + " found though its only writer "
                            + (want == NEVER ? "never wrote it" : "deleted it"));
                }
                return;
            }
            if (!found) {
                if (type == MapType.LRU_HASH) {
                    return; // evicted
                }
                throw lost(k, want, 0, where);
            }
            long got = decode(out, k, true, where);
            if (got != want) {
                throw lost(k, want, got, where);
            }
        }

        AssertionError lost(int k, long want, long got, String where) {
            return new AssertionError(backend.name() + " " + type + ": lost update (" + where + "): key " + k
                    + " should hold tag 0x" + Long.toHexString(want) + ", holds 0x" + Long.toHexString(got));
        }

        void sharedOp(byte[] out) {
            int s = threads * OWN + random.nextInt(SHARED);
            if (handsOff()) {
                if (random.nextBoolean()) {
                    long tag = nextTag();
                    try {
                        map.update(key(s), value(tag, s), 1 /* NOEXIST */);
                        given.merge(tag, 1, Integer::sum);
                    } catch (AlreadyExistsException e) {
                        // someone else's token is waiting there
                    }
                } else if (map.lookupAndDelete(key(s), out)) {
                    long tag = decode(out, s, true, "lookupAndDelete of shared key " + s);
                    if (taken.merge(tag, 1, Integer::sum) > 1) {
                        throw new AssertionError(type + ": token 0x" + Long.toHexString(tag) + " taken twice");
                    }
                }
            } else if (type.isArray()) {
                if (random.nextBoolean()) {
                    map.update(key(s), value(nextTag(), s), 0);
                } else if (map.lookup(key(s), out)) {
                    decode(out, s, false, "lookup of shared index " + s);
                }
            } else if (map.lookup(key(s), out)) {
                decode(out, s, false, "lookup of shared key " + s);
            }
        }

        void queueOp(int r, byte[] out) {
            if (r < 500) {
                long tag = nextTag();
                try {
                    map.update(null, value(tag, 0), 0);
                    given.merge(tag, 1, Integer::sum);
                } catch (MapFullException e) {
                    // full: the token was never pushed
                }
            } else if (map.lookupAndDelete(null, out)) {
                long tag = decode(out, 0, true, "pop");
                if (taken.merge(tag, 1, Integer::sum) > 1) {
                    throw new AssertionError("QUEUE: token 0x" + Long.toHexString(tag) + " popped twice");
                }
            }
        }

        /** One nextKey walk from the first key; returns the calls it made. */
        int walk() {
            int limit = 64 * map.maxEntries() + 1000;
            byte[] cur = null;
            byte[] next = new byte[map.keySize()];
            int steps = 0;
            while (map.nextKey(cur, next)) {
                steps++;
                int k = keyId(next);
                if (k < 0 || k >= universe) {
                    throw new AssertionError(backend.name() + " " + type + ": iteration returned key "
                            + org.bpfmaps.conformance.Bytes.hex(next) + ", which no thread ever wrote");
                }
                if (steps > limit) {
                    throw new AssertionError(backend.name() + " " + type + ": iteration did not end within "
                            + limit + " steps");
                }
                cur = next.clone();
            }
            walks.incrementAndGet();
            walkSteps.addAndGet(steps + 1);
            return steps + 1;
        }
    }

    // ---- final check --------------------------------------------------------------------------------

    private long finalCheck(List<Worker> workers) {
        byte[] out = new byte[map.valueBufferSize()];
        if (hasKeys()) {
            for (Worker w : workers) {
                for (int i = 0; i < OWN; i++) {
                    int k = w.id * OWN + i;
                    w.checkOwn(k, i, map.lookup(key(k), out), out, "final read");
                }
            }
            workers.get(0).walk();
        }
        // drain what is left of the hand-off
        if (handsOff()) {
            for (int s = threads * OWN; s < universe; s++) {
                if (map.lookupAndDelete(key(s), out)) {
                    taken.merge(decode(out, s, true, "drain"), 1, Integer::sum);
                }
            }
        } else if (type == MapType.QUEUE) {
            while (map.lookupAndDelete(null, out)) {
                taken.merge(decode(out, 0, true, "drain"), 1, Integer::sum);
            }
        } else {
            return 0;
        }
        long evicted = 0;
        Map<Long, Integer> twice = new HashMap<>();
        taken.forEach((t, n) -> {
            if (n != 1 || !given.containsKey(t)) {
                twice.put(t, n);
            }
        });
        if (!twice.isEmpty()) {
            throw new AssertionError(backend.name() + " " + type + ": tokens taken more than once or never given: "
                    + twice.size());
        }
        for (Long t : given.keySet()) {
            if (!taken.containsKey(t)) {
                if (type == MapType.LRU_HASH) {
                    evicted++;
                } else {
                    throw new AssertionError(backend.name() + " " + type + ": token 0x" + Long.toHexString(t)
                            + " was given but never taken (" + (given.size() - taken.size()) + " lost)");
                }
            }
        }
        return evicted;
    }
}
