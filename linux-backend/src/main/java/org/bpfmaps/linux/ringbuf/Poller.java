package org.bpfmaps.linux.ringbuf;

import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;

/**
 * An epoll instance watching ring buffer map descriptors, plus an eventfd that makes a waiting
 * {@link #await(int)} return early.
 *
 * <p>Exists to keep epoll's native details out of the reader. Each watched descriptor carries a token (the
 * ring's index) that {@link #token(int)} reports; the eventfd's token is {@link #WAKEUP}. Only the thread that
 * waits calls {@link #await}, {@link #token} and {@link #clearWakeup}; {@link #wakeup()} may be called from any
 * thread (it writes from a buffer nobody changes).
 */
final class Poller {
    /** The token of the wake-up eventfd. */
    static final long WAKEUP = -1L;

    private final int epollFd;
    private final int eventFd;
    private final int capacity;
    private final NativeBuffer events;
    private final NativeBuffer one;
    private final NativeBuffer drained;
    private boolean closed;

    private Poller(int epollFd, int eventFd, int capacity) {
        this.epollFd = epollFd;
        this.eventFd = eventFd;
        this.capacity = capacity;
        this.events = new NativeBuffer(EpollEventDescriptor.eventOffset(capacity));
        this.one = new NativeBuffer(8);
        this.one.buffer().putLong(0, 1L);
        this.drained = new NativeBuffer(8);
    }

    /** A poller for up to {@code watched} descriptors besides its eventfd. */
    static Poller open(int watched, String subject) {
        int epollFd = LibC.epoll_create1(EpollEventDescriptor.EPOLL_CLOEXEC);
        if (epollFd < 0) {
            throw BpfException.of(BpfCommand.RINGBUF_USER, LibC.errno(), subject, "epoll_create1 failed");
        }
        int eventFd = LibC.eventfd(0, EpollEventDescriptor.EFD_CLOEXEC | EpollEventDescriptor.EFD_NONBLOCK);
        if (eventFd < 0) {
            int errno = LibC.errno();
            LibC.close(epollFd);
            throw BpfException.of(BpfCommand.RINGBUF_USER, errno, subject, "eventfd failed");
        }
        Poller p = new Poller(epollFd, eventFd, watched + 1);
        try {
            p.add(eventFd, WAKEUP, subject);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** Watches {@code fd} for {@code EPOLLIN}, reported with {@code token}. */
    void add(int fd, long token, String subject) {
        NativeBuffer event = new NativeBuffer(EpollEventDescriptor.SIZE);
        try {
            event.buffer().putInt(EpollEventDescriptor.EVENTS_OFFSET, EpollEventDescriptor.EPOLLIN);
            event.buffer().putLong(EpollEventDescriptor.DATA_OFFSET, token);
            if (LibC.epoll_ctl(epollFd, EpollEventDescriptor.EPOLL_CTL_ADD, fd, event.address()) < 0) {
                throw BpfException.of(BpfCommand.RINGBUF_USER, LibC.errno(), subject,
                        "epoll_ctl(EPOLL_CTL_ADD) of fd " + fd + " failed");
            }
        } finally {
            event.free();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} ({@code 0}: do not wait) for a watched descriptor or a wake-up.
     *
     * @return the number of ready events, or {@code -errno} (e.g. {@code -EINTR})
     */
    int await(int timeoutMillis) {
        int n = LibC.epoll_wait(epollFd, events.address(), capacity, timeoutMillis);
        return n < 0 ? -LibC.errno() : n;
    }

    /** The token of ready event {@code i} of the last {@link #await}. */
    long token(int i) {
        return events.buffer().getLong(EpollEventDescriptor.eventOffset(i) + EpollEventDescriptor.DATA_OFFSET);
    }

    /** Makes the current or the next {@link #await} return. */
    void wakeup() {
        LibC.write(eventFd, one.address(), 8);
    }

    /** Resets the eventfd after a wake-up was reported. */
    void clearWakeup() {
        LibC.read(eventFd, drained.address(), 8);
    }

    /** Closes both descriptors and frees the native buffers; idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            LibC.close(eventFd);
            LibC.close(epollFd);
            events.free();
            one.free();
            drained.free();
        }
    }

    static boolean interrupted(int result) {
        return result == -Errno.EINTR.number();
    }
}
