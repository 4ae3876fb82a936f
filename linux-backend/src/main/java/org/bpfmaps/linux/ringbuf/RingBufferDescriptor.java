package org.bpfmaps.linux.ringbuf;

import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;

/**
 * Layout of a {@code RINGBUF} / {@code USER_RINGBUF} map as user space maps it, and of its records.
 *
 * <p>Exists so offsets, bits and size rules have one home (the kernel's {@code kernel/bpf/ringbuf.c} and
 * SEMANTICS §4.7/§4.8); the reader and the writer only call these helpers.
 *
 * <p>The map's file is mapped in two pieces; {@code P} is the kernel's page size, {@code S} the data size
 * ({@code max_entries}, a power of two and a multiple of {@code P}):
 * <pre>
 *   file offset 0      +---------------------------+  consumer mapping (P bytes)
 *                      | consumer_pos (u64)        |  RINGBUF: read-write, USER_RINGBUF: read-only
 *                      | rest of the page unused   |
 *   file offset P      +---------------------------+  producer mapping (P + 2*S bytes)
 *                      | producer_pos (u64)        |  RINGBUF: read-only, USER_RINGBUF: read-write
 *                      | rest of the page unused   |
 *   mapping offset P   +---------------------------+
 *                      | data pages 0 .. S-1       |
 *   mapping offset P+S +---------------------------+
 *                      | the same pages again      |  so a record that wraps the end is contiguous
 *                      +---------------------------+
 * </pre>
 * Positions are byte counters that only grow; a position's place in the data area is {@code pos & (S - 1)}.
 * A record is an 8-byte header and its payload, its total rounded up to 8 bytes:
 * <pre>
 *   byte 0   bit 31 30 29 .............................. 0
 *               +--+--+----------------------------------+
 *               |B |D | payload length (30 bits)         |  len (u32, native order)
 *               +--+--+----------------------------------+
 *   byte 4      | pg_off (u32)                           |  RINGBUF: the header's page offset in the kernel
 *               |                                        |  object (consumers ignore it); USER_RINGBUF: 0,
 *               +----------------------------------------+  the kernel ignores it
 *   byte 8      | payload, padded to a multiple of 8     |
 *               +----------------------------------------+
 * </pre>
 * {@code B} (bit 31) = BUSY, reserved but not yet committed; {@code D} (bit 30) = DISCARD, committed and to be
 * skipped.
 */
final class RingBufferDescriptor {
    /** Offset within the consumer mapping of {@code consumer_pos}. */
    static final int CONSUMER_POS_OFFSET = 0;
    /** Offset within the producer mapping of {@code producer_pos}. */
    static final int PRODUCER_POS_OFFSET = 0;

    /** Offset within a record of the {@code len} word. */
    static final int LEN_OFFSET = 0;
    /** Offset within a record of the {@code pg_off} word. */
    static final int PG_OFF_OFFSET = 4;
    /** Length of the record header; also the offset of the payload within a record. */
    static final int HEADER_LENGTH = 8;
    /** Records start and end on multiples of this. */
    static final int RECORD_ALIGNMENT = 8;

    /** {@code BPF_RINGBUF_BUSY_BIT}: the record is reserved and not yet committed. */
    static final int BUSY_BIT = 1 << 31;
    /** {@code BPF_RINGBUF_DISCARD_BIT}: the record was discarded; consumers skip it. */
    static final int DISCARD_BIT = 1 << 30;
    /** The bits of {@code len} that are flags, not length. */
    static final int FLAG_BITS = BUSY_BIT | DISCARD_BIT;

    /**
     * Largest user ring buffer sample the kernel drains: {@code bpf_dynptr_check_size} refuses more than
     * {@code DYNPTR_MAX_SIZE} (2^24 - 1), and {@code bpf_user_ringbuf_drain} then fails with {@code -E2BIG}
     * on every call, so such a record would block the ring for good.
     */
    static final int USER_SAMPLE_MAX = (1 << 24) - 1;

    /**
     * Largest data size these classes map: the producer mapping ({@code P + 2*S} bytes) is one Java
     * {@code ByteBuffer}, whose capacity is an {@code int}.
     */
    static final int MAX_MAPPED_DATA_SIZE = 1 << 29;

    private RingBufferDescriptor() {
    }

    /**
     * The refusal of a descriptor that is not read-write. Both pieces are mapped {@code MAP_SHARED}, which needs a
     * read-write file: the kernel answers {@code EACCES} for a writable mapping of a read-only descriptor and for
     * any mapping of a write-only one, and {@code EINVAL} for a read-only mapping of a read-only descriptor
     * (the mapping is no longer shared). One answer, {@code EACCES}, before anything is mapped.
     */
    static BpfException needsReadWrite(BpfMap map) {
        return BpfException.of(BpfCommand.RINGBUF_USER, Errno.EACCES.number(), map.toString(), "the descriptor is "
                + map.access() + "; ring buffers are mapped shared, which needs a READ_WRITE descriptor");
    }

    /** Length of the producer mapping: the producer page and the data area twice. */
    static int producerMappingLength(int pageSize, int dataSize) {
        return pageSize + 2 * dataSize;
    }

    /** Payload length from a {@code len} word (flag bits cleared). */
    static int payloadLength(int len) {
        return len & ~FLAG_BITS;
    }

    /** Bytes a record with {@code payloadLength} payload bytes takes in the ring: header + payload, rounded up to 8. */
    static long recordLength(long payloadLength) {
        return (payloadLength + HEADER_LENGTH + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** Whether {@code len} has the BUSY bit. */
    static boolean isBusy(int len) {
        return (len & BUSY_BIT) != 0;
    }

    /** Whether {@code len} has the DISCARD bit. */
    static boolean isDiscarded(int len) {
        return (len & DISCARD_BIT) != 0;
    }

    /**
     * The refusal of a ring of {@code dataSize} bytes ({@code max_entries}), or {@code null} when it can be
     * mapped: {@code ENOTSUPP} ({@link org.bpfmaps.NotSupportedException}) above {@link #MAX_MAPPED_DATA_SIZE},
     * a limit of this backend, and {@code EINVAL} for a size the kernel would not have created.
     */
    static BpfException checkMappable(long dataSize, int pageSize, String subject) {
        String bad = checkDataSize(dataSize, pageSize);
        if (bad == null) {
            return null;
        }
        Errno errno = dataSize > MAX_MAPPED_DATA_SIZE ? Errno.ENOTSUPP : Errno.EINVAL;
        return BpfException.of(BpfCommand.RINGBUF_USER, errno.number(), subject, bad);
    }

    /**
     * Why a map of {@code dataSize} bytes ({@code max_entries}) cannot be mapped, or {@code null} when it can: it
     * must be a power of two and a multiple of the page size (the kernel's creation rule), and at most
     * {@link #MAX_MAPPED_DATA_SIZE}.
     */
    static String checkDataSize(long dataSize, int pageSize) {
        if (dataSize <= 0 || Long.bitCount(dataSize) != 1 || dataSize % pageSize != 0) {
            return "data size " + dataSize + " is not a power of two multiple of the page size " + pageSize;
        }
        if (dataSize > MAX_MAPPED_DATA_SIZE) {
            return "data size " + dataSize + " is above " + MAX_MAPPED_DATA_SIZE
                    + " bytes, the largest ring this backend maps (one ByteBuffer spans the doubled data area)";
        }
        return null;
    }
}
