package org.bpfmaps.typed;

import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFullException;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.codec.Codec;

/**
 * Writes typed values as records into a user ring buffer, each encoded in place in its reservation.
 *
 * <p>One thread produces at a time, as for {@link UserRingBufferWriter}. An encoding failure discards the
 * reservation, so the kernel never sees a half-written record.
 *
 * @param <T> the record type
 */
public final class TypedUserRingBufferWriter<T> implements AutoCloseable {
    private final UserRingBufferWriter writer;
    private final Codec<T> codec;

    private TypedUserRingBufferWriter(UserRingBufferWriter writer, Codec<T> codec) {
        this.writer = writer;
        this.codec = codec;
    }

    /** A typed writer over {@code writer}; closing the typed writer closes {@code writer}. */
    public static <T> TypedUserRingBufferWriter<T> of(UserRingBufferWriter writer, Codec<T> codec) {
        return new TypedUserRingBufferWriter<>(writer, codec);
    }

    /** A typed writer over a new writer of {@code backend} for the user ring buffer {@code ring}. */
    public static <T> TypedUserRingBufferWriter<T> of(MapBackend backend, BpfMap ring, Codec<T> codec) {
        return new TypedUserRingBufferWriter<>(backend.userRingBufferWriter(ring), codec);
    }

    /**
     * Writes {@code value} as one record.
     *
     * @throws MapFullException ({@code ENOSPC}) when the ring has no room now
     */
    public void write(T value) {
        UserRingBufferWriter.Reservation r = writer.reserve(codec.size());
        try {
            codec.encode(value, r.buffer(), r.buffer().position());
        } catch (RuntimeException e) {
            r.discard();
            throw e;
        }
        r.submit();
    }

    /** Writes {@code value} as one record; {@code false} when the ring has no room now. */
    public boolean offer(T value) {
        try {
            write(value);
            return true;
        } catch (MapFullException e) {
            return false;
        }
    }

    /** Bytes free for new records, headers included. */
    public long free() {
        return writer.free();
    }

    /** Closes the writer underneath. */
    @Override
    public void close() {
        writer.close();
    }
}
