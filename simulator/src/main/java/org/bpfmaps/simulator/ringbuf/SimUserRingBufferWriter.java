package org.bpfmaps.simulator.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.spi.RingBufferChecks;

/**
 * The user-space producer of a simulated {@code USER_RINGBUF} map, as libbpf's {@code user_ring_buffer} does it
 * (see {@link SimUserRingBuffer}), with the observable behaviour of the linux backend's writer.
 *
 * <p>A reservation's {@link Reservation#buffer()} is a writable slice of the data area itself; for a record whose
 * payload wraps the end of the ring (contiguous on the kernel through its double mapping) it is a scratch buffer
 * copied into the ring when the record is submitted or discarded, before BUSY is cleared.
 *
 * <p><b>Sizes.</b> A record must have 1 to {@link RingLayout#DYNPTR_MAX_SIZE} payload bytes (a larger sample would
 * make every drain fail with {@code -E2BIG}) and its rounded total must not exceed the ring; otherwise
 * {@code EINVAL}. A ring without room now is {@code ENOSPC} ({@link BpfException} with command
 * {@link BpfCommand#RINGBUF_USER}, as {@code BpfException.of} maps it).
 *
 * <p><b>State directory.</b> In a kernel with one, each call that changes the ring (reserve, submit, discard,
 * write, and close's discards) is recorded and {@code fsync}ed before it returns, with the bytes it wrote (a submit
 * records the payload the caller wrote through the buffer). A reservation recorded but never submitted (the process
 * was killed) comes back in the next kernel as the kernel keeps it: a BUSY record that every drain stops at, for
 * good; its payload bytes are those the ring held when it was reserved.
 *
 * <p><b>Threads.</b> One thread produces at a time (concurrent calls get {@link IllegalStateException}). Closing
 * discards the reservations still outstanding, so the kernel is never left waiting behind a BUSY record of a writer
 * that is gone.
 */
public final class SimUserRingBufferWriter implements UserRingBufferWriter {

    private final SimUserRingBuffer ring;
    private final RingMemory memory;
    private final String subject;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Runs once when closed (the kernel's unmap: the map's writable-mapping count goes down). */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> onClose =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Reservations not yet submitted or discarded, oldest first; guarded by this. */
    private final ArrayDeque<SimReservation> outstanding = new ArrayDeque<>();
    private final RingBufferChecks.OneThread producer = new RingBufferChecks.OneThread();

    private SimUserRingBufferWriter(SimUserRingBuffer ring, String subject) {
        this.ring = ring;
        this.memory = ring.memory();
        this.subject = subject;
    }

