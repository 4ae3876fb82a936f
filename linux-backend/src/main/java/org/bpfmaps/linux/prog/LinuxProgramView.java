package org.bpfmaps.linux.prog;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.linux.prog.HelperPrograms.Kind;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.ProgLoadAttr;
import org.bpfmaps.linux.sys.ProgTestRunAttr;

/**
 * Program view of a kernel map: each helper call is made by a real BPF program, run once with
 * {@code BPF_PROG_TEST_RUN} on the chosen CPU.
 *
 * <p><b>Programs.</b> {@code BPF_PROG_TYPE_RAW_TRACEPOINT} programs, the only type that accepts
 * {@code BPF_F_TEST_RUN_ON_CPU} on 6.18; they run non-sleepable, so every map type's helpers are allowed
 * (sleepable {@code SYSCALL} programs cannot touch LPM tries or bloom filters). Bytecode is built by
 * {@link HelperPrograms} with {@link BpfAsm}; the target map is referenced by fd
 * ({@code BPF_PSEUDO_MAP_FD}), so a loaded program holds its own reference to the map. Each kind of program
 * (lookup, update, delete, push, pop, peek, ring buffer output/query) is loaded on first use and cached. Ring
 * buffer reservations need a size known at verification time, so reserve-submit and reserve-discard get one
 * program per record size, cached for the {@value #MAX_SIZED} most recently used sizes. A load the verifier
 * rejects (a helper the map type does not allow, a map created with {@code BPF_F_RDONLY_PROG}) fails with
 * the verifier's message in the exception.
 *
 * <p><b>Data path.</b> A raw tracepoint context holds at most 12 u64 arguments, too little for keys and
 * values, and user-space pointers are useless to a program (it may run by IPI on another CPU, in another
 * task's context). So each view owns a one-element {@code BPF_F_MMAPABLE} scratch {@code ARRAY}
 * ({@link ScratchMap}): Java writes the key and value into its memory mapping, the program looks the element
 * up, passes pointers into it to the helper (helpers accept map-value memory for keys and values), copies a
 * lookup's result back into it, and returns the helper's return value in r0, which the test run reports as
 * {@code retval}. Flags and lengths travel as context words. One call is therefore one {@code bpf()} system
 * call.
 *
 * <p><b>CPU.</b> Every run passes {@code BPF_F_TEST_RUN_ON_CPU} with the view's CPU. The kernel runs the
 * program at once when the caller is on that CPU, and otherwise sends it there by IPI, where it runs in
 * interrupt context; that is correct here because everything the program touches is kernel memory (the copied
 * context, the scratch map, the target map), and the map helpers behave the same in either context. By
 * default the view therefore leaves the caller's affinity alone. Measured on the 2-CPU 6.18 VM
 * ({@code ProgramViewCostTest}): a run on the caller's CPU costs about 1.3 us (a syscall lookup 1.1 us), an
 * IPI run 6-20 us, while pinning the thread there and back ({@code sched_setaffinity} twice, migrating each
 * time) costs 50-140 us. With system property {@code bpfmaps.programView.pin=true} the view instead
 * pins the calling thread to the CPU for each call that starts elsewhere and restores its mask afterwards
 * ({@link CpuAffinity}), so the program runs in the caller's own task as a tracepoint program usually does;
 * if pinning is refused (a cpuset without that CPU) the IPI path is used. Per-CPU maps: the helpers see the
 * running CPU's slot, so lookup returns and update writes {@code value_size} bytes of that CPU only.
 *
 * <p><b>Results.</b> {@code 0} is success; {@code -ENOENT} is a miss for lookup, delete, pop and peek; ring
 * buffer output and reserve report {@code -EAGAIN} (no room) as {@code false}; every other negative value
 * becomes {@code BpfException.of(PROGRAM_HELPER, errno, map)}. Records that can never fit in the ring
 * ({@code round_up(size + 8, 8) > ring size}) are answered {@code false} without a run, as the kernel would.
 *
 * <p><b>User ring buffer drain.</b> {@link #userRingbufDrain} runs a program whose {@code bpf_user_ringbuf_drain}
 * callback (a BPF subprogram, hence a small BTF object with {@code func_info}) appends each sample, length
 * prefixed, to the scratch element, which is grown to hold a whole ring; Java then hands out copies in order
 * ({@link DrainProgram}).
 *
 * <p>Calls are serialized per view (one scratch element). The view works on its own duplicate of the map's
 * descriptor, so closing the map cannot hand a reused descriptor number to a program load; calls on a view
 * whose map (or which itself) was closed fail with {@link MapClosedException}. {@link #close()} closes every
 * program, the scratch map and the duplicate; a {@link Cleaner} does the same if the view is dropped unclosed.
 * Map-in-map lookups report presence only: the helper returns an inner map, which a program cannot copy; update
 * and delete on a map-in-map fail with the verifier's {@code EINVAL}, as it allows programs only the lookup.
 */
