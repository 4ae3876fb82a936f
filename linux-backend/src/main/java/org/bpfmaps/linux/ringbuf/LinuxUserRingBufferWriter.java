package org.bpfmaps.linux.ringbuf;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Objects;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.spi.RingBufferChecks;
import org.bpfmaps.linux.LinuxMap;

/**
 * The user-space producer of a {@code USER_RINGBUF} map, on its shared memory, as libbpf's
 * {@code user_ring_buffer} does it.
 *
 * <p><b>Mapping.</b> The consumer page read-only and the producer page with the doubled data area read-write
 * ({@link RingBufferDescriptor}); a reservation that wraps the end of the ring is one contiguous slice.
 *
 * <p><b>Protocol and ordering</b> (see {@link RingMapping} for the pairing with the kernel's
 * {@code __bpf_user_ringbuf_peek}):
 * <ol>
 *   <li>Reserve: load-acquire {@code consumer_pos} (the kernel stores it with release after the drain callback
 *       is done with the records, so their space may be reused); read {@code producer_pos}; the record takes
 *       {@code round_up(size + 8, 8)} bytes and fits when that is at most {@code S - (producer_pos -
 *       consumer_pos)} (a user ring may fill completely); write the header {@code len = size | BUSY},
 *       {@code pg_off = 0} with plain stores; store-release {@code producer_pos + total}. The kernel that sees
 *       the new position therefore sees the BUSY header and stops there.</li>
 *   <li>The caller writes the payload into {@link Reservation#buffer()}.</li>
 *   <li>Submit: store-release {@code len = size} (BUSY cleared), so the kernel's load-acquire of the header
 *       sees the payload. Discard: the same with {@code DISCARD}; the kernel skips the record.</li>
 * </ol>
 * The kernel drains records in order and stops at the first BUSY one, so several reservations may be
 * outstanding and be submitted or discarded in any order; later records wait for earlier ones.
 * {@link #write(byte[])} does the three steps in one call without allocating.
 *
 * <p><b>Sizes.</b> A record must have 1 to {@value RingBufferDescriptor#USER_SAMPLE_MAX} payload bytes (the
 * kernel's dynptr limit; a larger sample would make every {@code bpf_user_ringbuf_drain} fail with
 * {@code -E2BIG}) and its rounded total must not exceed the ring size; otherwise
 * {@link org.bpfmaps.InvalidArgumentException} ({@code EINVAL}). A ring without room now makes {@link #reserve}
 * fail with {@code ENOSPC} and {@link #write} return {@code false}.
 *
 * <p><b>Threads and closing.</b> One thread produces at a time (reserve, write, submit, discard); concurrent
 * calls get {@link IllegalStateException}, since two producers would claim the same bytes. {@link #close()} may
 * be called from any thread: the mappings are released when the last running call returns, and reservations
 * still outstanding then are discarded, so the kernel is never left waiting behind a BUSY record of a writer
 * that is gone. A reservation's buffer must not be touched after its submit, its discard or the writer's close.
 * A writer that becomes unreachable unclosed is released (and its reservations discarded) by a {@link Cleaner}.
 * Reopening a writer continues at the ring's {@code producer_pos}; a BUSY record left by a process that died
 * between reserve and submit blocks the ring for good, as with libbpf.
 */
public final class LinuxUserRingBufferWriter implements UserRingBufferWriter {
    private final RingMapping mapping;
    private final ByteBuffer data;
    private final int dataSize;
    private final Resources resources;
    private final UseGate gate = new UseGate();
    private final Cleaner.Cleanable cleanable;
    private final String subject;
    private final RingBufferChecks.OneThread producer = new RingBufferChecks.OneThread();

    /** The mapping and the positions of outstanding reservations; also the cleaner action. */
    private static final class Resources implements Runnable {
        final RingMapping mapping;
        /** Positions of reserved records not yet submitted or discarded, oldest first. */
        final ArrayDeque<Long> outstanding = new ArrayDeque<>();
        private boolean released;

        Resources(RingMapping mapping) {
            this.mapping = mapping;
        }

        @Override
        public synchronized void run() {
            if (released) {
                return;
            }
            released = true;
            for (Long position : outstanding) {
                int len = mapping.lenAcquire(position);
                mapping.lenRelease(position, (len & ~RingBufferDescriptor.BUSY_BIT) | RingBufferDescriptor.DISCARD_BIT);
            }
            outstanding.clear();
            mapping.unmap();
        }
    }

    private LinuxUserRingBufferWriter(RingMapping mapping, String subject) {
        this.mapping = mapping;
        this.data = mapping.data();
        this.dataSize = mapping.dataSize();
        this.resources = new Resources(mapping);
        this.subject = subject;
        this.cleanable = UseGate.CLEANER.register(this, resources);
    }

