package org.bpfmaps.linux.ringbuf;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.spi.RingBufferChecks;
import org.bpfmaps.linux.LinuxMap;

/**
 * The consumer side of kernel {@code RINGBUF} maps, on their shared memory, as libbpf's {@code ring_buffer}
 * does it.
 *
 * <p><b>Mapping.</b> Per ring, the consumer page read-write and the producer page with the doubled data area
 * read-only ({@link RingBufferDescriptor}); the doubling means a record that wraps the end of the ring is one
 * contiguous slice, so handlers always get a single read-only {@link ByteBuffer} (native byte order) over the
 * record itself, with no copy. The mappings hold the maps open: the reader keeps working if the caller closes
 * a {@link BpfMap} first.
 *
 * <p><b>Protocol and ordering</b> (see {@link RingMapping} for the pairing with the kernel): per ring, read
 * {@code consumer_pos}; load-acquire {@code producer_pos}; for each record before it, load-acquire the header's
 * {@code len}: BUSY ends this ring's pass (records are visible in reservation order), DISCARD is skipped, any
 * other record goes to the handler; then {@code consumer_pos} is advanced past the record with a store-release.
 * The store comes after the handler returns, so a handler that throws leaves its record (and every later one)
 * unconsumed, and a reader closed and reopened on a pinned ring starts exactly after the last handled record.
 * When a pass reaches {@code producer_pos}, it reloads it and goes on until nothing new appeared.
 *
 * <p><b>Waiting.</b> One epoll instance watches every map fd for {@code EPOLLIN} (level-triggered, as libbpf)
 * and an eventfd that {@link #wakeup()} writes. {@link #poll} consumes first, and waits only when nothing was
 * handled; epoll reports a ring as ready while it holds any unconsumed bytes, also when the first record is
 * still BUSY (a program is between reserve and submit, which the verifier bounds to one program run), so in
 * that case {@code poll} yields and retries until its deadline rather than sleeping. A wake-up is sticky: if no
 * {@code poll} is waiting, the next one returns at once (after handling what is already available).
 *
 * <p><b>Threads.</b> One thread consumes at a time: a second thread calling {@link #consume} or {@link #poll}
 * concurrently, or a handler calling them re-entrantly, gets {@link IllegalStateException} (either would deliver
 * a record twice). {@link #wakeup()}, {@link #available} and {@link #close()} may be called from any thread.
 * {@code close()} marks the reader closed, wakes a waiting {@code poll}, and the mappings and descriptors are
 * released when the last running call returns, so a call in progress never touches unmapped memory; a handler
 * that calls {@code close()} ends the pass after its record. Handlers must not keep record buffers: after the
 * handler returns the producer may overwrite the bytes, and after {@code close()} they are unmapped (touching
 * them then crashes the JVM). A reader that becomes unreachable unclosed is released by a {@link Cleaner}.
 *
 * <p><b>Limits.</b> Rings above {@value RingBufferDescriptor#MAX_MAPPED_DATA_SIZE} bytes are refused with
 * {@code ENOTSUPP} (the doubled data area must fit one {@code ByteBuffer}).
 */
public final class LinuxRingBufferReader implements RingBufferReader {
    private final Ring[] rings;
    private final Resources resources;
    private final Poller poller;
    private final UseGate gate = new UseGate();
    private final Cleaner.Cleanable cleanable;
    private final String subject;
    private final RingBufferChecks.OneThread consumer = new RingBufferChecks.OneThread();
    /** The ring the next pass starts with, rotated so bounded consumes do not starve later rings. */
    private int nextRing;

    /** One mapped ring. */
    private static final class Ring {
        final BpfMap map;
        final int id;
        final RingMapping mapping;
        final ByteBuffer readOnlyData;

        Ring(BpfMap map, RingMapping mapping) {
            this.map = map;
            this.id = map.id();
            this.mapping = mapping;
            this.readOnlyData = mapping.data().asReadOnlyBuffer();
        }

        /** A read-only, native-order view of {@code length} bytes at {@code index} of the data area. */
        ByteBuffer view(int index, int length) {
            return readOnlyData.slice(index, length).order(ByteOrder.nativeOrder());
        }
    }

    /** The mappings and the poller; also the cleaner action. Never references the reader. */
    private static final class Resources implements Runnable {
        final List<RingMapping> mappings = new ArrayList<>();
        Poller poller;
        private boolean released;

