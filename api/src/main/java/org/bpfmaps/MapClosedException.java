package org.bpfmaps;

/**
 * The map handle was closed; the call never reached the kernel ({@code EBADF}, as a stale fd would give).
 */
public final class MapClosedException extends BpfException {
    private static final long serialVersionUID = 1L;

    /** A closed-map failure of {@code command} on {@code subject}. */
    public MapClosedException(BpfCommand command, String subject) {
        super(command, Errno.EBADF.number(), subject, "the map handle is closed", -1);
    }
}