    /**
     * Maps {@code map} for producing.
     *
     * @throws org.bpfmaps.InvalidArgumentException ({@code EINVAL}) when {@code map} is not a linux
     *                                              {@code USER_RINGBUF}
     * @throws MapClosedException                   when {@code map} is closed
     * @throws org.bpfmaps.PermissionDeniedException ({@code EACCES}) when the map's descriptor is not read-write
     * @throws org.bpfmaps.NotSupportedException    ({@code ENOTSUPP}) for a ring above the mappable size
     * @throws BpfException                         the errno of a failing {@code mmap}
     */
    public static LinuxUserRingBufferWriter open(BpfMap map) {
        Objects.requireNonNull(map, "map");
        String subject = "user ring buffer writer on " + map;
        if (!(map instanceof LinuxMap)) {
            throw invalid(subject, map + " is not a map of the linux backend");
        }
        if (map.type() != MapType.USER_RINGBUF) {
            throw invalid(subject, map + " is a " + map.type() + ", not a USER_RINGBUF");
        }
        if (map.isClosed()) {
            throw new MapClosedException(BpfCommand.RINGBUF_USER, map.toString());
        }
        if (map.access() != Access.READ_WRITE) {
            throw RingBufferDescriptor.needsReadWrite(map);
        }
        int pageSize = PageSize.get();
        long size = Integer.toUnsignedLong(map.maxEntries());
        BpfException bad = RingBufferDescriptor.checkMappable(size, pageSize, subject);
        if (bad != null) {
            throw bad;
        }
        LinuxMap linux = (LinuxMap) map;
        RingMapping mapping = linux.withFd(BpfCommand.RINGBUF_USER,
                fd -> RingMapping.map(fd, pageSize, map.maxEntries(), false, map.toString()));
        try {
            return new LinuxUserRingBufferWriter(mapping, subject);
        } catch (RuntimeException | Error e) {
            mapping.unmap();
            throw e;
        }
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
            long position = claim(size, total);
            if (position < 0) {
                throw BpfException.of(BpfCommand.RINGBUF_USER, Errno.ENOSPC.number(), subject, "no room for a "
                        + size + "-byte record (" + total + " bytes with header and padding, " + freeBytes()
                        + " free)");
            }
            int payloadAt = mapping.index(position) + RingBufferDescriptor.HEADER_LENGTH;
            ByteBuffer buffer = data.slice(payloadAt, size).order(ByteOrder.nativeOrder());
            resources.outstanding.addLast(position);
            return new LinuxReservation(position, size, buffer);
        } finally {
            exit();
        }
    }

    @Override
    public boolean write(byte[] record) {
        Objects.requireNonNull(record, "record");
        int size = record.length;
        long total = checkSize(size);
        enter();
        try {
            long position = claim(size, total);
            if (position < 0) {
                return false;
            }
            data.put(mapping.index(position) + RingBufferDescriptor.HEADER_LENGTH, record);
            mapping.lenRelease(position, size);
            return true;
        } finally {
            exit();
        }
    }

    @Override
    public long free() {
        if (!gate.acquire()) {
            throw closed();
        }
        try {
            return freeBytes();
        } finally {
            release();
        }
    }

    private long freeBytes() {
        return dataSize - (mapping.producerPositionAcquire() - mapping.consumerPositionAcquire());
    }

    /** The record's total length; refuses sizes that can never be drained. */
    private long checkSize(int size) {
        long total = RingBufferDescriptor.recordLength(size);
        RingBufferChecks.checkUserRecord(size, total, RingBufferDescriptor.USER_SAMPLE_MAX, dataSize, subject);
        return total;
    }

    /** Claims {@code total} bytes for a BUSY record of {@code size}: its position, or -1 when there is no room. */
    private long claim(int size, long total) {
        long consumerPos = mapping.consumerPositionAcquire();
        long producerPos = mapping.producerPositionAcquire();
        if (dataSize - (producerPos - consumerPos) < total) {
            return -1;
        }
        mapping.headerPlain(producerPos, size | RingBufferDescriptor.BUSY_BIT, 0);
        mapping.producerPositionRelease(producerPos + total);
        return producerPos;
    }

    /** A reserved record. */
    private final class LinuxReservation implements Reservation {
        private final long position;
        private final int size;
        private final ByteBuffer buffer;
        private boolean done;

        LinuxReservation(long position, int size, ByteBuffer buffer) {
            this.position = position;
            this.size = size;
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public void submit() {
            finish(size);
        }

        @Override
        public void discard() {
            finish(size | RingBufferDescriptor.DISCARD_BIT);
        }

        private void finish(int len) {
            enter();
            try {
                if (done) {
                    throw new IllegalStateException("the reservation at position " + position + " of " + subject
                            + " was already submitted or discarded");
                }
                done = true;
                resources.outstanding.remove(position);
                mapping.lenRelease(position, len);
            } finally {
                exit();
            }
        }

        @Override
        public String toString() {
            return "reservation of " + size + " bytes at position " + position + " of " + subject;
        }
    }

    // ---- closing and accounting ------------------------------------------------------------------------

    @Override
    public void close() {
        if (gate.markClosed()) {
            release();
        }
    }

    /** Whether {@link #close()} ran. */
    public boolean isClosed() {
        return gate.isClosed();
    }

    @Override
    public String toString() {
        return subject + (gate.isClosed() ? " (closed)" : "");
    }

    private void enter() {
        producer.enterProducer(subject);
        if (!gate.acquire()) {
            producer.exit();
            throw closed();
        }
    }

    private void exit() {
        producer.exit();
        release();
    }

    private void release() {
        if (gate.release()) {
            cleanable.clean();
        }
        Reference.reachabilityFence(this);
    }

    private MapClosedException closed() {
        return new MapClosedException(BpfCommand.RINGBUF_USER, subject);
    }

    /** For tests: whether the mapping was released. */
    boolean released() {
        synchronized (resources) {
            return resources.released;
        }
    }
}
