package org.bpfmaps.simulator.ringbuf;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code BPF_MAP_TYPE_RINGBUF} and {@code BPF_MAP_TYPE_USER_RINGBUF} as the simulator's map objects see them: the
 * create checks of {@code ringbuf_map_alloc}, the element matrix (every system-call element and batch command is
 * {@code ENOTSUPP}, 524), the memlock of {@code ringbuf_map_mem_usage}, and the program helpers, over a
 * {@link SimRingBuffer} or a {@link SimUserRingBuffer}.
 *
 * <p>The operation set is the one {@code org.bpfmaps.simulator.MapObject} declares, made public (that class is
 * package-private), plus {@code programPush/Pop/Peek}, as the other per-type adapters ({@code LpmTrieMap},
 * {@code QueueStackMap}, {@code BloomFilterMap}) have it; each method is called after the descriptor's generic
 * checks (command flags, permissions, frozen state, {@code BPF_F_LOCK}) and returns 0 or a positive errno. The ring
 * helpers return what the kernel helper returns (see each method); each helper call that changes the ring is one
 * {@link RingMemory#change(boolean, java.util.function.Supplier) recorded change} (made durable before it returns) in
 * a kernel with a state directory. Not final, so the simulator package can attach its
 * own interface with an empty subclass.
 */
public class RingBufMap {

    static final int EINVAL = Errno.EINVAL.number();
    static final int E2BIG = Errno.E2BIG.number();
    static final int ENOMEM = Errno.ENOMEM.number();
    static final int EAGAIN = Errno.EAGAIN.number();
    static final int ENOTSUPP = Errno.ENOTSUPP.number();

    /** {@code RINGBUF_CREATE_FLAG_MASK}: only {@code BPF_F_NUMA_NODE}. */
    public static final int CREATE_FLAGS = MapFlag.NUMA_NODE.bit();
    /**
     * The largest ring the simulator allocates (1 GiB); the kernel accepts up to 2^31 with a u32 max_entries. Larger
     * rings are refused with {@code ENOMEM}, which the kernel answers when its allocation fails.
     */
    public static final long SIMULATED_MAX_SIZE = 1L << 30;

    private final MapType type;
    private final long size;
    private final SimRingBuffer ring;
    private final SimUserRingBuffer userRing;

    /** A map for a spec that {@link #checkCreate(MapSpec)} accepted. */
    public RingBufMap(MapSpec spec) {
        String problem = explainCreate(spec);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.type = spec.type();
        this.size = Integer.toUnsignedLong(spec.maxEntries());
        if (type == MapType.RINGBUF) {
            this.ring = new SimRingBuffer(spec.maxEntries());
            this.userRing = null;
        } else {
            this.ring = null;
            this.userRing = new SimUserRingBuffer(spec.maxEntries());
        }
    }

    /** Whether this adapter creates maps of {@code type}. */
    public static boolean handles(MapType type) {
        return type == MapType.RINGBUF || type == MapType.USER_RINGBUF;
    }

    /** The kernel-producer ring, or null for a USER_RINGBUF. */
    public SimRingBuffer ring() {
        return ring;
    }

    /** The user-producer ring, or null for a RINGBUF. */
    public SimUserRingBuffer userRing() {
        return userRing;
    }

    /** The ring's shared memory. */
    public RingMemory memory() {
        return ring != null ? ring.memory() : userRing.memory();
    }

    // ---- create ------------------------------------------------------------------------------------------

    /**
     * {@code ringbuf_map_alloc}'s checks: flags other than {@code BPF_F_NUMA_NODE} → EINVAL; key_size or
     * value_size not 0, max_entries not a power of two or not a multiple of 4096 → EINVAL; above
     * {@code RINGBUF_MAX_DATA_SZ} → E2BIG (unreachable with a u32); above the simulator's
     * {@link #SIMULATED_MAX_SIZE} → ENOMEM. Returns 0 or the errno. The generic checks (map_extra, name, NUMA node
     * number, token) are the caller's.
     */
    public static int checkCreate(MapSpec spec) {
        return errno(spec);
    }

    /** Why {@link #checkCreate(MapSpec)} refuses a spec, or null when it does not. */
    public static String explainCreate(MapSpec spec) {
        int err = errno(spec);
        if (err == 0) {
            return null;
        }
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if ((spec.flags() & ~CREATE_FLAGS) != 0) {
            return "flags 0x" + Integer.toHexString(spec.flags()) + " are not valid for "
                    + spec.type().bpftoolName() + " (only BPF_F_NUMA_NODE is)";
        }
        if (spec.keySize() != 0 || spec.valueSize() != 0) {
            return "a ring buffer needs key_size 0 and value_size 0 (got " + Integer.toUnsignedString(spec.keySize())
                    + " and " + Integer.toUnsignedString(spec.valueSize()) + ")";
        }
        if (err == EINVAL) {
            return "max_entries " + max + " must be a power of two and a multiple of the page size (4096)";
        }
        if (err == E2BIG) {
            return "max_entries " + max + " is above RINGBUF_MAX_DATA_SZ";
        }
        return "a ring of " + max + " bytes is above the simulator's limit of " + SIMULATED_MAX_SIZE + " bytes";
    }

    private static int errno(MapSpec spec) {
        if ((spec.flags() & ~CREATE_FLAGS) != 0) {
            return EINVAL;
        }
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if (spec.keySize() != 0 || spec.valueSize() != 0 || max == 0 || Long.bitCount(max) != 1
                || (max & (RingLayout.PAGE_SIZE - 1)) != 0) {
            return EINVAL;
        }
        if (max > RingLayout.MAX_DATA_SIZE) {
            return E2BIG;
        }
        if (max > SIMULATED_MAX_SIZE) {
            return ENOMEM;
        }
        return 0;
    }

    /** {@code ringbuf_map_mem_usage}: 16728 bytes for a 4096-byte ring (see {@link RingLayout#memlock(long)}). */
    public long memlock() {
        return RingLayout.memlock(size);
    }

    // ---- system calls: all ENOTSUPP ------------------------------------------------------------------------

    /** {@code BPF_MAP_LOOKUP_ELEM}: ENOTSUPP. */
    public int lookup(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    /** {@code BPF_MAP_UPDATE_ELEM}: ENOTSUPP, whatever the flags (after the descriptor's F_LOCK check). */
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        return ENOTSUPP;
    }

    /** {@code BPF_MAP_DELETE_ELEM}: ENOTSUPP. */
    public int delete(ByteBuffer key) {
        return ENOTSUPP;
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}: ENOTSUPP. */
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return ENOTSUPP;
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: ENOTSUPP. */
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    /** Every batch command: ENOTSUPP (524), count 0. */
    public int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                     long elemFlags, int[] countOut) {
        countOut[0] = 0;
        return ENOTSUPP;
    }

    // ---- generic program helpers: the verifier refuses them on ring buffers ---------------------------------

    /** {@code bpf_map_lookup_elem}: refused by the verifier for ring buffers (EINVAL). */
    public int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return EINVAL;
    }

    /** {@code bpf_map_update_elem}: refused by the verifier (EINVAL). */
    public int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return EINVAL;
    }

    /** {@code bpf_map_delete_elem}: refused by the verifier (EINVAL). */
    public int programDelete(ByteBuffer key) {
        return EINVAL;
    }

    /** {@code bpf_map_push_elem}: refused by the verifier (EINVAL). */
    public int programPush(ByteBuffer value, long flags) {
        return EINVAL;
    }

    /** {@code bpf_map_pop_elem}: refused by the verifier (EINVAL). */
    public int programPop(ByteBuffer value) {
        return EINVAL;
    }

    /** {@code bpf_map_peek_elem}: refused by the verifier (EINVAL). */
    public int programPeek(ByteBuffer value) {
        return EINVAL;
    }

    // ---- ring helpers ---------------------------------------------------------------------------------------

    /**
     * {@code bpf_ringbuf_output(map, data, data.length, flags)}: 0, EAGAIN (no room; reserve returned NULL) or
     * EINVAL (bad flags, or the verifier's refusal on a USER_RINGBUF).
     */
    public int programRingbufOutput(byte[] data, long flags) {
        Objects.requireNonNull(data, "data");
        if (ring == null) {
            return EINVAL;
        }
        return ring.memory().change(true, () -> -ring.output(data, flags));
    }

    /**
     * {@code bpf_ringbuf_reserve(map, data.length, 0)}, a copy of {@code data} into the record, then
     * {@code bpf_ringbuf_submit(rec, flags)} (which, like the kernel's, refuses no flag): 0, EAGAIN (reserve
     * returned NULL) or EINVAL (the verifier's refusal on a USER_RINGBUF).
     */
    public int programRingbufReserveSubmit(byte[] data, long flags) {
        Objects.requireNonNull(data, "data");
        if (ring == null) {
            return EINVAL;
        }
        return ring.memory().change(true, () -> {
            long pos = ring.reserve(data.length);
            if (pos < 0) {
                return EAGAIN;
            }
            ring.write(pos, 0, data, 0, data.length);
            ring.submit(pos, flags);
            return 0;
        });
    }

    /**
     * {@code bpf_ringbuf_reserve(map, size, 0)} then {@code bpf_ringbuf_discard(rec, flags)}: 0, EAGAIN or EINVAL
     * (negative size, or a USER_RINGBUF).
     */
    public int programRingbufReserveDiscard(int size, long flags) {
        if (ring == null || size < 0) {
            return EINVAL;
        }
        return ring.memory().change(true, () -> {
            long pos = ring.reserve(size);
            if (pos < 0) {
                return EAGAIN;
            }
            ring.discard(pos, flags);
            return 0;
        });
    }

    /** {@code bpf_ringbuf_query(map, flag)} on a RINGBUF (the verifier refuses it on a USER_RINGBUF). */
    public long programRingbufQuery(long flag) {
        if (ring == null) {
            throw new IllegalStateException("bpf_ringbuf_query is only for RINGBUF maps");
        }
        return ring.query(flag);
    }

    /**
     * {@code bpf_user_ringbuf_drain(map, cb, ctx, flags)} on a USER_RINGBUF: the number of samples drained, or a
     * negative errno ({@code -EINVAL} bad flags, {@code -EBUSY} concurrent drain, {@code -E2BIG}/{@code -EINVAL}
     * bad sample); {@code -EINVAL} on a RINGBUF (the verifier's refusal).
     */
    public long programUserRingbufDrain(Consumer<byte[]> callback, long flags) {
        Objects.requireNonNull(callback, "callback");
        if (userRing == null) {
            return -EINVAL;
        }
        return userRing.drain(callback, flags);
    }
}
