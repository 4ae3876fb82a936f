package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/**
 * Reads the records of ring buffers as typed values: each record decoded by one codec.
 *
 * <p>A record must be exactly {@link Codec#size()} bytes; another length makes the handler call fail with a
 * {@link CodecException} naming both sizes, and, as {@link RingBufferReader} promises for a handler that
 * throws, that record is not consumed (read it with the raw reader to get past it). The same thread rules as
 * {@link RingBufferReader} apply: one consuming thread; {@link #wakeup()} and {@link #close()} from any.
 *
 * @param <T> the record type
 */
public final class TypedRingBufferReader<T> implements AutoCloseable {
    private final RingBufferReader reader;
    private final Codec<T> codec;

    private TypedRingBufferReader(RingBufferReader reader, Codec<T> codec) {
        this.reader = reader;
        this.codec = codec;
    }

    /** A typed reader over {@code reader}; closing the typed reader closes {@code reader}. */
    public static <T> TypedRingBufferReader<T> of(RingBufferReader reader, Codec<T> codec) {
        return new TypedRingBufferReader<>(reader, codec);
    }

    /** A typed reader over a new reader of {@code backend} for the {@code rings}. */
    public static <T> TypedRingBufferReader<T> of(MapBackend backend, Codec<T> codec, BpfMap... rings) {
        return new TypedRingBufferReader<>(backend.ringBufferReader(rings), codec);
    }

    /** The raw reader underneath. */
    public RingBufferReader reader() {
        return reader;
    }

    /** Hands every record available now to {@code handler}, without waiting; returns how many. */
    public int consume(Consumer<? super T> handler) {
        return reader.consume((ring, record) -> handler.accept(decode(ring, record)));
    }

    /** Hands at most {@code maxRecords} records available now to {@code handler}; returns how many. */
    public int consume(Consumer<? super T> handler, int maxRecords) {
        return reader.consume((ring, record) -> handler.accept(decode(ring, record)), maxRecords);
    }

    /** Waits up to {@code timeout} for records, then hands every available one to {@code handler}. */
    public int poll(Consumer<? super T> handler, Duration timeout) {
        return reader.poll((ring, record) -> handler.accept(decode(ring, record)), timeout);
    }

    /** Makes a waiting {@link #poll} return now. */
    public void wakeup() {
        reader.wakeup();
    }

    /** Closes the reader underneath. */
    @Override
    public void close() {
        reader.close();
    }

    private T decode(BpfMap ring, ByteBuffer record) {
        int length = record.remaining();
        if (length != codec.size()) {
            throw new CodecException("record of " + length + " bytes in " + Views.describe(ring) + "; "
                    + codec.describe() + " is " + codec.size() + " bytes");
        }
        return codec.decode(record, record.position());
    }
}
