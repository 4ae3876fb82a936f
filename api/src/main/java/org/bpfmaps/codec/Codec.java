package org.bpfmaps.codec;

import java.nio.ByteBuffer;

/**
 * Converts values of {@code T} to and from a fixed number of bytes, the way a C program lays them out.
 *
 * <p>Offsets are absolute: {@link #encode} and {@link #decode} neither read nor move the buffer's position and
 * limit, and ignore the buffer's own {@link java.nio.ByteOrder} (each codec has its byte order built in). They
 * allocate nothing beyond the decoded object. Codecs are immutable and safe to share between threads.
 *
 * @param <T> the Java type
 */
public interface Codec<T> {

    /** Bytes the encoded value takes. */
    int size();

    /** Alignment of the encoded value in a C struct on x86_64 and aarch64, in bytes. */
    int alignment();

    /**
     * Writes {@code value} into {@code buffer} at {@code offset}.
     *
     * <p>Every one of the {@link #size()} bytes is written, padding included (as zeros).
     *
     * @throws CodecException when the value cannot be represented (e.g. out of range for its width)
     */
    void encode(T value, ByteBuffer buffer, int offset);

    /** Reads a value from {@code buffer} at {@code offset}. */
    T decode(ByteBuffer buffer, int offset);

    /** A short description of the C type, e.g. {@code u16 (little endian)} or {@code struct FlowKey}. */
    String describe();

    /** Encodes {@code value} into a new array of {@link #size()} bytes. */
    default byte[] encode(T value) {
        byte[] bytes = new byte[size()];
        encode(value, ByteBuffer.wrap(bytes), 0);
        return bytes;
    }

    /**
     * Decodes a value from {@code bytes}, which must hold exactly {@link #size()} bytes.
     *
     * @throws CodecException when the array has another length
     */
    default T decode(byte[] bytes) {
        if (bytes.length != size()) {
            throw new CodecException(describe() + " needs " + size() + " bytes, got " + bytes.length);
        }
        return decode(ByteBuffer.wrap(bytes), 0);
    }
}
