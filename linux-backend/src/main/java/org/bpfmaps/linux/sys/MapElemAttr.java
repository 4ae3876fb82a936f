package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for the element commands and {@code BPF_MAP_FREEZE}.
 *
 * <p>Used by {@code BPF_MAP_LOOKUP_ELEM}, {@code BPF_MAP_UPDATE_ELEM}, {@code BPF_MAP_DELETE_ELEM},
 * {@code BPF_MAP_GET_NEXT_KEY}, {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM} and (its first field only)
 * {@code BPF_MAP_FREEZE}. Exists so the hot-path wrappers fill named fields only.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        map_fd (u32)                         0 |
 *  |                        (padding)                            4 |
 *  |                    key (u64 user pointer)                   8 |
 *  |            value / next_key (u64 user pointer)             16 |
 *  |                        flags (u64)                         24 |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MapElemAttr {
    /** Offset of {@code map_fd}. */
    public static final int MAP_FD_OFFSET = 0;
    /** Offset of {@code key}, a pointer to the key (0 for keyless maps or "first key"). */
    public static final int KEY_OFFSET = 8;
    /** Offset of {@code value}, a pointer to the value buffer. */
    public static final int VALUE_OFFSET = 16;
    /** Offset of {@code next_key}, which shares its slot with {@code value}. */
    public static final int NEXT_KEY_OFFSET = 16;
    /** Offset of {@code flags} ({@code BPF_ANY}, {@code BPF_NOEXIST}, ...). */
    public static final int FLAGS_OFFSET = 24;
    /** Bytes of the element attr. */
    public static final int SIZE = 32;
    /** Bytes of the {@code BPF_MAP_FREEZE} attr: {@code map_fd} only. */
    public static final int FREEZE_SIZE = 4;

    private MapElemAttr() {
    }
}
