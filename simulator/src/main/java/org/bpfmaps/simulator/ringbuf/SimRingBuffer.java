package org.bpfmaps.simulator.ringbuf;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.bpfmaps.Errno;

/**
 * A kernel-producer ring ({@code BPF_MAP_TYPE_RINGBUF}): the producer side of {@code kernel/bpf/ringbuf.c} over a
 * {@link RingMemory}.
 *
 * <p><b>Reserve</b> ({@code __bpf_ringbuf_reserve}): a record of {@code size} bytes takes {@code len =
 * round_up(size + 8, 8)}; it is refused when {@code size > RINGBUF_MAX_RECORD_SZ} or {@code len > max_entries};
 * otherwise, under the producer lock (the kernel's spinlock), {@code pending_pos} is advanced past every record that
 * is no longer BUSY, and the reservation fails when {@code new_prod - consumer_pos > max_entries - 1} or
 * {@code new_prod - pending_pos > max_entries - 1} (so the ring is never completely full). A granted record gets the
 * header {@code {size | BUSY, pg_off}} and {@code producer_pos} is published with release.
 *
 * <p><b>Commit</b> ({@code bpf_ringbuf_commit}): the BUSY bit is flipped off (plus DISCARD for a discard) with an
 * atomic exchange; then the consumer is woken when {@code BPF_RB_FORCE_WAKEUP} is given, or when
 * {@code BPF_RB_NO_WAKEUP} is not given and the consumer has caught up to exactly this record
 * ({@code consumer_pos & mask == record index}). Records become visible in reservation order because consumers stop
 * at the first BUSY header. Commits take no lock, as in the kernel.
 *
 * <p>Every method is safe for concurrent producers and a concurrent consumer.
 */
public final class SimRingBuffer {

    static final int EINVAL = Errno.EINVAL.number();
    static final int EAGAIN = Errno.EAGAIN.number();

    private final RingMemory memory;
    /** The kernel's {@code rb->spinlock}. */
    private final Object producerLock = new Object();