        @Override
        public synchronized void run() {
            if (released) {
                return;
            }
            released = true;
            for (RingMapping m : mappings) {
                m.unmap();
            }
            if (poller != null) {
                poller.close();
            }
        }
    }

    private LinuxRingBufferReader(Ring[] rings, Resources resources, String subject) {
        this.rings = rings;
        this.resources = resources;
        this.poller = resources.poller;
        this.subject = subject;
        this.cleanable = UseGate.CLEANER.register(this, resources);
    }

    /**
     * Maps {@code maps} and watches them.
     *
     * <p>Every map is checked before anything is mapped: it must be an open {@code RINGBUF} of the linux
     * backend, listed once, of a size this reader maps.
     *
     * @throws org.bpfmaps.InvalidArgumentException ({@code EINVAL}) when no map is given, a map is not a linux
     *                                              {@code RINGBUF}, or a map (by id) is listed twice
     * @throws MapClosedException                   when a map is closed
     * @throws org.bpfmaps.PermissionDeniedException ({@code EACCES}, as {@code mmap} answers) when a map's
     *                                              descriptor is not read-write
     * @throws org.bpfmaps.NotSupportedException    ({@code ENOTSUPP}) for a ring above the mappable size
     * @throws BpfException                         the errno of a failing {@code mmap}, {@code epoll_create1},
     *                                              {@code eventfd} or {@code epoll_ctl}
     */
    public static LinuxRingBufferReader open(BpfMap... maps) {
        Objects.requireNonNull(maps, "maps");
        String subject = RingBufferChecks.readerSubject(maps);
        if (maps.length == 0) {
            throw invalid(subject, "no ring buffer given");
        }
        int pageSize = PageSize.get();
        Set<Integer> ids = new HashSet<>();
        for (BpfMap map : maps) {
            Objects.requireNonNull(map, "map");
            if (!(map instanceof LinuxMap)) {
                throw invalid(subject, map + " is not a map of the linux backend");
            }
            if (map.type() != MapType.RINGBUF) {
                throw invalid(subject, map + " is a " + map.type() + ", not a RINGBUF");
            }
            if (map.isClosed()) {
                throw new MapClosedException(BpfCommand.RINGBUF_USER, map.toString());
            }
            if (map.access() != Access.READ_WRITE) {
                throw RingBufferDescriptor.needsReadWrite(map);
            }
            if (!ids.add(map.id())) {
                throw invalid(subject, map + " is listed twice");
            }
            BpfException bad = RingBufferDescriptor.checkMappable(Integer.toUnsignedLong(map.maxEntries()), pageSize,
                    map.toString());
            if (bad != null) {
                throw bad;
            }
        }
        Resources resources = new Resources();
        try {
            Poller poller = Poller.open(maps.length, subject);
            resources.poller = poller;
            Ring[] rings = new Ring[maps.length];
            for (int i = 0; i < maps.length; i++) {
                LinuxMap map = (LinuxMap) maps[i];
                long token = i;
                RingMapping mapping = map.withFd(BpfCommand.RINGBUF_USER, fd -> {
                    RingMapping m = RingMapping.map(fd, pageSize, map.maxEntries(), true, map.toString());
                    resources.mappings.add(m);
                    poller.add(fd, token, map.toString());
                    return m;
                });
                rings[i] = new Ring(map, mapping);
            }
            return new LinuxRingBufferReader(rings, resources, subject);
        } catch (RuntimeException | Error e) {
            resources.run();
            throw e;
        }
    }

    private static BpfException invalid(String subject, String detail) {
        return RingBufferChecks.invalid(subject, detail);
    }

    // ---- consuming -------------------------------------------------------------------------------------

    @Override
    public int consume(RecordHandler handler) {
        return consume(handler, Integer.MAX_VALUE);
    }

    @Override
    public int consume(RecordHandler handler, int maxRecords) {
        RingBufferChecks.checkConsume(handler, maxRecords, subject);
        enterConsumer();
        try {
            return maxRecords == 0 ? 0 : drain(handler, maxRecords);
        } finally {
            exitConsumer();
        }
    }

