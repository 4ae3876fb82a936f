package org.bpfmaps;

/**
 * No backend could be chosen: none installed, several installed and none named, or the named one is missing or
 * unavailable. The message lists every installed provider and whether it is available.
 */
public final class BackendSelectionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** A selection failure described by {@code message}, caused by {@code cause} (may be null). */
    public BackendSelectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
