package org.bpfmaps.linux.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The whole native surface of the linux backend: libc functions bound with JNA direct mapping.
 *
 * <p>Exists so that JNA stays in one package: every pointer is a raw {@code long} address, so no JNA type leaks
 * out and a call converts nothing. Calls return what libc returns; read {@link #errno()} right after a failing
 * call (JNA preserves it per thread).
 */
public final class LibC {
    /** {@code __NR_bpf} for this architecture. */
    public static final long NR_BPF;

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        String arch = System.getProperty("os.arch");
        if ("amd64".equals(arch) || "x86_64".equals(arch)) {
            NR_BPF = 321;
        } else if ("aarch64".equals(arch) || "arm64".equals(arch)) {
            NR_BPF = 280;
        } else {
            throw new UnsupportedOperationException("bpf() syscall number unknown for architecture " + arch);
        }
    }

    private LibC() {
    }

    /** {@code syscall(2)} with three integer arguments. */
    public static native long syscall(long number, long arg1, long arg2, long arg3);

    /** {@code close(2)}. */
    public static native int close(int fd);

    /** {@code mmap(2)}; returns {@code -1} (MAP_FAILED) on failure. */
    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    /** {@code munmap(2)}. */
    public static native int munmap(long addr, long length);

    /** {@code sched_setaffinity(2)}; {@code mask} points at a cpu_set_t of {@code size} bytes. */
    public static native int sched_setaffinity(int pid, long size, long mask);

    /** {@code sched_getaffinity(2)}. */
    public static native int sched_getaffinity(int pid, long size, long mask);

    /** {@code sched_getcpu(3)}. */
    public static native int sched_getcpu();

    /** {@code epoll_create1(2)}. */
    public static native int epoll_create1(int flags);

    /** {@code epoll_ctl(2)}; {@code event} points at a struct epoll_event. */
    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    /** {@code epoll_wait(2)}. */
    public static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    /** {@code eventfd(2)}. */
    public static native int eventfd(int initval, int flags);

    /** {@code write(2)}. */
    public static native long write(int fd, long buf, long count);

    /** {@code read(2)}. */
    public static native long read(int fd, long buf, long count);

    /** {@code getuid(2)}. */
    public static native int geteuid();

    /** The errno of the last failing call on this thread. */
    public static int errno() {
        return Native.getLastError();
    }

    /**
     * {@code bpf(cmd, attr, size)}.
     *
     * @return the non-negative result (an fd or 0), or {@code -errno}
     */
    public static int bpf(int cmd, long attr, int size) {
        long r = syscall(NR_BPF, cmd, attr, size);
        if (r < 0) {
            return -Native.getLastError();
        }
        return (int) r;
    }
}
