package org.bpfmaps;

import java.nio.ByteBuffer;

/**
 * Produces records into a {@link MapType#USER_RINGBUF} map, which programs drain with
 * {@code bpf_user_ringbuf_drain} (see {@link ProgramView#userRingbufDrain}).
 *
 * <p>Get one from {@link MapBackend#userRingBufferWriter(BpfMap)}. One thread produces at a time.
 */
public interface UserRingBufferWriter extends AutoCloseable {

    /** A reserved record: write the payload into {@link #buffer()}, then {@link #submit()} or {@link #discard()}. */
    interface Reservation {
        /** The payload area (position 0, limit = size), writable until submitted or discarded. */
        ByteBuffer buffer();

        /** Publishes the record to the kernel. */
        void submit();

        /** Marks the record discarded; the kernel skips it. */
        void discard();
    }

    /**
     * Reserves a record of {@code size} bytes.
     *
     * @throws MapFullException ({@code ENOSPC}) when the ring has no room for it now
     * @throws InvalidArgumentException when {@code size} is not positive or can never fit
     */
    Reservation reserve(int size);

    /** Reserves, copies {@code data} and submits; {@code false} when the ring has no room now. */
    boolean write(byte[] data);

    /** Bytes free for new records, header included. */
    long free();

    /** Releases the writer's mappings; the map stays open. Idempotent. */
    @Override
    void close();
}