public final class LinuxProgramView implements ProgramView {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final boolean PIN_DEFAULT = Boolean.getBoolean("bpfmaps.programView.pin");
    private static final int INITIAL_RINGBUF_DATA = 256;
    /** Most ring buffer reserve programs (one per record size) a view keeps loaded. */
    private static final int MAX_SIZED = 32;

    private final BpfMap map;
    /** The view's own duplicate of the map's descriptor, so a concurrent close of the map cannot race a load. */
    private final int mapFd;
    private final int cpu;
    private final String subject;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;
    private final NativeBuffer attr;
    private final NativeBuffer ctx;
    private final CpuAffinity affinity;
    private final boolean pin;
    private boolean closed;

    /** What must be released: programs, the scratch map, native buffers. Never references the view. */
    private static final class Resources implements Runnable {
        final Map<Kind, Integer> programs = new EnumMap<>(Kind.class);
        /** Ring buffer reserve programs by (kind, size), least recently used first; at most {@link #MAX_SIZED}. */
        final Map<Long, Integer> sizedPrograms = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
                if (size() > MAX_SIZED) {
                    BpfProgram.close(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
        ScratchMap scratch;
        /** The {@code bpf_user_ringbuf_drain} program and its BTF object, or -1 (see {@link DrainProgram}). */
        int drainProgram = -1;
        int drainBtf = -1;
        /** The view's own duplicate of the map's descriptor, or -1. */
        int mapFd = -1;
        final List<NativeBuffer> buffers = new ArrayList<>();
        CpuAffinity affinity;

        void closePrograms() {
            for (int fd : programs.values()) {
                BpfProgram.close(fd);
            }
            for (int fd : sizedPrograms.values()) {
                BpfProgram.close(fd);
            }
            programs.clear();
            sizedPrograms.clear();
            BpfProgram.close(drainProgram);
            drainProgram = -1;
            BpfProgram.close(drainBtf);
            drainBtf = -1;
        }

        @Override
        public synchronized void run() {
            closePrograms();
            if (scratch != null) {
                scratch.close();
                scratch = null;
            }
            BpfProgram.close(mapFd);
            mapFd = -1;
            for (NativeBuffer b : buffers) {
                b.free();
            }
            buffers.clear();
            if (affinity != null) {
                affinity.free();
                affinity = null;
            }
        }
    }

    private LinuxProgramView(BpfMap map, int mapFd, int cpu, boolean pin) {
        this.map = map;
        this.pin = pin;
        this.cpu = cpu;
        this.subject = map.toString();
        this.type = map.type();
        this.keySize = map.keySize();
        this.valueSize = map.valueSize();
        boolean ring = type == MapType.RINGBUF;
        Resources res = new Resources();
        try {
            int dup = Fcntl.dupCloexec(mapFd);
            if (dup < 0) {
                throw BpfException.of(BpfCommand.PROGRAM_HELPER, -dup, subject,
                        "duplicating the map's descriptor failed");
            }
            res.mapFd = dup;
            this.mapFd = dup;
            res.scratch = ScratchMap.create(keySize, ring ? INITIAL_RINGBUF_DATA : valueSize, subject);
            this.attr = new NativeBuffer(ProgTestRunAttr.SIZE);
            res.buffers.add(attr);
            this.ctx = new NativeBuffer(HelperPrograms.CTX_WORDS * 8);
            res.buffers.add(ctx);
            this.affinity = new CpuAffinity(Math.max(map.possibleCpus(), cpu + 1));
            res.affinity = affinity;
        } catch (RuntimeException e) {
            res.run();
            throw e;
        }
        this.resources = res;
        this.cleanable = CLEANER.register(this, res);
    }

    /**
     * Opens a program view of {@code map} (whose descriptor is {@code mapFd}) running on {@code cpu}.
     *
     * @throws BpfException {@code ENXIO} when {@code cpu} is not a possible CPU (as {@code BPF_PROG_TEST_RUN}
     *                      would answer), or the errno of creating the scratch map
     */
    public static ProgramView open(BpfMap map, int mapFd, int cpu) {
        return open(map, mapFd, cpu, PIN_DEFAULT);
    }

    /**
     * As {@link #open(BpfMap, int, int)}, choosing whether calls pin the calling thread to the CPU
     * ({@code false}: the kernel sends each run to the CPU by IPI when the thread is elsewhere).
     */
    static ProgramView open(BpfMap map, int mapFd, int cpu, boolean pin) {
        if (cpu < 0 || cpu >= map.possibleCpus()) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.ENXIO.number(), map.toString(),
                    "CPU " + cpu + " is not a possible CPU (0.." + (map.possibleCpus() - 1) + ")");
        }
        return new LinuxProgramView(map, mapFd, cpu, pin);
    }

