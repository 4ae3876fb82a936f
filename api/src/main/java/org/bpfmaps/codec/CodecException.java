package org.bpfmaps.codec;

/**
 * A value or a type that cannot be converted to its C layout, or a layout that does not fit a map.
 *
 * <p>The message names the record and field concerned, the expected and the actual size or range.
 */
public class CodecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}. */
    public CodecException(String message) {
        super(message);
    }

    /** An exception with {@code message} and the {@code cause} it wraps. */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
