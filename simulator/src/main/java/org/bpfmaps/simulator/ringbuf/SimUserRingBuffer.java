package org.bpfmaps.simulator.ringbuf;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bpfmaps.Errno;

/**
 * A user-producer ring ({@code BPF_MAP_TYPE_USER_RINGBUF}) over a {@link RingMemory}: user space produces as libbpf's
 * {@code user_ring_buffer} does, programs drain with {@code bpf_user_ringbuf_drain}.
 *
 * <p><b>User side</b> ({@code user_ring_buffer__reserve}/{@code __submit}/{@code __discard}): a size with either
 * of the two top bits set, or whose record ({@code round_up(size + 8, 8)}) exceeds the ring, is {@code E2BIG}; a
 * record larger than {@code max_entries - (producer_pos - consumer_pos)} is {@code ENOSPC} (unlike the kernel
 * producer, a user producer may fill the ring completely). A reservation writes the header {@code {size | BUSY, 0}}
 * and publishes {@code producer_pos} at once; submit clears BUSY with a release store, discard sets DISCARD too.
 *
 * <p><b>Kernel side</b> ({@code __bpf_user_ringbuf_peek} and {@code bpf_user_ringbuf_drain}): flags other than
 * {@code BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP} are {@code -EINVAL}; a drain while another runs is
 * {@code -EBUSY}. Each sample is validated, in this order: {@code producer_pos % 8 != 0} → {@code -EINVAL}; nothing
 * left ({@code consumer_pos >= producer_pos}) → stop; a record longer than what {@code producer_pos} advertises →
 * {@code -EINVAL}; a record longer than the ring → {@code -E2BIG}; a payload above {@code DYNPTR_MAX_SIZE} →
 * {@code -E2BIG}; DISCARD → skipped ({@code consumer_pos} advanced, not counted); BUSY → stop. A valid sample goes to
 * the callback, then {@code consumer_pos} is advanced past it. At most {@code BPF_MAX_USER_RINGBUF_SAMPLES} samples
 * (discarded ones included) are visited per call. The return is the number of samples handed to the callback, or the
 * negative errno of a bad sample (samples before it stay consumed). Afterwards the ring's waiters are woken with
 * {@code BPF_RB_FORCE_WAKEUP}, or when samples were visited and {@code BPF_RB_NO_WAKEUP} was not given.
 *
 * <p>With a state directory ({@link RingMemory.Log}), each {@code consumer_pos} move of a drain is recorded as it
 * happens (after the sample's callback returned) and {@code fsync}ed before the drain returns; the user-side calls
 * here record nothing themselves (the {@link SimUserRingBufferWriter} does), except the two raw stores.
 */
public final class SimUserRingBuffer {

    static final int EINVAL = Errno.EINVAL.number();
    static final int EBUSY = Errno.EBUSY.number();
    static final int E2BIG = Errno.E2BIG.number();
    static final int ENOSPC = Errno.ENOSPC.number();
    /** The kernel-internal "nothing to read" answer of the peek. */
    private static final int ENODATA = 61;

    private final RingMemory memory;
    /** The kernel's {@code rb->busy}. */
    private final AtomicInteger busy = new AtomicInteger();

    /** A ring of {@code size} data bytes (a power of two, multiple of 4096, at most 2^30). */
    public SimUserRingBuffer(int size) {
        this.memory = new RingMemory(size);
    }

    /** The shared memory. */
    public RingMemory memory() {
        return memory;
    }

    /** {@code max_entries}. */
    public int size() {
        return memory.size();
    }

    // ---- user-space producer (libbpf semantics) --------------------------------------------------------

    /**
     * {@code user_ring_buffer__reserve}: a BUSY record of {@code size} bytes.
     *
     * @return its position (of the header), or {@code -E2BIG} / {@code -ENOSPC}
     */
    public long reserve(int size) {
        if ((size & (RingLayout.BUSY_BIT | RingLayout.DISCARD_BIT)) != 0) {
            return -E2BIG;
        }
        long cons = memory.consumerPos();
        long prod = memory.producerPos();
        long avail = memory.size() - (prod - cons);
        long total = RingLayout.recordLength(size);
        if (total > memory.size()) {
            return -E2BIG;
        }
        if (avail < total) {
            return -ENOSPC;
        }
        memory.header(prod, size | RingLayout.BUSY_BIT, 0);
        memory.producerPos(prod + total);
        return prod;
    }

    /** {@code user_ring_buffer__submit} of the record at {@code position}. */
    public void submit(long position) {
        commit(position, false);
    }

    /** {@code user_ring_buffer__discard} of the record at {@code position}. */
    public void discard(long position) {
        commit(position, true);
    }

    private void commit(long position, boolean discard) {
        int len = memory.lenOpaque(position);
        int newLen = len & ~RingLayout.BUSY_BIT;
        if (discard) {
            newLen |= RingLayout.DISCARD_BIT;
        }
        memory.lenRelease(position, newLen);
    }