    @Override
    public BpfMap map() {
        return map;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    // ---- element helpers ----

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        byte[] value = new byte[valueSize];
        return lookup(key, value) ? Optional.of(value) : Optional.empty();
    }

    @Override
    public synchronized boolean lookup(byte[] key, byte[] value) {
        ensureOpen();
        checkAccess(true, false, "bpf_map_lookup_elem");
        checkKey(key, "bpf_map_lookup_elem");
        checkLength("value", value, valueSize);
        ScratchMap s = scratch();
        s.putKey(key);
        boolean mapInMap = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        int r = run(mapInMap ? Kind.LOOKUP_PRESENCE : Kind.LOOKUP, 0, 0, 0);
        if (r == 0) {
            if (!mapInMap) {
                s.getData(value, valueSize);
            }
            return true;
        }
        if (r == -HelperPrograms.ENOENT) {
            return false;
        }
        throw failure(r, "bpf_map_lookup_elem");
    }

    @Override
    public synchronized void update(byte[] key, byte[] value, long flags) {
        ensureOpen();
        checkAccess(false, true, "bpf_map_update_elem");
        checkKey(key, "bpf_map_update_elem");
        checkLength("value", value, valueSize);
        ScratchMap s = scratch();
        s.putKey(key);
        s.putData(value);
        int r = run(Kind.UPDATE, 0, flags, 0);
        if (r != 0) {
            throw failure(r, "bpf_map_update_elem");
        }
    }

    @Override
    public synchronized boolean delete(byte[] key) {
        ensureOpen();
        checkAccess(false, true, "bpf_map_delete_elem");
        checkKey(key, "bpf_map_delete_elem");
        scratch().putKey(key);
        int r = run(Kind.DELETE, 0, 0, 0);
        if (r == 0) {
            return true;
        }
        if (r == -HelperPrograms.ENOENT) {
            return false;
        }
        throw failure(r, "bpf_map_delete_elem");
    }