    /**
     * A writer for {@code map}.
     *
     * @param ringOf the ring adapter of a map of the calling backend, or null when the map is not one of its maps
     * @throws org.bpfmaps.InvalidArgumentException ({@code EINVAL}) when {@code map} is not a {@code USER_RINGBUF}
     *                                              of this backend
     * @throws MapClosedException                   when {@code map} is closed
     */
    public static SimUserRingBufferWriter open(BpfMap map, Function<BpfMap, RingBufMap> ringOf) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(ringOf, "ringOf");
        String subject = "user ring buffer writer on " + map;
        RingBufMap adapter = ringOf.apply(map);
        if (adapter == null) {
            throw invalid(subject, map + " is not a map of this simulated kernel");
        }
        if (map.type() != MapType.USER_RINGBUF || adapter.userRing() == null) {
            throw invalid(subject, map + " is a " + map.type() + ", not a USER_RINGBUF");
        }
        if (map.isClosed()) {
            throw new MapClosedException(BpfCommand.RINGBUF_USER, map.toString());
        }
        return new SimUserRingBufferWriter(adapter.userRing(), subject);
    }

    private static BpfException invalid(String subject, String detail) {
        return RingBufferChecks.invalid(subject, detail);
    }

    // ---- producing -------------------------------------------------------------------------------------

    @Override
    public Reservation reserve(int size) {
        long total = checkSize(size);
        enter();
        try {
            long position = memory.change(true, () -> ring.reserve(size));
            if (position < 0) {
                throw BpfException.of(BpfCommand.RINGBUF_USER, Errno.ENOSPC.number(), subject, "no room for a "
                        + size + "-byte record (" + total + " bytes with header and padding, " + ring.free()
                        + " free)");
            }
            long payloadAt = position + RingLayout.HEADER_SIZE;
            boolean wraps = memory.wraps(payloadAt, size);
            ByteBuffer buffer = wraps ? ByteBuffer.allocate(size)
                    : memory.dataBuffer().slice(memory.index(payloadAt), size);
            SimReservation r = new SimReservation(position, size, buffer.order(ByteOrder.nativeOrder()), wraps);
            synchronized (this) {
                outstanding.addLast(r);
            }
            return r;
        } finally {
            exit();
        }
    }

    @Override
    public boolean write(byte[] record) {
        Objects.requireNonNull(record, "record");
        checkSize(record.length);
        enter();
        try {
            return memory.change(true, () -> {
                long position = ring.reserve(record.length);
                if (position < 0) {
                    return false;
                }
                ring.write(position, 0, record, 0, record.length);
                ring.submit(position);
                return true;
            });
        } finally {
            exit();
        }
    }

    @Override
    public long free() {
        if (closed.get()) {
            throw closedException();
        }
        return ring.free();
    }

    /** The record's total length; refuses sizes that can never be drained. */
    private long checkSize(int size) {
        long total = RingLayout.recordLength(size);
        RingBufferChecks.checkUserRecord(size, total, RingLayout.DYNPTR_MAX_SIZE, memory.size(), subject);
        return total;
    }

    /** A reserved record. */
    private final class SimReservation implements Reservation {
        private final long position;
        private final int size;
        private final ByteBuffer buffer;
        private final boolean copyOnCommit;
        private boolean done;

        SimReservation(long position, int size, ByteBuffer buffer, boolean copyOnCommit) {
            this.position = position;
            this.size = size;
            this.buffer = buffer;
            this.copyOnCommit = copyOnCommit;
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public void submit() {
            finish(false);
        }

        @Override
        public void discard() {
            finish(true);
        }

        private void finish(boolean discard) {
            enter();
            try {
                synchronized (SimUserRingBufferWriter.this) {
                    if (done) {
                        throw new IllegalStateException("the reservation at position " + position + " of "
                                + subject + " was already submitted or discarded");
                    }
                    done = true;
                    outstanding.remove(this);
                }
                memory.change(true, () -> {
                    commit(discard);
                    return null;
                });
            } finally {
                exit();
            }
        }

        /** Copies a scratch payload in, then clears BUSY (and sets DISCARD when asked). */
        void commit(boolean discard) {
            if (copyOnCommit) {
                memory.put(position + RingLayout.HEADER_SIZE, buffer.duplicate().clear(), size);
            } else {
                memory.touched(position + RingLayout.HEADER_SIZE, size); // written through the slice
            }
            if (discard) {
                ring.discard(position);
            } else {
                ring.submit(position);
            }
        }

        @Override
        public String toString() {
            return "reservation of " + size + " bytes at position " + position + " of " + subject;
        }
    }

    // ---- closing ---------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Runnable action = onClose.getAndSet(null);
            if (action != null) {
                action.run();
            }
            synchronized (this) {
                memory.change(true, () -> {
                    for (SimReservation r : outstanding) {
                        r.done = true;
                        r.commit(true);
                    }
                    return null;
                });
                outstanding.clear();
            }
        }
    }

    /** Sets what {@link #close()} runs once, after the mappings are released (runs now if already closed). */
    public void whenClosed(Runnable action) {
        onClose.set(action);
        if (closed.get() && onClose.compareAndSet(action, null)) {
            action.run();
        }
    }

    /** Whether {@link #close()} ran. */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return subject + (closed.get() ? " (closed)" : "");
    }

    private void enter() {
        producer.enterProducer(subject);
        if (closed.get()) {
            producer.exit();
            throw closedException();
        }
    }

    private void exit() {
        producer.exit();
    }

    private MapClosedException closedException() {
        return new MapClosedException(BpfCommand.RINGBUF_USER, subject);
    }
}