    /** Copies payload bytes into the record at {@code position} (wrapping at the end of the data area). */
    public void write(long position, int offset, byte[] src, int srcOffset, int n) {
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        memory.put(position + RingLayout.HEADER_SIZE + offset, src, srcOffset, n);
    }

    /** Bytes free for new records, headers included: {@code max_entries - (producer_pos - consumer_pos)}. */
    public long free() {
        long cons = memory.consumerPos();
        return memory.size() - (memory.producerPos() - cons);
    }

    /**
     * What a misbehaving user-space producer can do through its writable mapping: stores {@code pos} as
     * {@code producer_pos} (release). For tests of the kernel's validation.
     */
    public void storeProducerPos(long pos) {
        memory.change(true, () -> {
            memory.producerPos(pos);
            return null;
        });
    }

    /** What user space can write through its mapping: a raw header at {@code position} (release of {@code len}). */
    public void storeHeader(long position, int len, int pgOff) {
        memory.change(true, () -> {
            memory.header(position, 0, pgOff);
            memory.lenRelease(position, len);
            return null;
        });
    }

    // ---- kernel consumer ------------------------------------------------------------------------------

    /**
     * {@code bpf_user_ringbuf_drain(map, callback, ctx, flags)}: hands each sample (a copy) to {@code callback}.
     *
     * @return the number of samples drained, or {@code -EINVAL}, {@code -EBUSY}, {@code -E2BIG}
     */
    public long drain(Consumer<byte[]> callback, long flags) {
        Objects.requireNonNull(callback, "callback");
        if ((flags & ~(RingLayout.RB_NO_WAKEUP | RingLayout.RB_FORCE_WAKEUP)) != 0) {
            return -EINVAL;
        }
        if (!busy.compareAndSet(0, 1)) {
            return -EBUSY;
        }
        long samples = 0;
        long discarded = 0;
        long ret = 0;
        long[] found = new long[2];
        try {
            for (; samples < RingLayout.MAX_USER_RINGBUF_SAMPLES && ret == 0; samples++) {
                int err = memory.change(false, () -> peek(found)); // a discarded sample moves consumer_pos
                if (err == -ENODATA) {
                    break;
                } else if (err == -Errno.EAGAIN.number()) {
                    discarded++;
                    continue;
                } else if (err != 0) {
                    ret = err;
                    return ret;
                }
                byte[] sample = new byte[(int) found[1]];
                memory.get(found[0] + RingLayout.HEADER_SIZE, sample, 0, sample.length);
                try {
                    callback.accept(sample);
                } finally {
                    release(found[1]);
                }
            }
            ret = samples - discarded;
            return ret;
        } finally {
            memory.sync();
            busy.set(0);
            if ((flags & RingLayout.RB_FORCE_WAKEUP) != 0) {
                memory.notifyWaiters();
            } else if ((flags & RingLayout.RB_NO_WAKEUP) == 0 && samples > 0) {
                memory.notifyWaiters();
            }
        }
    }

    /** {@code __bpf_user_ringbuf_peek}: 0 with {@code found = {position, size}}, or a negative errno. */
    private int peek(long[] found) {
        long prod = memory.producerPos();
        if ((prod & 7) != 0) {
            return -EINVAL;
        }
        long cons = memory.consumerPos();
        if (Long.compareUnsigned(cons, prod) >= 0) {
            return -ENODATA;
        }
        int hdrLen = memory.lenAcquire(cons);
        int flags = hdrLen & (RingLayout.BUSY_BIT | RingLayout.DISCARD_BIT);
        long sampleLen = Integer.toUnsignedLong(hdrLen & ~flags);
        long totalLen = RingLayout.recordLength(sampleLen) & 0xFFFF_FFFFL; // u32 arithmetic, as in the kernel
        if (Long.compareUnsigned(totalLen, prod - cons) > 0) {
            return -EINVAL;
        }
        if (totalLen > memory.size()) {
            return -E2BIG;
        }
        if (sampleLen > RingLayout.DYNPTR_MAX_SIZE) {
            return -E2BIG;
        }
        if ((flags & RingLayout.DISCARD_BIT) != 0) {
            memory.consumerPos(cons + totalLen);
            return -Errno.EAGAIN.number();
        }
        if ((flags & RingLayout.BUSY_BIT) != 0) {
            return -ENODATA;
        }
        found[0] = cons;
        found[1] = sampleLen;
        return 0;
    }

    /** {@code __bpf_user_ringbuf_sample_release}. */
    private void release(long size) {
        if (!memory.hasLog()) {
            memory.consumerPos(memory.consumerPos() + RingLayout.recordLength(size));
            return;
        }
        memory.change(false, () -> {
            long cons = memory.consumerPos();
            memory.consumerPos(cons + RingLayout.recordLength(size));
            return null;
        });
    }

    @Override
    public String toString() {
        return "user_ringbuf of " + memory.size() + " bytes (consumer_pos " + memory.consumerPos()
                + ", producer_pos " + memory.producerPos() + ")";
    }
}
