package org.bpfmaps.linux.ringbuf;

import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.linux.sys.LibC;

/**
 * One ring buffer map mapped into this process ({@link RingBufferDescriptor} draws the layout), with the
 * ordered accesses the ring protocol needs.
 *
 * <p>Exists so the reader and the writer share one place that touches the shared pages, and every access says
 * its memory ordering in its name. The two positions and the record {@code len} words are shared with the
 * kernel, which uses {@code smp_load_acquire} / {@code smp_store_release} on them; this class does the same
 * through {@link VarHandle} byte-buffer views ({@code getAcquire} / {@code setRelease}). These compile to plain
 * loads and stores on x86-64 (TSO) and to {@code ldar} / {@code stlr} on arm64, and bind the JIT as well as the
 * CPU: no later access of the thread moves before an acquire load, no earlier one after a release store. The
 * pairs:
 * <ul>
 *   <li>{@link #producerPositionAcquire()} then {@link #lenAcquire(long)}: the producer wrote the header before
 *       publishing {@code producer_pos} with a release store, and cleared BUSY with a release store (kernel:
 *       {@code xchg}) after writing the payload, so a reader that sees a record not BUSY sees its payload.</li>
 *   <li>{@link #consumerPositionRelease(long)}: every read of the consumed records happens before the store, so
 *       a producer that acquires the new {@code consumer_pos} may overwrite them.</li>
 *   <li>{@link #consumerPositionAcquire()} (user ring buffer reserve): the kernel stores {@code consumer_pos}
 *       with release after its drain callback is done with the records, so their bytes may be reused.</li>
 *   <li>{@link #producerPositionRelease(long)} (user ring buffer): the BUSY header is written before, so the
 *       kernel never sees the new position with a stale header.</li>
 *   <li>{@link #lenRelease(long, int)} (user ring buffer submit or discard): the payload is written before.</li>
 * </ul>
 * All of these words are naturally aligned (positions at page starts, headers at multiples of 8), as the
 * atomic access modes require.
 *
 * <p>Not thread-safe by itself: the owner decides who may call what, and must not call anything after
 * {@link #unmap()}.
 */
final class RingMapping {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long MAP_FAILED = -1L;

    private final long consumerAddress;
    private final int consumerLength;
    private final long producerAddress;
    private final int producerLength;
    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final int dataSize;
    private final long mask;
    private boolean unmapped;

    private RingMapping(long consumerAddress, int consumerLength, long producerAddress, int producerLength,
                        int pageSize, int dataSize) {
        this.consumerAddress = consumerAddress;
        this.consumerLength = consumerLength;
        this.producerAddress = producerAddress;
        this.producerLength = producerLength;
        this.consumerPage = new Pointer(consumerAddress).getByteBuffer(0, consumerLength)
                .order(ByteOrder.nativeOrder());
        this.producerPage = new Pointer(producerAddress).getByteBuffer(0, producerLength)
                .order(ByteOrder.nativeOrder());
        this.data = producerPage.slice(pageSize, 2 * dataSize).order(ByteOrder.nativeOrder());
        this.dataSize = dataSize;
        this.mask = dataSize - 1L;
    }

    /**
     * Maps the ring behind {@code fd}.
     *
     * @param kernelProducer {@code true} for a RINGBUF (consumer page read-write, producer page and data
     *                       read-only), {@code false} for a USER_RINGBUF (the other way round)
     * @param dataSize       {@code max_entries}, already checked with {@link RingBufferDescriptor#checkDataSize}
     * @throws BpfException (command {@link BpfCommand#RINGBUF_USER}) with {@code mmap}'s errno; nothing stays
     *                      mapped
     */
    static RingMapping map(int fd, int pageSize, int dataSize, boolean kernelProducer, String subject) {
        int consumerProt = kernelProducer ? PROT_READ | PROT_WRITE : PROT_READ;
        int producerProt = kernelProducer ? PROT_READ : PROT_READ | PROT_WRITE;
        long consumer = LibC.mmap(0, pageSize, consumerProt, MAP_SHARED, fd, 0);
        if (consumer == MAP_FAILED) {
            throw BpfException.of(BpfCommand.RINGBUF_USER, LibC.errno(), subject,
                    "mmap of the consumer page (" + (kernelProducer ? "read-write" : "read-only") + ") failed");
        }
        int producerLength = RingBufferDescriptor.producerMappingLength(pageSize, dataSize);
        long producer = LibC.mmap(0, producerLength, producerProt, MAP_SHARED, fd, pageSize);
        if (producer == MAP_FAILED) {
            int errno = LibC.errno();
            LibC.munmap(consumer, pageSize);
            throw BpfException.of(BpfCommand.RINGBUF_USER, errno, subject, "mmap of the producer page and "
                    + "data area (" + producerLength + " bytes, " + (kernelProducer ? "read-only" : "read-write")
                    + ") failed");
        }
        return new RingMapping(consumer, pageSize, producer, producerLength, pageSize, dataSize);
    }

    /** The data size {@code S} (max_entries). */
    int dataSize() {
        return dataSize;
    }

    /** Where {@code position} falls in {@link #data()}: {@code position & (S - 1)}. */
    int index(long position) {
        return (int) (position & mask);
    }

    /**
     * The data area, {@code 2 * S} bytes (the second half is the first again), native order. Writable as a Java
     * object even when the pages are mapped read-only: writing those would crash, so readers hand out only
     * read-only views.
     */
    ByteBuffer data() {
        return data;
    }

    /** {@code consumer_pos}, load-acquire. */
    long consumerPositionAcquire() {
        return (long) LONG.getAcquire(consumerPage, RingBufferDescriptor.CONSUMER_POS_OFFSET);
    }

    /** Stores {@code consumer_pos} with release ordering (kernel-producer rings only: the page is writable). */
    void consumerPositionRelease(long position) {
        LONG.setRelease(consumerPage, RingBufferDescriptor.CONSUMER_POS_OFFSET, position);
    }

    /** {@code producer_pos}, load-acquire. */
    long producerPositionAcquire() {
        return (long) LONG.getAcquire(producerPage, RingBufferDescriptor.PRODUCER_POS_OFFSET);
    }

    /** Stores {@code producer_pos} with release ordering (user ring buffers only: the page is writable). */
    void producerPositionRelease(long position) {
        LONG.setRelease(producerPage, RingBufferDescriptor.PRODUCER_POS_OFFSET, position);
    }

    /** The {@code len} word of the record at {@code position}, load-acquire. */
    int lenAcquire(long position) {
        return (int) INT.getAcquire(data, index(position) + RingBufferDescriptor.LEN_OFFSET);
    }

    /** Writes the header of the record at {@code position} with plain stores (ordered by a later release). */
    void headerPlain(long position, int len, int pgOff) {
        int at = index(position);
        data.putInt(at + RingBufferDescriptor.PG_OFF_OFFSET, pgOff);
        data.putInt(at + RingBufferDescriptor.LEN_OFFSET, len);
    }

    /** Stores the {@code len} word of the record at {@code position} with release ordering (user ring buffers). */
    void lenRelease(long position, int len) {
        INT.setRelease(data, index(position) + RingBufferDescriptor.LEN_OFFSET, len);
    }

    /** Unmaps both pieces; idempotent. Buffers obtained from this mapping must not be touched afterwards. */
    void unmap() {
        if (!unmapped) {
            unmapped = true;
            LibC.munmap(producerAddress, producerLength);
            LibC.munmap(consumerAddress, consumerLength);
        }
    }
}
