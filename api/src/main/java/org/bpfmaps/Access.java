package org.bpfmaps;

/**
 * How a descriptor may use a map from system calls: the {@code file_flags}/{@code open_flags} of
 * {@code BPF_OBJ_GET} and {@code BPF_MAP_GET_FD_BY_ID}.
 */
public enum Access {
    /** Lookups and writes. */
    READ_WRITE(0),
    /** Lookups and iteration only; writes fail with {@code EPERM}. */
    READ_ONLY(MapFlag.RDONLY.bit()),
    /** Writes only; lookups and iteration fail with {@code EPERM}. */
    WRITE_ONLY(MapFlag.WRONLY.bit());

    private final int fileFlags;

    Access(int fileFlags) {
        this.fileFlags = fileFlags;
    }

    /** The kernel's {@code file_flags} value for this access mode. */
    public int fileFlags() {
        return fileFlags;
    }

    /** Whether reads (lookup, get-next-key, lookup batch) are allowed. */
    public boolean canRead() {
        return this != WRITE_ONLY;
    }

    /** Whether writes (update, delete, lookup-and-delete, freeze's prerequisites) are allowed. */
    public boolean canWrite() {
        return this != READ_ONLY;
    }
}
