package org.bpfmaps;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Consumes the records of one or more {@link MapType#RINGBUF} maps, in the kernel's protocol: records in
 * reservation order, busy records not yet visible, discarded records skipped, {@code consumer_pos} advanced
 * after each record is handled.
 *
 * <p>Get one from {@link MapBackend#ringBufferReader(BpfMap...)}. One thread consumes at a time; {@link #wakeup()}
 * and {@link #close()} may be called from any thread. Records are neither lost nor delivered twice: a record is
 * consumed only after its handler returns, so a reader closed and reopened on a pinned map continues where the
 * last one stopped. A handler that throws stops the consume call; its record is not consumed.
 */
public interface RingBufferReader extends AutoCloseable {

    /** Receives one record. */
    @FunctionalInterface
    interface RecordHandler {
        /**
         * Handles one record. {@code record} is a read-only view of the payload (position 0, limit = length),
         * valid only during this call: copy what must outlive it.
         *
         * @param ring   the map the record came from
         * @param record the payload
         */
        void onRecord(BpfMap ring, ByteBuffer record);
    }

    /** Handles every record available now, without waiting; returns how many were handled. */
    int consume(RecordHandler handler);

    /** Handles at most {@code maxRecords} records available now, without waiting; returns how many. */
    int consume(RecordHandler handler, int maxRecords);

    /**
     * Waits up to {@code timeout} for records (epoll on linux), then handles every available record.
     *
     * @return how many records were handled; 0 when the timeout passed or {@link #wakeup()} was called
     */
    int poll(RecordHandler handler, Duration timeout);

    /** Makes a {@link #poll} that is waiting return now (e.g. for shutdown). */
    void wakeup();

    /** Bytes available to consume in {@code ring} ({@code producer_pos - consumer_pos}). */
    long available(BpfMap ring);

    /** Releases the reader's mappings; the maps stay open. Idempotent. */
    @Override
    void close();
}
