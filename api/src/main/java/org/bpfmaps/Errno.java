package org.bpfmaps;

/**
 * Linux errno values that BPF map operations return, with their kernel names and strerror texts.
 *
 * <p>{@link #ENOTSUPP} (524) is kernel-internal but leaks to user space from many map commands, so it is
 * listed beside {@link #EOPNOTSUPP} (95). Numbers are those of x86_64 and aarch64 Linux.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1, "Operation not permitted"),
    /** No such file or directory; for maps: no such key or object. */
    ENOENT(2, "No such file or directory"),
    /** No such process. */
    ESRCH(3, "No such process"),
    /** Interrupted system call. */
    EINTR(4, "Interrupted system call"),
    /** Input/output error. */
    EIO(5, "Input/output error"),
    /** No such device or address. */
    ENXIO(6, "No such device or address"),
    /** Argument list too long; for maps: full, or a size above a limit. */
    E2BIG(7, "Argument list too long"),
    /** Bad file descriptor. */
    EBADF(9, "Bad file descriptor"),
    /** Resource temporarily unavailable. */
    EAGAIN(11, "Resource temporarily unavailable"),
    /** Cannot allocate memory. */
    ENOMEM(12, "Cannot allocate memory"),
    /** Permission denied. */
    EACCES(13, "Permission denied"),
    /** Bad address. */
    EFAULT(14, "Bad address"),
    /** Device or resource busy. */
    EBUSY(16, "Device or resource busy"),
    /** File exists; for maps: the key exists. */
    EEXIST(17, "File exists"),
    /** No such device. */
    ENODEV(19, "No such device"),
    /** Not a directory. */
    ENOTDIR(20, "Not a directory"),
    /** Invalid argument. */
    EINVAL(22, "Invalid argument"),
    /** Too many open files. */
    EMFILE(24, "Too many open files"),
    /** No space left on device; for maps: LPM trie full, or a batch buffer too small. */
    ENOSPC(28, "No space left on device"),
    /** Numerical result out of range. */
    ERANGE(34, "Numerical result out of range"),
    /** Function not implemented. */
    ENOSYS(38, "Function not implemented"),
    /** Value too large for defined data type. */
    EOVERFLOW(75, "Value too large for defined data type"),
    /** Operation not supported. */
    EOPNOTSUPP(95, "Operation not supported"),
    /** Kernel-internal "not supported" that leaks to user space from BPF commands. */
    ENOTSUPP(524, "Unknown error 524"),
    /** A number this enum does not list; the exception keeps the raw value. */
    UNKNOWN(-1, "Unknown error");

    private static final Errno[] BY_NUMBER = new Errno[525];

    static {
        for (Errno e : values()) {
            if (e.number > 0) {
                BY_NUMBER[e.number] = e;
            }
        }
    }

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The positive errno number ({@code -1} for {@link #UNKNOWN}). */
    public int number() {
        return number;
    }

    /** The C library's strerror text for this errno. */
    public String description() {
        return description;
    }

    /** The constant for a positive errno number, or {@link #UNKNOWN}. */
    public static Errno of(int number) {
        if (number > 0 && number < BY_NUMBER.length) {
            Errno e = BY_NUMBER[number];
            if (e != null) {
                return e;
            }
        }
        return UNKNOWN;
    }
}
