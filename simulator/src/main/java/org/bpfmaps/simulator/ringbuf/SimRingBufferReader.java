package org.bpfmaps.simulator.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.spi.RingBufferChecks;

/**
 * The user-space consumer of simulated {@code RINGBUF} maps, following libbpf's {@code ring_buffer} protocol on the
 * rings' {@link RingMemory}, with the observable behaviour of the linux backend's reader.
 *
 * <p><b>Consuming</b>, per ring: load {@code consumer_pos}; load-acquire {@code producer_pos}; for each record
 * before it, load-acquire the header's {@code len}: BUSY ends this ring's pass, DISCARD is skipped, any other record
 * goes to the handler, then {@code consumer_pos} is advanced by {@code round_up(len + 8, 8)} with a release store.
 * The store follows the handler, so a handler that throws leaves its record (and every later one) unconsumed. When a
 * pass reaches {@code producer_pos} it reloads it and goes on until nothing new appeared. Handlers get a read-only
 * view (native byte order) of the payload: a slice of the data area itself, or, for a record that wraps the end of
 * the ring (which the kernel's double mapping shows contiguously), a copy in a scratch buffer.
 *
 * <p><b>Waiting.</b> {@link #poll} consumes first and waits only when nothing was handled; it sleeps until one of
 * the rings is woken the way the kernel wakes epoll waiters (see {@link SimRingBuffer}: a commit at the consumer's
 * position without {@code BPF_RB_NO_WAKEUP}, or any {@code BPF_RB_FORCE_WAKEUP}), until {@link #wakeup()}, until
 * {@link #close()} or until the timeout, then consumes again. Records committed with {@code BPF_RB_NO_WAKEUP} are
 * therefore found only by the next pass. A wake-up is sticky: with no poll waiting, the next poll returns at once
 * (after handling what is available).
 *
 * <p><b>State directory.</b> In a kernel with one, each {@code consumer_pos} store is recorded as it happens (after
 * the handler returned), and what a consume or poll call recorded is {@code fsync}ed before the call returns. As on
 * the kernel, where the store follows the handler, a process killed inside a handler, or after it but before the
 * store was written, gets that record again in the next process; no other record is delivered twice.
 *
 * <p><b>Threads.</b> One thread consumes at a time; a concurrent or re-entrant consume/poll gets
 * {@link IllegalStateException}. {@link #wakeup()}, {@link #available} and {@link #close()} may be called from any
 * thread. After close, consume/poll/available fail with {@link MapClosedException}.
 */
public final class SimRingBufferReader implements RingBufferReader {

    /** One ring of the reader. */
    private static final class Ring {
        final BpfMap map;
        final int id;
        final RingMemory memory;
        final ByteBuffer readOnlyData;

        Ring(BpfMap map, RingMemory memory) {
            this.map = map;
            this.id = map.id();
            this.memory = memory;
            this.readOnlyData = memory.dataBuffer().asReadOnlyBuffer();
        }
    }

    private final Ring[] rings;
    private final String subject;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Runs once when closed (the kernel's unmap: the map's writable-mapping count goes down). */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> onClose =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    /** Counts wake-ups of any ring, {@link #wakeup()} and {@link #close()}. */
    private final AtomicLong signals = new AtomicLong();
    private volatile Thread sleeper;
    /** Holds this reader weakly, so that a reader dropped without close() can be collected (and unmapped). */
    private final RingMemory.Waiter waiter;
    private final RingBufferChecks.OneThread consumer = new RingBufferChecks.OneThread();
    private int nextRing;
    private ByteBuffer scratch = ByteBuffer.allocate(256);

    private SimRingBufferReader(Ring[] rings, String subject) {
        this.rings = rings;
        this.subject = subject;
        RingMemory[] memories = new RingMemory[rings.length];
        for (int i = 0; i < rings.length; i++) {
            memories[i] = rings[i].memory;
        }
        this.waiter = new WeakWaiter(this, memories);
        for (RingMemory m : memories) {
            m.addWaiter(waiter);
        }
    }

