package org.bpfmaps.simulator.ringbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The memory a ring buffer map shares between the kernel and user space, as bytes: the consumer page
 * ({@code consumer_pos} at byte 0), the producer page ({@code producer_pos} at byte 0, {@code pending_pos} at
 * byte 8) and the data area of {@code max_entries} bytes holding records {@code {u32 len; u32 pg_off;} payload},
 * each rounded up to 8 bytes. All words are little-endian (the simulated kernel is x86_64).
 *
 * <p>Positions are byte counters that only grow; a position's byte is at data index {@code pos & (size - 1)}.
 * Java has no double mapping, so the data area is stored once and accesses that cross its end are split here;
 * readers and writers that hand out contiguous views copy wrapped records through scratch buffers.
 *
 * <p><b>Memory ordering</b> (the kernel's {@code smp_load_acquire}/{@code smp_store_release} pairs): positions and
 * header {@code len} words are read with acquire and published with release through {@link VarHandle}s over the
 * byte buffers, so whoever sees a position also sees the header and payload written before it.
 *
 * <p><b>Wake-ups.</b> The kernel wakes its wait queue ({@code irq_work} then {@code wake_up_all}) only on the
 * occasions its helpers decide; {@link #notifyWaiters()} stands for one such wake-up: it counts it and signals every
 * registered {@link Waiter}.
 *
 * <p><b>Persistence.</b> In a kernel with a state directory the ring has a {@link Log}: the reader, the writer and
 * the program helpers make every change to this memory inside {@link #change(boolean, Supplier)}, which runs it
 * under the log's lock and then records the three positions and every data byte the change wrote, so a later
 * kernel restores the memory byte for byte ({@link #restore}). Changes made directly on {@link SimRingBuffer} or
 * {@link SimUserRingBuffer} outside {@code change} are swept into the next recorded change, if any.
 */
public final class RingMemory {

    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Where a kernel with a state directory records the changes of a ring's memory. */
    public interface Log {
        /**
         * Runs {@code op} under the log's lock, then records what it changed ({@link #takeChanges()}): with
         * {@code durable}, written and {@code fsync}ed before returning; otherwise written only (it survives a
         * killed process at once, a power loss after the next {@link #sync()}).
         */
        <T> T change(boolean durable, Supplier<T> op);

        /** {@code fsync}s the changes written without it, if any. */
        void sync();
    }

    /** What changed since the last {@link #takeChanges()}: the positions now and the data ranges written. */
    public record Changes(long consumerPos, long producerPos, long pendingPos, int[] ranges) {
        /** Number of data ranges; range {@code i} is {@code ranges[2i]} (index) and {@code ranges[2i+1]} (length). */
        public int rangeCount() {
            return ranges.length / 2;
        }
    }

    /** Something waiting on the ring's wait queue. */
    public interface Waiter {
        /** Called on each wake-up of the ring; must not block. */
        void wake();
    }

    private final int size;
    private final int mask;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final AtomicLong wakeups = new AtomicLong();
    private final CopyOnWriteArrayList<Waiter> waiters = new CopyOnWriteArrayList<>();
    private volatile Log log;
    // Dirty data ranges (index, length pairs) and the positions last recorded; guarded by the log's lock.
    private int[] dirty = new int[16];
    private int dirtyCount;
    private long loggedConsumer;
    private long loggedProducer;
    private long loggedPending;

    /**
     * Zeroed memory for a ring of {@code size} data bytes.
     *
     * @param size a power of two, multiple of the page size, at most 2^30
     */
    public RingMemory(int size) {
        if (size < RingLayout.PAGE_SIZE || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two of at least one page: " + size);
        }
        this.size = size;
        this.mask = size - 1;
        this.consumerPage = ByteBuffer.allocate(RingLayout.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        this.producerPage = ByteBuffer.allocate(RingLayout.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        this.data = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Data bytes ({@code max_entries}). */
    public int size() {
        return size;
    }

    /** {@code size - 1}. */
    public int mask() {
        return mask;
    }

    /** Data index of {@code pos}. */
    public int index(long pos) {
        return (int) (pos & mask);
    }

    // ---- raw views (what an mmap would show) --------------------------------------------------------------

    /** The consumer page itself (little-endian; absolute accesses only). */
    ByteBuffer consumerPageBuffer() {
        return consumerPage;
    }

    /** The producer page itself. */
    ByteBuffer producerPageBuffer() {
        return producerPage;
    }

    /** The data area itself. */
    ByteBuffer dataBuffer() {
        return data;
    }

    /** A snapshot copy of the consumer page. */
    public byte[] consumerPageBytes() {
        return copy(consumerPage);
    }

    /** A snapshot copy of the producer page. */
    public byte[] producerPageBytes() {
        return copy(producerPage);
    }

    /** A snapshot copy of the data area. */
    public byte[] dataBytes() {
        return copy(data);
    }

    private static byte[] copy(ByteBuffer b) {
        VarHandle.acquireFence();
        byte[] out = new byte[b.capacity()];
        b.get(0, out);
        return out;
    }

    // ---- positions ------------------------------------------------------------------------------------------

    /** {@code smp_load_acquire(&consumer_pos)}. */
    public long consumerPos() {
        return (long) LONG.getAcquire(consumerPage, RingLayout.CONSUMER_POS_OFFSET);
    }

    /** {@code smp_store_release(&consumer_pos, pos)}. */
    public void consumerPos(long pos) {
        LONG.setRelease(consumerPage, RingLayout.CONSUMER_POS_OFFSET, pos);
    }

    /** {@code smp_load_acquire(&producer_pos)}. */
    public long producerPos() {
        return (long) LONG.getAcquire(producerPage, RingLayout.PRODUCER_POS_OFFSET);
    }

    /** {@code smp_store_release(&producer_pos, pos)}. */
    public void producerPos(long pos) {
        LONG.setRelease(producerPage, RingLayout.PRODUCER_POS_OFFSET, pos);
    }

    /** {@code pending_pos} (kernel producers only; read and written under the producer lock). */
    public long pendingPos() {
        return (long) LONG.getOpaque(producerPage, RingLayout.PENDING_POS_OFFSET);
    }

    void pendingPos(long pos) {
        LONG.setOpaque(producerPage, RingLayout.PENDING_POS_OFFSET, pos);
    }

    // ---- record headers -----------------------------------------------------------------------------------

    /** {@code smp_load_acquire(&hdr->len)} of the record at {@code pos}. */
    public int lenAcquire(long pos) {
        return (int) INT.getAcquire(data, index(pos));
    }

    /** {@code READ_ONCE(hdr->len)}. */
    int lenOpaque(long pos) {
        return (int) INT.getOpaque(data, index(pos));
    }

    /** {@code smp_store_release(&hdr->len, len)}. */
    void lenRelease(long pos, int len) {
        INT.setRelease(data, index(pos), len);
        touched(pos, 4);
    }

    /** {@code xchg(&hdr->len, len)} (a full barrier); returns the old word. */
    int lenExchange(long pos, int len) {
        int old = (int) INT.getAndSet(data, index(pos), len);
        touched(pos, 4);
        return old;
    }

    /** The header's {@code pg_off} word of the record at {@code pos}. */
    public int pageOffsetAt(long pos) {
        return (int) INT.getOpaque(data, index(pos) + 4);
    }

    /** Plain stores of a whole header (published later by a release of a position or of {@code len}). */
    void header(long pos, int len, int pgOff) {
        int i = index(pos);
        data.putInt(i, len);
        data.putInt(i + 4, pgOff);
        touched(pos, RingLayout.HEADER_SIZE);
    }

    // ---- payload bytes ------------------------------------------------------------------------------------

    /** Copies {@code n} bytes of {@code src} into the data area at {@code pos}, wrapping at the end. */
    void put(long pos, byte[] src, int off, int n) {
        int i = index(pos);
        int first = Math.min(n, size - i);
        data.put(i, src, off, first);
        if (first < n) {
            data.put(0, src, off + first, n - first);
        }
        touched(pos, n);
    }

    /** Copies {@code n} bytes from {@code src}'s position into the data area at {@code pos}, wrapping. */
    void put(long pos, ByteBuffer src, int n) {
        int i = index(pos);
        int first = Math.min(n, size - i);
        int p = src.position();
        data.put(i, src, p, first);
        if (first < n) {
            data.put(0, src, p + first, n - first);
        }
        touched(pos, n);
    }

    /** Copies {@code n} bytes at {@code pos} out of the data area, wrapping at the end. */
    void get(long pos, byte[] dst, int off, int n) {
        int i = index(pos);
        int first = Math.min(n, size - i);
        data.get(i, dst, off, first);
        if (first < n) {
            data.get(0, dst, off + first, n - first);
        }
    }

    /** Whether {@code n} bytes at {@code pos} cross the end of the data area. */
    boolean wraps(long pos, long n) {
        return index(pos) + n > size;
    }

    // ---- persistence ----------------------------------------------------------------------------------------

    /** Attaches the log of a kernel with a state directory (once, before the ring is used). */
    public void log(Log log) {
        this.log = log;
    }

    /** Whether the ring has a {@link Log} (its kernel has a state directory). */
    public boolean hasLog() {
        return log != null;
    }

    /** Runs {@code op}, which changes this memory, and records it when the ring has a {@link Log}. */
    public <T> T change(boolean durable, Supplier<T> op) {
        Log l = log;
        return l == null ? op.get() : l.change(durable, op);
    }

    /** {@link Log#sync()} when the ring has a log. */
    public void sync() {
        Log l = log;
        if (l != null) {
            l.sync();
        }
    }

    /** Notes that {@code n} data bytes at {@code pos} were written (when a log records them). */
    void touched(long pos, long n) {
        if (log == null || n <= 0) {
            return;
        }
        int i = index(pos);
        int first = (int) Math.min(n, size - i);
        addDirty(i, first);
        if (first < n) {
            addDirty(0, (int) (n - first));
        }
    }

    private void addDirty(int index, int length) {
        if (dirtyCount > 0 && dirty[dirtyCount - 2] + dirty[dirtyCount - 1] == index) {
            dirty[dirtyCount - 1] += length; // the common case: a header, then its payload
            return;
        }
        if (dirtyCount == dirty.length) {
            dirty = java.util.Arrays.copyOf(dirty, dirty.length * 2);
        }
        dirty[dirtyCount++] = index;
        dirty[dirtyCount++] = length;
    }

    /**
     * The changes since the last call (merged, sorted data ranges and the positions now), or null when no byte
     * was written and no position moved. Called by the {@link Log} under its lock.
     */
    public Changes takeChanges() {
        long cons = consumerPos();
        long prod = producerPos();
        long pend = pendingPos();
        if (dirtyCount == 0 && cons == loggedConsumer && prod == loggedProducer && pend == loggedPending) {
            return null;
        }
        int n = dirtyCount / 2;
        long[] sorted = new long[n];
        for (int k = 0; k < n; k++) {
            sorted[k] = (long) dirty[2 * k] << 32 | dirty[2 * k + 1];
        }
        java.util.Arrays.sort(sorted);
        int[] merged = new int[2 * n];
        int m = 0;
        for (long r : sorted) {
            int start = (int) (r >>> 32);
            int end = start + (int) r;
            if (m > 0 && start <= merged[m - 2] + merged[m - 1]) {
                merged[m - 1] = Math.max(merged[m - 2] + merged[m - 1], end) - merged[m - 2];
            } else {
                merged[m++] = start;
                merged[m++] = end - start;
            }
        }
        dirtyCount = 0;
        loggedConsumer = cons;
        loggedProducer = prod;
        loggedPending = pend;
        return new Changes(cons, prod, pend, java.util.Arrays.copyOf(merged, m));
    }

    /** A copy of {@code length} data bytes from {@code index} (no wrapping). */
    public byte[] dataBytes(int index, int length) {
        VarHandle.acquireFence();
        byte[] out = new byte[length];
        data.get(index, out, 0, length);
        return out;
    }

    /**
     * Sets the memory as a recorded change or snapshot left it (a kernel loading its state directory): the data
     * bytes at {@code index} (when not null) and the three positions.
     */
    public void restore(long consumerPos, long producerPos, long pendingPos, int index, byte[] bytes) {
        if (bytes != null) {
            if (index < 0 || index > size - bytes.length) {
                throw new IllegalArgumentException(bytes.length + " bytes at data index " + index
                        + " do not fit a ring of " + size + " bytes");
            }
            data.put(index, bytes);
        }
        LONG.setRelease(consumerPage, RingLayout.CONSUMER_POS_OFFSET, consumerPos);
        LONG.setRelease(producerPage, RingLayout.PENDING_POS_OFFSET, pendingPos);
        LONG.setRelease(producerPage, RingLayout.PRODUCER_POS_OFFSET, producerPos);
        loggedConsumer = consumerPos;
        loggedProducer = producerPos;
        loggedPending = pendingPos;
    }

    // ---- wake-ups -------------------------------------------------------------------------------------------

    /** One wake-up of the ring's wait queue, as {@code bpf_ringbuf_notify} does it. */
    void notifyWaiters() {
        wakeups.incrementAndGet();
        for (Waiter w : waiters) {
            w.wake();
        }
    }

    /** How many wake-ups the kernel would have sent so far. */
    public long wakeups() {
        return wakeups.get();
    }

    /** Adds a waiter on the ring's wait queue. */
    public void addWaiter(Waiter w) {
        waiters.add(w);
    }

    /** Removes a waiter. */
    public void removeWaiter(Waiter w) {
        waiters.remove(w);
    }
}