    @Override
    public int poll(RecordHandler handler, Duration timeout) {
        RingBufferChecks.checkPoll(handler, timeout, subject);
        enterConsumer();
        try {
            long start = System.nanoTime();
            long timeoutNanos = saturatedNanos(timeout);
            boolean spinning = false;
            for (;;) {
                int handled = drain(handler, Integer.MAX_VALUE);
                if (handled > 0 || gate.isClosed()) {
                    return handled;
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return 0;
                }
                if (spinning) {
                    Thread.yield();
                }
                int ready = poller.await(millisRoundedUp(remaining));
                if (ready < 0) {
                    if (Poller.interrupted(ready)) {
                        continue;
                    }
                    throw BpfException.of(BpfCommand.RINGBUF_USER, -ready, subject, "epoll_wait failed");
                }
                boolean woken = false;
                for (int i = 0; i < ready; i++) {
                    if (poller.token(i) == Poller.WAKEUP) {
                        poller.clearWakeup();
                        woken = true;
                    }
                }
                if (woken) {
                    return gate.isClosed() ? 0 : drain(handler, Integer.MAX_VALUE);
                }
                // A ring reported ready but the pass found nothing: its first record is BUSY (or it held only
                // discarded records, and then epoll sleeps next time). Level-triggered epoll would report it
                // again at once, so give the producer the CPU between tries.
                spinning = ready > 0;
            }
        } finally {
            exitConsumer();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static int millisRoundedUp(long nanos) {
        long ms = nanos / 1_000_000L + (nanos % 1_000_000L == 0 ? 0 : 1);
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** One pass over every ring, starting with {@link #nextRing}; at most {@code max} records. */
    private int drain(RecordHandler handler, int max) {
        int n = rings.length;
        int first = nextRing;
        nextRing = first + 1 == n ? 0 : first + 1;
        int handled = 0;
        for (int k = 0; k < n && handled < max && !gate.isClosed(); k++) {
            int i = first + k;
            handled += drain(rings[i < n ? i : i - n], handler, max - handled);
        }
        return handled;
    }

    /** Hands the records of one ring to {@code handler} in order, at most {@code max}. */
    private int drain(Ring ring, RecordHandler handler, int max) {
        RingMapping m = ring.mapping;
        long consumerPos = m.consumerPositionAcquire();
        int handled = 0;
        for (;;) {
            long producerPos = m.producerPositionAcquire();
            if (producerPos - consumerPos <= 0) {
                return handled;
            }
            while (producerPos - consumerPos > 0) {
                if (handled == max || gate.isClosed()) {
                    return handled;
                }
                int len = m.lenAcquire(consumerPos);
                if (RingBufferDescriptor.isBusy(len)) {
                    return handled;
                }
                int payload = RingBufferDescriptor.payloadLength(len);
                long next = consumerPos + RingBufferDescriptor.recordLength(payload);
                if (!RingBufferDescriptor.isDiscarded(len)) {
                    handler.onRecord(ring.map, ring.view(m.index(consumerPos) + RingBufferDescriptor.HEADER_LENGTH,
                            payload));
                    handled++;
                }
                m.consumerPositionRelease(next);
                consumerPos = next;
            }
        }
    }

    // ---- other calls -----------------------------------------------------------------------------------

    @Override
    public void wakeup() {
        if (gate.acquire()) {
            try {
                poller.wakeup();
            } finally {
                release();
            }
        }
    }

    @Override
    public long available(BpfMap ring) {
        Objects.requireNonNull(ring, "ring");
        Ring r = find(ring);
        if (!gate.acquire()) {
            throw closed();
        }
        try {
            return r.mapping.producerPositionAcquire() - r.mapping.consumerPositionAcquire();
        } finally {
            release();
        }
    }

    private Ring find(BpfMap map) {
        for (Ring r : rings) {
            if (r.map == map) {
                return r;
            }
        }
        if (map instanceof LinuxMap) {
            for (Ring r : rings) {
                if (r.id == map.id()) {
                    return r;
                }
            }
        }
        throw invalid(subject, map + " is not one of this reader's rings");
    }

    @Override
    public void close() {
        if (gate.markClosed()) {
            poller.wakeup();
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

    // ---- use and thread accounting ---------------------------------------------------------------------

    private void enterConsumer() {
        consumer.enterConsumer(subject);
        if (!gate.acquire()) {
            consumer.exit();
            throw closed();
        }
    }

    private void exitConsumer() {
        consumer.exit();
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

    /** For tests: whether the mappings and descriptors were released. */
    boolean released() {
        synchronized (resources) {
            return resources.released;
        }
    }
}
