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
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
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
 *
 * <p><b>LRU_PERCPU_HASH</b> runs with fewer entries than keys ({@link #LRU_PERCPU_ENTRIES} for 160 keys), so it
 * evicts all the time, with each thread's calls issued from CPU {@code thread % cpus} (linux: the thread is
 * pinned there; simulator: the calls are attributed to it), so the common LRU's per-CPU free lists, refills and
 * steals all take part. Across CPUs the kernel's survivors depend on the interleaving, so only these hold:
 * <ul>
 *   <li>after the threads stop, a walk visits no key twice and at most {@code max_entries} keys (an LRU map has
 *       no spare elements, so there is no per-CPU slack), and every surviving own key holds its owner's last
 *       write exactly;</li>
 *   <li>during the run an own key is missing (evicted) or holds its owner's last write; on the kernel it may
 *       also hold a <i>recycled</i> value: an evicted element is reused at once, so a lookup racing with the
 *       eviction copies (part of) another key's value. Such reads are counted, and each word must still name a
 *       real thread; the simulator locks each element and must have none;</li>
 *   <li>a shared token is taken at most once ({@code lookupAndDelete} copies under the bucket lock, so even on
 *       the kernel it is exact); tokens never taken were evicted;</li>
 *   <li>the only failures are the documented ones: {@code EEXIST} for a {@code NOEXIST} insert, and on the kernel
 *       {@code ENOMEM} for an update that found every free node in flight on another CPU (counted; the key keeps
 *       its previous state).</li>
 * </ul>
 *
 * <p><b>STACK</b> is run like QUEUE (every pushed token popped exactly once, whatever the order).
 * <b>BLOOM_FILTER</b>: threads push their own tokens and test them and others' concurrently; a token whose push
 * returned must test present from then on, for every thread (no false negative under concurrent pushes), and a
 * final pass tests every pushed token again.
 */
public final class ConcurrencyStress {
    /** Keys each thread owns. */
    static final int OWN = 32;
    /** Keys all threads share. */
    static final int SHARED = 32;
    /** max_entries of the LRU_PERCPU_HASH run: fewer than the keys, so it evicts throughout. */
    static final int LRU_PERCPU_ENTRIES = 96;
    private static final long DELETED = -1;
    private static final long NEVER = 0;

    /** The figures of one run. */
    public record Report(String backend, MapType type, int threads, int opsPerThread, long nanos, long walks,
                         long walkSteps, long handedOff, long evicted, long recycledReads, long enomemUpdates,
                         long bloomChecks) {
        @Override
        public String toString() {
            return String.format("concurrency %s %s: %d threads x %d ops = %d ops in %.2f s (%.2f us/op/thread); "
                            + "%d walks (%d steps), %d tokens handed off exactly once%s%s%s%s", backend, type,
                    threads, opsPerThread, (long) threads * opsPerThread, nanos / 1e9,
                    nanos / 1e3 / opsPerThread, walks, walkSteps, handedOff,
                    evicted > 0 ? ", " + evicted + " lost to LRU eviction" : "",
                    recycledReads > 0 ? ", " + recycledReads + " recycled reads" : "",
                    enomemUpdates > 0 ? ", " + enomemUpdates + " ENOMEM updates" : "",
                    bloomChecks > 0 ? ", " + bloomChecks + " bloom tests of pushed tokens" : "");
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
    private final AtomicLong recycledReads = new AtomicLong();
    private final AtomicLong enomemUpdates = new AtomicLong();
    private final AtomicLong bloomChecks = new AtomicLong();
    private int cpus;
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
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, ARRAY, PERCPU_ARRAY, LPM_TRIE, QUEUE, STACK,
                    BLOOM_FILTER -> true;
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
            case LRU_PERCPU_HASH -> b.maxEntries(LRU_PERCPU_ENTRIES).build();
            case ARRAY, PERCPU_ARRAY -> b.maxEntries(universe).build();
            case LPM_TRIE -> b.keySize(8).maxEntries(universe + 64).flags(MapFlag.NO_PREALLOC).build();
            case QUEUE, STACK -> b.keySize(0).maxEntries(64).build();
            case BLOOM_FILTER -> b.keySize(0).maxEntries(threads * (opsPerThread / 2 + 1)).build();
            default -> throw new IllegalArgumentException(type + " is not covered");
        };
    }

    private Report run() throws Exception {
        map = backend.create(spec());
        maxSeq = new AtomicLongArray(threads);
        cpus = backend.possibleCpus();
        try {
            List<Worker> workers = new ArrayList<>();
            published = new AtomicIntegerArray(threads);
            for (int t = 0; t < threads; t++) {
                workers.add(new Worker(t));
            }
            all = workers;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
            for (Worker w : workers) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        if (pinned()) {
                            backend.onCpu(w.id % cpus, w::loop);
                        } else {
                            w.loop();
                        }
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
            if (atomicValues && recycledReads.get() + enomemUpdates.get() > 0) {
                throw new AssertionError(backend.name() + " " + type + ": " + recycledReads + " recycled reads and "
                        + enomemUpdates + " ENOMEM updates; each call is atomic here, so there must be none");
            }
            return new Report(backend.name(), type, threads, opsPerThread, nanos, walks.get(), walkSteps.get(),
                    taken.size(), evicted, recycledReads.get(), enomemUpdates.get(), bloomChecks.get());
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
        if (!hasKeys()) {
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

    /** Bloom filter: how many of each thread's pushed tokens the others may test (published after the push). */
    private AtomicIntegerArray published;
    private List<Worker> all;

    /**
     * An update; {@code false} when the kernel answered ENOMEM on an LRU map (documented: every free node was in
     * flight on another CPU; the key keeps its previous state).
     */
    private boolean update(byte[] key, byte[] value, long flags) {
        try {
            map.update(key, value, flags);
            return true;
        } catch (BpfException e) {
            if (isLru() && e.errno() == Errno.ENOMEM.number() && !atomicValues) {
                enomemUpdates.incrementAndGet();
                return false;
            }
            throw e;
        }
    }

    /** Whether {@code v} is exactly the value written with {@code tag} for {@code key}. */
    private boolean sameValue(byte[] v, long tag, int key) {
        return java.util.Arrays.equals(v, value(tag, key));
    }

    private boolean hasKeys() {
        return !isQueue() && type != MapType.BLOOM_FILTER;
    }

    private boolean isQueue() {
        return type == MapType.QUEUE || type == MapType.STACK;
    }

    private boolean isLru() {
        return type == MapType.LRU_HASH || type == MapType.LRU_PERCPU_HASH;
    }

    /** Whether each worker issues its calls from one CPU ({@code id % cpus}). */
    private boolean pinned() {
        return type == MapType.LRU_PERCPU_HASH;
    }

    private boolean deletes() {
        return !type.isArray() && hasKeys();
    }

    private boolean handsOff() {
        return type == MapType.HASH || type == MapType.PERCPU_HASH || isLru();
    }

    private final class Worker {
        final int id;
        final long[] last = new long[OWN];
        long seq;
        final SplittableRandom random;
        /** Bloom filter: tokens this thread pushed; the first {@code published[id]} are visible to others. */
        final long[] pushed;
        int pushedCount;

        Worker(int id) {
            this.id = id;
            this.random = new SplittableRandom(0x5EED + id * 7919L);
            this.pushed = type == MapType.BLOOM_FILTER ? new long[opsPerThread] : null;
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
                if (type == MapType.BLOOM_FILTER) {
                    bloomOp(r);
                    done++;
                    continue;
                }
                if (isQueue()) {
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
                    if (update(key(k), value(tag, k), 0)) {
                        last[i] = tag;
                    }
                } else if (r < 650) {
                    boolean found = map.lookup(key(k), out);
                    checkOwn(k, i, found, out, "lookup of own key");
                } else if (r < 750 && deletes()) {
                    boolean deleted = map.delete(key(k));
                    if (last[i] != NEVER && last[i] != DELETED && !deleted && !isLru()) {
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
                if (isLru()) {
                    return; // evicted
                }
                throw lost(k, want, 0, where);
            }
            if (type == MapType.LRU_PERCPU_HASH && !atomicValues && !where.equals("final read")
                    && !sameValue(out, want, k)) {
                decode(out, k, false, where); // each word must still name a real thread
                recycledReads.incrementAndGet();
                return;
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
                        if (update(key(s), value(tag, s), 1 /* NOEXIST */)) {
                            given.merge(tag, 1, Integer::sum);
                        }
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
                    throw new AssertionError(type + ": token 0x" + Long.toHexString(tag) + " popped twice");
                }
            }
        }

        /**
         * Bloom filter: push an own token (remembered once the push returned), test an own or another thread's
         * published token (must be present), or test a token never pushed (any answer).
         */
        void bloomOp(int r) {
            if (r < 400 || pushedCount == 0) {
                long tag = nextTag();
                map.update(null, value(tag, 0), 0);
                pushed[pushedCount] = tag;
                published.set(id, ++pushedCount);
                return;
            }
            if (r < 900) {
                int t = r < 650 ? id : random.nextInt(threads);
                Worker w = t == id ? this : all.get(t);
                int n = t == id ? pushedCount : published.get(t);
                if (n == 0) {
                    return;
                }
                long tag = w.pushed[random.nextInt(n)];
                if (!map.lookup(null, value(tag, 0))) {
                    throw new AssertionError(backend.name() + " BLOOM_FILTER: token 0x" + Long.toHexString(tag)
                            + " of thread " + t + " was pushed but tests absent (false negative)");
                }
                bloomChecks.incrementAndGet();
                return;
            }
            map.lookup(null, value(tag(id, (1L << 47) + random.nextInt(1 << 20)), 0)); // never pushed: any answer
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
        if (type == MapType.BLOOM_FILTER) {
            for (Worker w : workers) {
                for (int i = 0; i < w.pushedCount; i++) {
                    if (!map.lookup(null, value(w.pushed[i], 0))) {
                        throw new AssertionError(backend.name() + " BLOOM_FILTER: token 0x"
                                + Long.toHexString(w.pushed[i]) + " tests absent after the run (false negative)");
                    }
                }
                bloomChecks.addAndGet(w.pushedCount);
            }
            return 0;
        }
        if (hasKeys()) {
            for (Worker w : workers) {
                for (int i = 0; i < OWN; i++) {
                    int k = w.id * OWN + i;
                    w.checkOwn(k, i, map.lookup(key(k), out), out, "final read");
                }
            }
            workers.get(0).walk();
            if (isLru()) {
                checkLruSize();
            }
        }
        // drain what is left of the hand-off
        if (handsOff()) {
            for (int s = threads * OWN; s < universe; s++) {
                if (map.lookupAndDelete(key(s), out)) {
                    taken.merge(decode(out, s, true, "drain"), 1, Integer::sum);
                }
            }
        } else if (isQueue()) {
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
                if (isLru()) {
                    evicted++;
                } else {
                    throw new AssertionError(backend.name() + " " + type + ": token 0x" + Long.toHexString(t)
                            + " was given but never taken (" + (given.size() - taken.size()) + " lost)");
                }
            }
        }
        return evicted;
    }

    /** With nothing running: no key twice in a walk, and no more keys than max_entries (LRU has no spares). */
    private void checkLruSize() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        byte[] cur = null;
        byte[] next = new byte[map.keySize()];
        while (map.nextKey(cur, next)) {
            if (!seen.add(keyId(next))) {
                throw new AssertionError(backend.name() + " " + type + ": a walk with nothing running visited key "
                        + keyId(next) + " twice");
            }
            cur = next.clone();
        }
        int max = map.info().maxEntries();
        if (seen.size() > max) {
            throw new AssertionError(backend.name() + " " + type + ": " + seen.size() + " keys survive in a map of "
                    + max + " entries");
        }
    }
}