    @Override
    public synchronized void push(byte[] value, long flags) {
        ensureOpen();
        checkAccess(false, true, "bpf_map_push_elem");
        checkLength("value", value, valueSize);
        scratch().putData(value);
        int r = run(Kind.PUSH, 0, flags, 0);
        if (r != 0) {
            throw failure(r, "bpf_map_push_elem");
        }
    }

    @Override
    public synchronized boolean pop(byte[] value) {
        return popOrPeek(Kind.POP, value, "bpf_map_pop_elem");
    }

    @Override
    public synchronized boolean peek(byte[] value) {
        return popOrPeek(Kind.PEEK, value, "bpf_map_peek_elem");
    }

    private boolean popOrPeek(Kind kind, byte[] value, String helper) {
        ensureOpen();
        checkAccess(true, kind == Kind.POP, helper);
        checkLength("value", value, valueSize);
        ScratchMap s = scratch();
        // A bloom filter's peek tests the value given; queue and stack overwrite it.
        s.putData(value);
        int r = run(kind, 0, 0, 0);
        if (r == 0) {
            if (type != MapType.BLOOM_FILTER) {
                s.getData(value, valueSize);
            }
            return true;
        }
        if (r == -HelperPrograms.ENOENT) {
            return false;
        }
        throw failure(r, helper);
    }

    // ---- ring buffer helpers ----

    @Override
    public synchronized boolean ringbufOutput(byte[] data, long flags) {
        ensureOpen();
        checkAccess(false, true, "bpf_ringbuf_output");
        if (neverFits(data.length)) {
            // bpf_ringbuf_output checks its flags before it reserves: unknown bits are -EINVAL even then
            boolean badFlags = (flags & ~(RB_NO_WAKEUP | RB_FORCE_WAKEUP)) != 0;
            return ringbufResult(badFlags ? -HelperPrograms.EINVAL : -HelperPrograms.EAGAIN, "bpf_ringbuf_output");
        }
        ScratchMap s = scratchFor(data.length);
        s.putData(data);
        int r = run(Kind.RINGBUF_OUTPUT, 0, flags, data.length);
        return ringbufResult(r, "bpf_ringbuf_output");
    }

    @Override
    public synchronized boolean ringbufReserveSubmit(byte[] data, long flags) {
        ensureOpen();
        checkAccess(false, true, "bpf_ringbuf_reserve");
        if (neverFits(data.length)) {
            return false;
        }
        ScratchMap s = scratchFor(data.length);
        s.putData(data);
        int r = run(Kind.RINGBUF_RESERVE_SUBMIT, data.length, flags, 0);
        return ringbufResult(r, "bpf_ringbuf_reserve/bpf_ringbuf_submit");
    }

