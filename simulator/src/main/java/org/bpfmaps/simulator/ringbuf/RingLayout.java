package org.bpfmaps.simulator.ringbuf;

/**
 * The numbers of the kernel's ring buffer layout and protocol (6.18, x86_64, 4 KiB pages).
 *
 * <p>The kernel's {@code struct bpf_ringbuf} is page-aligned: one page of kernel-only fields (wait queue, irq work,
 * mask, page array, spinlock, the user-ring busy flag), then the consumer page ({@code consumer_pos}), then the
 * producer page ({@code producer_pos}, followed by {@code pending_pos}), then the data pages, mapped twice. A record
 * header's {@code pg_off} is the page offset of the header from the start of that struct, so a record whose header
 * sits at data index {@code i} carries {@code pg_off = 3 + i / 4096}.
 */
public final class RingLayout {

    /** {@code PAGE_SIZE}. */
    public static final int PAGE_SIZE = 4096;
    /** {@code PAGE_SHIFT}. */
    public static final int PAGE_SHIFT = 12;
    /** {@code RINGBUF_PGOFF}: the kernel-only page before the consumer page. */
    public static final int RINGBUF_PGOFF = 1;
    /** {@code RINGBUF_POS_PAGES}: the consumer page and the producer page. */
    public static final int RINGBUF_POS_PAGES = 2;
    /** {@code RINGBUF_NR_META_PAGES}: pages before the data; also the {@code pg_off} of data index 0. */
    public static final int META_PAGES = RINGBUF_PGOFF + RINGBUF_POS_PAGES;
    /** {@code BPF_RINGBUF_HDR_SZ}: {@code struct bpf_ringbuf_hdr {u32 len; u32 pg_off;}}. */
    public static final int HEADER_SIZE = 8;
    /** {@code BPF_RINGBUF_BUSY_BIT}: the record is reserved and not yet committed. */
    public static final int BUSY_BIT = 1 << 31;
    /** {@code BPF_RINGBUF_DISCARD_BIT}: the record was discarded; consumers skip it. */
    public static final int DISCARD_BIT = 1 << 30;
    /** {@code RINGBUF_MAX_RECORD_SZ}: {@code UINT_MAX / 4}. */
    public static final long MAX_RECORD_SIZE = 0xFFFF_FFFFL / 4;
    /** {@code RINGBUF_MAX_DATA_SZ}: {@code ((1 << 24) - RINGBUF_POS_PAGES - RINGBUF_PGOFF) * PAGE_SIZE}. */
    public static final long MAX_DATA_SIZE = ((1L << 24) - RINGBUF_POS_PAGES - RINGBUF_PGOFF) * PAGE_SIZE;
    /** {@code DYNPTR_MAX_SIZE}: the largest sample {@code bpf_user_ringbuf_drain} hands to its callback. */
    public static final int DYNPTR_MAX_SIZE = (1 << 24) - 1;
    /** {@code BPF_MAX_USER_RINGBUF_SAMPLES}: samples (discarded ones included) one drain call visits at most. */
    public static final int MAX_USER_RINGBUF_SAMPLES = 128 * 1024;

    /** {@code BPF_RB_NO_WAKEUP}. */
    public static final long RB_NO_WAKEUP = 1;
    /** {@code BPF_RB_FORCE_WAKEUP}. */
    public static final long RB_FORCE_WAKEUP = 2;
    /** {@code bpf_ringbuf_query} flag {@code BPF_RB_AVAIL_DATA}. */
    public static final long RB_AVAIL_DATA = 0;
    /** {@code bpf_ringbuf_query} flag {@code BPF_RB_RING_SIZE}. */
    public static final long RB_RING_SIZE = 1;
    /** {@code bpf_ringbuf_query} flag {@code BPF_RB_CONS_POS}. */
    public static final long RB_CONS_POS = 2;
    /** {@code bpf_ringbuf_query} flag {@code BPF_RB_PROD_POS}. */
    public static final long RB_PROD_POS = 3;

    /**
     * {@code sizeof(struct bpf_ringbuf_map)} on 6.18 x86_64 ({@code struct bpf_map} plus the {@code rb} pointer),
     * derived from the memlock the kernel reported for a 4096-byte ring (16728 bytes, SEMANTICS.md section 6)
     * minus the page terms of {@code ringbuf_map_mem_usage}.
     */
    public static final long SIZEOF_RINGBUF_MAP = 304;
    /** Offset of {@code producer_pos} in the producer page. */
    public static final int PRODUCER_POS_OFFSET = 0;
    /** Offset of {@code pending_pos} in the producer page (the field that follows {@code producer_pos}). */
    public static final int PENDING_POS_OFFSET = 8;
    /** Offset of {@code consumer_pos} in the consumer page. */
    public static final int CONSUMER_POS_OFFSET = 0;

    private RingLayout() {
    }

    /** {@code round_up(payload + BPF_RINGBUF_HDR_SZ, 8)}: bytes a record of {@code payload} bytes takes. */
    public static long recordLength(long payload) {
        return (payload + HEADER_SIZE + 7) & ~7L;
    }

    /** The payload length of a header's {@code len} word (the BUSY and DISCARD bits cleared), unsigned. */
    public static long payloadLength(int len) {
        return Integer.toUnsignedLong(len & ~(BUSY_BIT | DISCARD_BIT));
    }

    /** Whether a header's {@code len} word has the BUSY bit. */
    public static boolean isBusy(int len) {
        return (len & BUSY_BIT) != 0;
    }

    /** Whether a header's {@code len} word has the DISCARD bit. */
    public static boolean isDiscarded(int len) {
        return (len & DISCARD_BIT) != 0;
    }

    /** The {@code pg_off} the kernel writes into the header of a record at data index {@code index}. */
    public static int pageOffset(int index) {
        return META_PAGES + (index >>> PAGE_SHIFT);
    }

    /**
     * {@code ringbuf_map_mem_usage}: {@code sizeof(struct bpf_ringbuf_map) + nr_pages * PAGE_SIZE +
     * (nr_meta_pages + 2 * nr_data_pages) * sizeof(struct page *)}, with {@code nr_pages = nr_meta_pages +
     * nr_data_pages}. 16728 for a 4096-byte ring.
     */
    public static long memlock(long dataSize) {
        long dataPages = dataSize >> PAGE_SHIFT;
        return SIZEOF_RINGBUF_MAP + ((META_PAGES + dataPages) << PAGE_SHIFT) + (META_PAGES + 2 * dataPages) * 8;
    }
}