    /** A ring of {@code size} data bytes (a power of two, multiple of 4096, at most 2^30). */
    public SimRingBuffer(int size) {
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

    // ---- kernel producer --------------------------------------------------------------------------------

    /**
     * {@code __bpf_ringbuf_reserve}: reserves a BUSY record of {@code size} payload bytes.
     *
     * @param size the payload size as the helper's u64 (negative values are huge)
     * @return the record's position (of its header), or -1 where the kernel returns NULL
     */
    public long reserve(long size) {
        if (size < 0 || size > RingLayout.MAX_RECORD_SIZE) {
            return -1;
        }
        long len = RingLayout.recordLength(size);
        if (len > memory.size()) {
            return -1;
        }
        long mask = memory.mask();
        long cons = memory.consumerPos();
        synchronized (producerLock) {
            long pend = memory.pendingPos();
            long prod = memory.producerPos();
            long newProd = prod + len;
            while (pend - prod < 0) {
                int hdrLen = memory.lenOpaque(pend);
                if (RingLayout.isBusy(hdrLen)) {
                    break;
                }
                pend += RingLayout.recordLength(Integer.toUnsignedLong(hdrLen & ~RingLayout.DISCARD_BIT));
            }
            memory.pendingPos(pend);
            if (newProd - cons > mask || newProd - pend > mask) {
                return -1;
            }
            memory.header(prod, (int) size | RingLayout.BUSY_BIT, RingLayout.pageOffset(memory.index(prod)));
            memory.producerPos(newProd);
            return prod;
        }
    }

    /** Writes payload bytes into the reserved record at {@code position} (the program filling its record). */
    public void write(long position, int offset, byte[] src, int srcOffset, int n) {
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        int len = memory.lenOpaque(position);
        if (!RingLayout.isBusy(len) || offset < 0 || offset + (long) n > RingLayout.payloadLength(len)) {
            throw new IllegalArgumentException("no reserved record of at least " + (offset + (long) n)
                    + " bytes at position " + position);
        }
        memory.put(position + RingLayout.HEADER_SIZE + offset, src, srcOffset, n);
    }

    /** {@code bpf_ringbuf_submit(sample, flags)}: commits the record at {@code position}. No flag is refused. */
    public void submit(long position, long flags) {
        commit(position, flags, false);
    }

    /** {@code bpf_ringbuf_discard(sample, flags)}: marks the record at {@code position} discarded. */
    public void discard(long position, long flags) {
        commit(position, flags, true);
    }

    private void commit(long position, long flags, boolean discard) {
        int old = memory.lenOpaque(position);
        if (!RingLayout.isBusy(old)) {
            // The verifier guarantees each reservation is released exactly once; a second release is a caller bug.
            throw new IllegalStateException("no reserved record at position " + position);
        }
        int newLen = old ^ RingLayout.BUSY_BIT;
        if (discard) {
            newLen |= RingLayout.DISCARD_BIT;
        }
        memory.lenExchange(position, newLen);
        long recPos = memory.index(position);
        long consPos = memory.consumerPos() & memory.mask();
        if ((flags & RingLayout.RB_FORCE_WAKEUP) != 0) {
            memory.notifyWaiters();
        } else if (consPos == recPos && (flags & RingLayout.RB_NO_WAKEUP) == 0) {
            memory.notifyWaiters();
        }
    }

    /**
     * {@code bpf_ringbuf_output(map, data, size, flags)}.
     *
     * @return 0, {@code -EINVAL} for flags other than {@code BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP}, or
     *         {@code -EAGAIN} when the reservation failed
     */
    public int output(byte[] data, long flags) {
        return output(data, 0, data.length, flags);
    }

    /** {@code bpf_ringbuf_output} of {@code n} bytes of {@code data} from {@code off}. */
    public int output(byte[] data, int off, int n, long flags) {
        Objects.checkFromIndexSize(off, n, data.length);
        if ((flags & ~(RingLayout.RB_NO_WAKEUP | RingLayout.RB_FORCE_WAKEUP)) != 0) {
            return -EINVAL;
        }
        long pos = reserve(n);
        if (pos < 0) {
            return -EAGAIN;
        }
        memory.put(pos + RingLayout.HEADER_SIZE, data, off, n);
        commit(pos, flags, false);
        return 0;
    }

    /** {@code bpf_ringbuf_output} of the remaining bytes of {@code data} (its position does not move). */
    public int output(ByteBuffer data, long flags) {
        if ((flags & ~(RingLayout.RB_NO_WAKEUP | RingLayout.RB_FORCE_WAKEUP)) != 0) {
            return -EINVAL;
        }
        int n = data.remaining();
        long pos = reserve(n);
        if (pos < 0) {
            return -EAGAIN;
        }
        memory.put(pos + RingLayout.HEADER_SIZE, data, n);
        commit(pos, flags, false);
        return 0;
    }

    /**
     * {@code bpf_ringbuf_query(map, flag)}: {@code BPF_RB_AVAIL_DATA} ({@code producer_pos - consumer_pos}),
     * {@code BPF_RB_RING_SIZE}, {@code BPF_RB_CONS_POS}, {@code BPF_RB_PROD_POS}; any other flag answers 0.
     */
    public long query(long flag) {
        if (flag == RingLayout.RB_AVAIL_DATA) {
            long cons = memory.consumerPos();
            return memory.producerPos() - cons;
        } else if (flag == RingLayout.RB_RING_SIZE) {
            return memory.size();
        } else if (flag == RingLayout.RB_CONS_POS) {
            return memory.consumerPos();
        } else if (flag == RingLayout.RB_PROD_POS) {
            return memory.producerPos();
        }
        return 0;
    }

    /** How many wake-ups the kernel would have sent to the ring's epoll waiters so far. */
    public long wakeups() {
        return memory.wakeups();
    }

    @Override
    public String toString() {
        return "ringbuf of " + memory.size() + " bytes (consumer_pos " + memory.consumerPos() + ", producer_pos "
                + memory.producerPos() + ")";
    }
}
