package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for {@code BPF_OBJ_PIN} and {@code BPF_OBJ_GET}.
 *
 * <p>Exists so pinning and opening pinned maps fill named fields only.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |         pathname (u64 pointer to a NUL-terminated path)     0 |
 *  |         bpf_fd (u32; OBJ_PIN only)                          8 |
 *  |         file_flags (u32; OBJ_GET: BPF_F_RDONLY/WRONLY)     12 |
 *  |         path_fd (s32; only with BPF_F_PATH_FD)             16 |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ObjPathAttr {
    /** Offset of {@code pathname}. */
    public static final int PATHNAME_OFFSET = 0;
    /** Offset of {@code bpf_fd}, the object to pin. */
    public static final int BPF_FD_OFFSET = 8;
    /** Offset of {@code file_flags}: the access of the fd {@code BPF_OBJ_GET} returns. */
    public static final int FILE_FLAGS_OFFSET = 12;
    /** Offset of {@code path_fd} (6.5+), a directory fd {@code pathname} is relative to. */
    public static final int PATH_FD_OFFSET = 16;
    /** Bytes bpfmaps passes: up to the end of {@code file_flags}. */
    public static final int SIZE = 16;

    private ObjPathAttr() {
    }
}