    /**
     * A reader over {@code maps}.
     *
     * @param ringOf the ring adapter of a map of the calling backend, or null when the map is not one of its maps
     * @throws org.bpfmaps.InvalidArgumentException ({@code EINVAL}) when no map is given, a map is not a
     *                                              {@code RINGBUF} of this backend, or a map (by id) is listed twice
     * @throws MapClosedException                   when a map is closed
     */
    public static SimRingBufferReader open(BpfMap[] maps, Function<BpfMap, RingBufMap> ringOf) {
        Objects.requireNonNull(maps, "maps");
        Objects.requireNonNull(ringOf, "ringOf");
        String subject = RingBufferChecks.readerSubject(maps);
        if (maps.length == 0) {
            throw invalid(subject, "no ring buffer given");
        }
        Set<Integer> ids = new HashSet<>();
        Ring[] rings = new Ring[maps.length];
        for (int i = 0; i < maps.length; i++) {
            BpfMap map = Objects.requireNonNull(maps[i], "map");
            RingBufMap adapter = ringOf.apply(map);
            if (adapter == null) {
                throw invalid(subject, map + " is not a map of this simulated kernel");
            }
            if (map.type() != MapType.RINGBUF || adapter.ring() == null) {
                throw invalid(subject, map + " is a " + map.type() + ", not a RINGBUF");
            }
            if (map.isClosed()) {
                throw new MapClosedException(BpfCommand.RINGBUF_USER, map.toString());
            }
            if (!ids.add(map.id())) {
                throw invalid(subject, map + " is listed twice");
            }
            rings[i] = new Ring(map, adapter.ring().memory());
        }
        return new SimRingBufferReader(rings, subject);
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
            for (;;) {
                long seen = signals.get();
                int handled = drain(handler, Integer.MAX_VALUE);
                if (handled > 0 || closed.get()) {
                    return handled;
                }
                if (wakeupPending.getAndSet(false)) {
                    return 0;
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return 0;
                }
                sleeper = Thread.currentThread();
                try {
                    while (signals.get() == seen && remaining > 0) {
                        LockSupport.parkNanos(this, remaining);
                        remaining = timeoutNanos - (System.nanoTime() - start);
                    }
                } finally {
                    sleeper = null;
                }
                if (wakeupPending.getAndSet(false)) {
                    return closed.get() ? 0 : drain(handler, Integer.MAX_VALUE);
                }
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

    /**
     * One pass over every ring, starting with {@link #nextRing}; at most {@code max} records. The consumer
     * positions it recorded (with a state directory) are {@code fsync}ed before it returns or throws.
     */
    private int drain(RecordHandler handler, int max) {
        int n = rings.length;
        int first = nextRing;
        nextRing = first + 1 == n ? 0 : first + 1;
        int handled = 0;
        try {
            for (int k = 0; k < n && handled < max && !closed.get(); k++) {
                int i = first + k;
                handled += drain(rings[i < n ? i : i - n], handler, max - handled);
            }
        } finally {
            for (Ring r : rings) {
                r.memory.sync();
            }
        }
        return handled;
    }

    /**
     * {@code smp_store_release(&consumer_pos, next)}, recorded (written, not yet {@code fsync}ed) with a state
     * directory: a process killed from here on does not get this record again.
     */
    private static void advance(RingMemory m, long next) {
        if (!m.hasLog()) {
            m.consumerPos(next); // no lambda on the in-memory hot path
            return;
        }
        m.change(false, () -> {
            m.consumerPos(next);
            return null;
        });
    }

    /** Hands the records of one ring to {@code handler} in order, at most {@code max}. */
    private int drain(Ring ring, RecordHandler handler, int max) {
        RingMemory m = ring.memory;
        long consumerPos = m.consumerPos();
        int handled = 0;
        for (;;) {
            long producerPos = m.producerPos();
            if (producerPos - consumerPos <= 0) {
                return handled;
            }
            while (producerPos - consumerPos > 0) {
                if (handled == max || closed.get()) {
                    return handled;
                }
                int len = m.lenAcquire(consumerPos);
                if (RingLayout.isBusy(len)) {
                    return handled;
                }
                long payload = RingLayout.payloadLength(len);
                long next = consumerPos + RingLayout.recordLength(payload);
                if (!RingLayout.isDiscarded(len)) {
                    handler.onRecord(ring.map, view(ring, consumerPos + RingLayout.HEADER_SIZE, (int) payload));
                    handled++;
                }
                advance(m, next);
                consumerPos = next;
            }
        }
    }

    /** A read-only view of {@code length} payload bytes at {@code pos}, contiguous even when they wrap. */
    private ByteBuffer view(Ring ring, long pos, int length) {
        RingMemory m = ring.memory;
        if (!m.wraps(pos, length)) {
            return ring.readOnlyData.slice(m.index(pos), length).order(ByteOrder.nativeOrder());
        }
        if (scratch.capacity() < length) {
            scratch = ByteBuffer.allocate(Math.max(length, scratch.capacity() * 2));
        }
        byte[] a = scratch.array();
        m.get(pos, a, 0, length);
        return scratch.asReadOnlyBuffer().slice(0, length).order(ByteOrder.nativeOrder());
    }

    // ---- other calls -----------------------------------------------------------------------------------

    /**
     * A ring's reference to its reader: weak, so the ring's wait queue does not keep a dropped reader alive; it
     * takes itself off the queue at the first wake-up after the reader is gone.
     */
    private static final class WeakWaiter implements RingMemory.Waiter {
        private final java.lang.ref.WeakReference<SimRingBufferReader> reader;
        private final RingMemory[] memories;

        WeakWaiter(SimRingBufferReader reader, RingMemory[] memories) {
            this.reader = new java.lang.ref.WeakReference<>(reader);
            this.memories = memories;
        }

        @Override
        public void wake() {
            SimRingBufferReader r = reader.get();
            if (r != null) {
                r.signal();
            } else {
                for (RingMemory m : memories) {
                    m.removeWaiter(this);
                }
            }
        }
    }

    private void signal() {
        signals.incrementAndGet();
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void wakeup() {
        if (closed.get()) {
            return;
        }
        wakeupPending.set(true);
        signal();
    }

    @Override
    public long available(BpfMap ring) {
        Objects.requireNonNull(ring, "ring");
        Ring r = find(ring);
        if (closed.get()) {
            throw closedException();
        }
        long cons = r.memory.consumerPos();
        return r.memory.producerPos() - cons;
    }

    private Ring find(BpfMap map) {
        for (Ring r : rings) {
            if (r.map == map) {
                return r;
            }
        }
        for (Ring r : rings) {
            if (r.id == map.id() && r.map.getClass() == map.getClass()) {
                return r;
            }
        }
        throw invalid(subject, map + " is not one of this reader's rings");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Runnable action = onClose.getAndSet(null);
            if (action != null) {
                action.run();
            }
            for (Ring r : rings) {
                r.memory.removeWaiter(waiter);
            }
            wakeupPending.set(true);
            signal();
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

    private void enterConsumer() {
        consumer.enterConsumer(subject);
        if (closed.get()) {
            consumer.exit();
            throw closedException();
        }
    }

    private void exitConsumer() {
        consumer.exit();
    }

    private MapClosedException closedException() {
        return new MapClosedException(BpfCommand.RINGBUF_USER, subject);
    }
}
