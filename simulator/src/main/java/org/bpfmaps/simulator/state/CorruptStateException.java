package org.bpfmaps.simulator.state;

import java.nio.file.Path;

/**
 * A persisted simulator state that cannot be loaded: a damaged journal (checksum mismatch, bad magic, impossible
 * record) or a journal whose replay does not reproduce what it recorded.
 *
 * <p>The message names the file and the byte offset of the first bad record. Nothing is repaired or deleted
 * automatically: move the state directory away (or restore it) and start again.
 */
public final class CorruptStateException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    /** A failure at {@code offset} in {@code file}. */
    public CorruptStateException(Path file, long offset, String what) {
        super("simulator state file " + file + " is damaged at byte offset " + offset + ": " + what
                + "; refusing to load it (move the state directory away to start afresh)");
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** Byte offset in {@link #file()} of the first record that could not be used. */
    public long offset() {
        return offset;
    }
}
