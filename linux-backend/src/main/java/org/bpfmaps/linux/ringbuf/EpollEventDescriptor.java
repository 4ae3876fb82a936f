package org.bpfmaps.linux.ringbuf;

/**
 * Layout of {@code struct epoll_event} and the epoll and eventfd constants the reader uses.
 *
 * <p>Exists because the struct's layout depends on the architecture: x86-64 declares it packed
 * ({@code EPOLL_PACKED} in the uapi header), every other 64-bit architecture aligns the data word to 8.
 * <pre>
 *   x86-64 (12 bytes)              others (16 bytes)
 *   0  u32 events                  0  u32 events
 *   4  u64 data                    4  (padding)
 *                                  8  u64 data
 * </pre>
 */
final class EpollEventDescriptor {
    private static final boolean PACKED = isX86_64(System.getProperty("os.arch"));

    /** Offset within an event of the event mask. */
    static final int EVENTS_OFFSET = 0;
    /** Offset within an event of the user data word. */
    static final int DATA_OFFSET = PACKED ? 4 : 8;
    /** Size of one event; events in an array follow each other at this stride. */
    static final int SIZE = PACKED ? 12 : 16;

    /** {@code EPOLLIN}. */
    static final int EPOLLIN = 0x001;
    /** {@code EPOLL_CTL_ADD}. */
    static final int EPOLL_CTL_ADD = 1;
    /** {@code EPOLL_CLOEXEC} (= {@code O_CLOEXEC}). */
    static final int EPOLL_CLOEXEC = 0x80000;
    /** {@code EFD_CLOEXEC} (= {@code O_CLOEXEC}). */
    static final int EFD_CLOEXEC = 0x80000;
    /** {@code EFD_NONBLOCK} (= {@code O_NONBLOCK}). */
    static final int EFD_NONBLOCK = 0x800;

    private EpollEventDescriptor() {
    }

    static boolean isX86_64(String arch) {
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    /** Offset of event {@code i} in an array of events. */
    static int eventOffset(int i) {
        return i * SIZE;
    }
}