    @Override
    public synchronized boolean ringbufReserveDiscard(int size, long flags) {
        ensureOpen();
        checkAccess(false, true, "bpf_ringbuf_reserve");
        if (size < 0) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.EINVAL.number(), subject, "negative size " + size);
        }
        if (neverFits(size)) {
            return false;
        }
        int r = run(Kind.RINGBUF_RESERVE_DISCARD, size, flags, 0);
        return ringbufResult(r, "bpf_ringbuf_reserve/bpf_ringbuf_discard");
    }

    @Override
    public synchronized long ringbufQuery(long flag) {
        ensureOpen();
        checkAccess(true, false, "bpf_ringbuf_query");
        ScratchMap s = scratch();
        int r = run(Kind.RINGBUF_QUERY, 0, flag, 0);
        if (r != 0) {
            throw failure(r, "bpf_ringbuf_query");
        }
        return s.out();
    }

    /**
     * {@code bpf_user_ringbuf_drain(map, callback, ctx, flags)} run by a program whose callback appends each
     * sample (length-prefixed) to the view's scratch element ({@link DrainProgram}); the samples are then handed
     * to {@code sample}, in order, as copies. The kernel has consumed every drained sample when the run returns,
     * so a {@code sample} consumer that throws loses the samples after the one it threw on.
     *
     * @return the helper's return value: the number of samples drained
     * @throws BpfException with the helper's errno when it returned one ({@code EINVAL} for flags other than
     *                      {@code BPF_RB_NO_WAKEUP|BPF_RB_FORCE_WAKEUP}, {@code EBUSY} during another drain,
     *                      {@code EINVAL}/{@code E2BIG} for a malformed sample); {@code EINVAL} without a run on
     *                      a map that is not a USER_RINGBUF (the verifier refuses the helper there)
     */
    @Override
    public synchronized int userRingbufDrain(java.util.function.Consumer<byte[]> sample, long flags) {
        ensureOpen();
        checkAccess(true, true, "bpf_user_ringbuf_drain");
        java.util.Objects.requireNonNull(sample, "sample");
        scratch();
        if (type != MapType.USER_RINGBUF) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.EINVAL.number(), subject,
                    "the verifier refuses bpf_user_ringbuf_drain on a " + type.bpftoolName() + " map");
        }
        long ringSize = Integer.toUnsignedLong(map.maxEntries());
        long need = DrainProgram.scratchData(ringSize);
        if (need > Integer.MAX_VALUE / 2) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.E2BIG.number(), subject,
                    "a program view drains user rings of at most 256 MiB");
        }
        ScratchMap s = scratchFor((int) need);
        if (resources.drainProgram < 0) {
            if (resources.drainBtf < 0) {
                resources.drainBtf = DrainProgram.loadBtf(subject);
            }
            DrainProgram.Code code = DrainProgram.generate(mapFd, s, ringSize);
            resources.drainProgram = BpfProgram.load(ProgLoadAttr.PROG_TYPE_RAW_TRACEPOINT, code.insns(),
                    "bpfmaps_drain", subject, resources.drainBtf, DrainProgram.funcInfo(code.callbackStart()));
        }
        ctx.buffer().putLong(0, flags);
        ctx.buffer().putLong(8, 0);
        int r;
        boolean pinned = pin && affinity.pin(cpu);
        try {
            r = BpfProgram.testRun(attr, resources.drainProgram, ctx.address(), HelperPrograms.CTX_WORDS * 8, cpu,
                    subject);
        } finally {
            if (pinned) {
                affinity.restore();
            }
        }
        if (r < 0) {
            throw failure(r, "bpf_user_ringbuf_drain");
        }
        java.nio.ByteBuffer b = s.buffer;
        int base = s.dataOffset;
        long end = b.getLong(base);
        int pos = 0;
        java.util.List<byte[]> samples = new ArrayList<>(r);
        while (pos < end) {
            int len = b.getInt(base + DrainProgram.RECORDS + pos);
            byte[] copy = new byte[len];
            b.get(base + DrainProgram.RECORDS + pos + 4, copy, 0, len);
            samples.add(copy);
            pos += (4 + len + 7) & ~7;
        }
        for (byte[] one : samples) {
            sample.accept(one);
        }
        return r;
    }

    private static final long RB_NO_WAKEUP = 1;
    private static final long RB_FORCE_WAKEUP = 2;

    private boolean neverFits(long size) {
        return type == MapType.RINGBUF && ((size + 8 + 7) & ~7L) > Integer.toUnsignedLong(map.maxEntries());
    }

    private boolean ringbufResult(int r, String helper) {
        if (r == 0) {
            return true;
        }
        if (r == -HelperPrograms.EAGAIN) {
            return false;
        }
        throw failure(r, helper);
    }

    // ---- lifecycle ----

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "program view on CPU " + cpu + " of " + subject;
    }

    // ---- internals ----

    private ScratchMap scratch() {
        ensureOpen();
        return resources.scratch;
    }

    /** A closed view, or a view of a closed map: EBADF, as for any closed handle; checked before any argument. */
    private void ensureOpen() {
        if (closed || map.isClosed()) {
            throw new MapClosedException(BpfCommand.PROGRAM_HELPER, closed ? toString() : subject);
        }
    }

    /**
     * A program view never widens the handle's access: the kernel does not check the descriptor's mode when a
     * program references the map, so reads through a WRITE_ONLY handle and writes through a READ_ONLY one are
     * refused here ({@code EPERM}, as the system calls answer) before any program is loaded or run. Checked right
     * after the closed check, before the key and value (the simulator's order).
     */
    private void checkAccess(boolean read, boolean write, String helper) {
        Access access = map.access();
        if ((read && !access.canRead()) || (write && !access.canWrite())) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.EPERM.number(), subject,
                    helper + " through a " + access + " handle: a program view does not widen its access");
        }
    }

    /** The scratch map, grown (with every program reloaded) when {@code dataLength} does not fit. */
    private ScratchMap scratchFor(int dataLength) {
        ScratchMap s = scratch();
        if (dataLength <= s.dataCapacity) {
            return s;
        }
        int capacity = Integer.highestOneBit(Math.max(dataLength - 1, 1)) << 1;
        if (capacity < dataLength) {
            capacity = dataLength;
        }
        ScratchMap grown = ScratchMap.create(keySize, capacity, subject);
        resources.closePrograms();
        s.close();
        resources.scratch = grown;
        return grown;
    }

    private int program(Kind kind, int size) {
        boolean sized = kind == Kind.RINGBUF_RESERVE_SUBMIT || kind == Kind.RINGBUF_RESERVE_DISCARD;
        Integer fd;
        long sizedKey = ((long) kind.ordinal() << 32) | Integer.toUnsignedLong(size);
        fd = sized ? resources.sizedPrograms.get(sizedKey) : resources.programs.get(kind);
        if (fd != null) {
            return fd;
        }
        byte[] insns = HelperPrograms.generate(kind, mapFd, valueSize, resources.scratch, size);
        int loaded = BpfProgram.load(ProgLoadAttr.PROG_TYPE_RAW_TRACEPOINT, insns, kind.programName, subject);
        if (sized) {
            resources.sizedPrograms.put(sizedKey, loaded);
        } else {
            resources.programs.put(kind, loaded);
        }
        return loaded;
    }

    /** Runs the program for {@code kind} with context words {@code flags} and {@code length}; returns r0. */
    private int run(Kind kind, int size, long flags, long length) {
        int progFd = program(kind, size);
        ctx.buffer().putLong(0, flags);
        ctx.buffer().putLong(8, length);
        boolean pinned = pin && affinity.pin(cpu);
        try {
            return BpfProgram.testRun(attr, progFd, ctx.address(), HelperPrograms.CTX_WORDS * 8, cpu, subject);
        } finally {
            if (pinned) {
                affinity.restore();
            }
        }
    }

    private BpfException failure(int r, String helper) {
        return BpfException.of(BpfCommand.PROGRAM_HELPER, -r, subject, helper + " on CPU " + cpu + " returned " + r);
    }

    /**
     * Checks the key's length. Keyed helpers on keyless maps (queue, stack, bloom filter, ring buffers, arena):
     * the verifier refuses them for every such type ("cannot pass map_type N into func"), but a program can
     * only get that far with a key argument the zero {@code key_size} makes unverifiable (EACCES, "invalid
     * zero-sized read"); answer the type refusal, {@code EINVAL}, without loading anything.
     */
    private void checkKey(byte[] key, String helper) {
        if (keySize == 0) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.EINVAL.number(), subject,
                    "the verifier refuses " + helper + " on a " + type.bpftoolName() + " map");
        }
        checkLength("key", key, keySize);
    }

    private void checkLength(String what, byte[] bytes, int expected) {
        if (bytes == null || bytes.length != expected) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.EINVAL.number(), subject,
                    what + " must be " + expected + " bytes, got " + (bytes == null ? "null" : bytes.length));
        }
    }
}
