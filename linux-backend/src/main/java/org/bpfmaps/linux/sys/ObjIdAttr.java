package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for {@code BPF_MAP_GET_NEXT_ID} and {@code BPF_MAP_GET_FD_BY_ID}.
 *
 * <p>Exists so id iteration and opening by id fill named fields only.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        start_id / map_id (u32)                              0 |
 *  |        next_id (u32; out of GET_NEXT_ID)                    4 |
 *  |        open_flags (u32; GET_FD_BY_ID: BPF_F_RDONLY/WRONLY)  8 |
 *  |        fd_by_id_token_fd (s32; 6.12+)                      12 |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ObjIdAttr {
    /** Offset of {@code start_id} ({@code BPF_MAP_GET_NEXT_ID}). */
    public static final int START_ID_OFFSET = 0;
    /** Offset of {@code map_id} ({@code BPF_MAP_GET_FD_BY_ID}), the same slot as {@code start_id}. */
    public static final int MAP_ID_OFFSET = 0;
    /** Offset of {@code next_id}, written by {@code BPF_MAP_GET_NEXT_ID}. */
    public static final int NEXT_ID_OFFSET = 4;
    /** Offset of {@code open_flags}. */
    public static final int OPEN_FLAGS_OFFSET = 8;
    /** Offset of {@code fd_by_id_token_fd}. */
    public static final int TOKEN_FD_OFFSET = 12;
    /** Bytes bpfmaps passes: up to the end of {@code open_flags}. */
    public static final int SIZE = 12;

    private ObjIdAttr() {
    }
}
