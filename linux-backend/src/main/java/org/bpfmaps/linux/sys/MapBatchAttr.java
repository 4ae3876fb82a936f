package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for the four batch commands ({@code attr.batch}).
 *
 * <p>Exists so the batch wrapper fills named fields only.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              in_batch (u64 user pointer, 0: start)          0 |
 *  |              out_batch (u64 user pointer)                   8 |
 *  |              keys (u64 user pointer)                       16 |
 *  |              values (u64 user pointer)                     24 |
 *  |              count (u32, in: capacity, out: done)          32 |
 *  |              map_fd (u32)                                  36 |
 *  |              elem_flags (u64)                              40 |
 *  |              flags (u64, must be 0)                        48 |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MapBatchAttr {
    /** Offset of {@code in_batch}: where to continue; 0 starts from the beginning. */
    public static final int IN_BATCH_OFFSET = 0;
    /** Offset of {@code out_batch}: where the kernel writes the cursor for the next call. */
    public static final int OUT_BATCH_OFFSET = 8;
    /** Offset of {@code keys}: the packed key array. */
    public static final int KEYS_OFFSET = 16;
    /** Offset of {@code values}: the packed value array. */
    public static final int VALUES_OFFSET = 24;
    /** Offset of {@code count}: elements requested in, elements processed out. */
    public static final int COUNT_OFFSET = 32;
    /** Offset of {@code map_fd}. */
    public static final int MAP_FD_OFFSET = 36;
    /** Offset of {@code elem_flags}. */
    public static final int ELEM_FLAGS_OFFSET = 40;
    /** Offset of {@code flags}. */
    public static final int FLAGS_OFFSET = 48;
    /** Bytes of the batch attr. */
    public static final int SIZE = 56;

    private MapBatchAttr() {
    }
}
