package org.bpfmaps.linux.ringbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;

/**
 * Counts the calls using a reader's or writer's mappings, so {@code close()} from any thread never unmaps
 * memory a running call still reads or writes.
 *
 * <p>Exists because touching an unmapped ring from Java crashes the JVM. The state word holds the number of
 * uses in its low bits (the open object itself is one) and {@link #CLOSED} once {@link #markClosed()} ran; the
 * caller whose {@link #release()} drops the last use of a closed gate frees the memory.
 */
final class UseGate {
    /** The cleaner (one thread) that releases readers and writers dropped without {@code close()}. */
    static final Cleaner CLEANER = Cleaner.create();
    private static final int CLOSED = 0x8000_0000;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UseGate.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = 1;

    /** Starts a use; {@code false} when the gate is closed. */
    boolean acquire() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends a use; {@code true} when it was the last use of a closed gate, so the caller must free. */
    boolean release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        return s == CLOSED;
    }

    /** Closes the gate; {@code true} the first time only. The caller then releases the object's own use. */
    boolean markClosed() {
        for (;;) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                return true;
            }
        }
    }

    /** Whether {@link #markClosed()} ran. */
    boolean isClosed() {
        return (state & CLOSED) != 0;
    }
}
