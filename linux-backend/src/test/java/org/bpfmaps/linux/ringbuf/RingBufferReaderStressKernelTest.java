package org.bpfmaps.linux.ringbuf;

import static org.bpfmaps.linux.ringbuf.RingKernel.copy;
import static org.bpfmaps.linux.ringbuf.RingKernel.payload;
import static org.bpfmaps.linux.ringbuf.RingKernel.ring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The RINGBUF reader under restarts and a concurrent producer, and a throughput printout (a measurement, not an
 * assertion).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RingBufferReaderStressKernelTest {
    private MapBackend backend;
    private final RingKernel.Closer closer = new RingKernel.Closer();

    @BeforeEach
    void gate() {
        backend = closer.add(RingKernel.backend()); // added first, so closed last
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        return closer.add(resource);
    }

    /** A record carrying a sequence number in its first 8 bytes, then {@code extra} bytes derived from it. */
    private static byte[] sequenced(long seq, int extra) {
        ByteBuffer b = ByteBuffer.allocate(8 + extra).order(ByteOrder.nativeOrder());
        b.putLong(seq);
        for (int i = 0; i < extra; i++) {
            b.put((byte) (seq * 13 + i));
        }
        return b.array();
    }

    private static String checkSequenced(ByteBuffer record, long expected) {
        long seq = record.getLong(0);
        if (seq != expected) {
            return seq < expected ? "duplicate: record " + seq + " again after " + (expected - 1)
                    : "loss: records " + expected + ".." + (seq - 1) + " missing before " + seq;
        }
        for (int i = 8; i < record.limit(); i++) {
            if (record.get(i) != (byte) (seq * 13 + (i - 8))) {
                return "record " + seq + " corrupt at byte " + i;
            }
        }
        return null;
    }

    @Test
    @DisplayName("readers closed and reopened on a pinned ring continue without loss or duplicate")
    void readerRestartOnPinnedRing() throws Exception {
        try (org.bpfmaps.linux.KernelTests.Bpffs fs = new org.bpfmaps.linux.KernelTests.Bpffs()) {
            String path = fs.path("ring").toString();
            List<byte[]> got = new ArrayList<>();
            int produced = 0;
            try (BpfMap map = ring(backend, MapType.RINGBUF, 4096); ProgramView v = map.programView(0)) {
                map.pin(path);
                for (int round = 0; round < 12; round++) {
                    for (int i = 0; i < 7; i++) {
                        assertTrue(v.ringbufOutput(payload(produced, 24 + produced % 50), 0));
                        produced++;
                    }
                    // Each round a fresh process-like reader: a new fd from the pin, a new mapping.
                    try (BpfMap reopened = backend.openPinned(path, Access.READ_WRITE);
                         RingBufferReader r = backend.ringBufferReader(reopened)) {
                        int max = 1 + round % 5;
                        int n = r.consume((ring, rec) -> got.add(copy(rec)), max);
                        assertEquals(Math.min(max, produced - (got.size() - n)), n);
                        if (round % 3 == 2) {
                            // a handler failure in the middle: its record must come again next time
                            try {
                                r.consume((ring, rec) -> {
                                    throw new IllegalStateException("stop");
                                });
                                fail("the handler was not called");
                            } catch (IllegalStateException expected) {
                                // nothing consumed
                            }
                        }
                    }
                }
                try (BpfMap reopened = backend.openPinned(path, Access.READ_WRITE);
                     RingBufferReader r = backend.ringBufferReader(reopened)) {
                    r.consume((ring, rec) -> got.add(copy(rec)));
                    assertEquals(0, r.available(reopened));
                }
            }
            assertEquals(produced, got.size(), "every record exactly once");
            for (int i = 0; i < produced; i++) {
                assertArrayEquals(payload(i, 24 + i % 50), got.get(i), "record " + i);
            }
        }
    }

    @Test
    @DisplayName("a producer thread (BPF programs) and a polling consumer: no loss, no duplicate, no corruption")
    void concurrentProducerAndConsumer() throws Exception {
        int records = 30_000;
        int cpu = backend.possibleCpus() > 1 ? 1 : 0;
        BpfMap map = closing(ring(backend, MapType.RINGBUF, 8192));
        ProgramView v = closing(map.programView(cpu));
        RingBufferReader r = closing(backend.ringBufferReader(map));
        AtomicBoolean stop = new AtomicBoolean();
        long[] fullRetries = new long[1];
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (long seq = 0; seq < records && !stop.get(); seq++) {
                byte[] rec = sequenced(seq, (int) (seq % 120));
                boolean discardFirst = seq % 11 == 0;
                if (discardFirst) {
                    while (!v.ringbufReserveDiscard(16, 0) && !stop.get()) {
                        Thread.onSpinWait();
                    }
                }
                boolean viaReserve = seq % 2 == 0;
                while (!(viaReserve ? v.ringbufReserveSubmit(rec, 0) : v.ringbufOutput(rec, 0))) {
                    fullRetries[0]++;
                    if (stop.get()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
        });
        long[] next = {0};
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (next[0] < records && System.nanoTime() < deadline && problems.isEmpty()) {
                r.poll((ring, rec) -> {
                    String p = checkSequenced(rec, next[0]);
                    if (p != null) {
                        problems.add(p);
                    }
                    next[0] = rec.getLong(0) + 1;
                }, Duration.ofMillis(200));
                if (producer.isCompletedExceptionally()) {
                    producer.join();
                }
            }
        } finally {
            stop.set(true);
            producer.get(60, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), problems);
        assertEquals(records, next[0], "records received");
        assertEquals(0, r.consume((ring, rec) -> problems.add("extra record " + rec.getLong(0))));
        assertEquals(List.of(), problems);
        System.out.printf("ringbuf concurrent: %d records, producer found the ring full %d times%n", records,
                fullRetries[0]);
    }

    @Test
    @DisplayName("two producers on different CPUs: each one's records arrive complete and in its order")
    void twoProducers() throws Exception {
        int perProducer = 15_000;
        int cpus = Math.min(2, backend.possibleCpus());
        BpfMap map = closing(ring(backend, MapType.RINGBUF, 8192));
        RingBufferReader r = closing(backend.ringBufferReader(map));
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Void>> producers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        for (int id = 0; id < 2; id++) {
            ProgramView v = closing(map.programView(id % cpus));
            long tag = (long) id << 32;
            producers.add(CompletableFuture.runAsync(() -> {
                for (long seq = 0; seq < perProducer && !stop.get(); seq++) {
                    byte[] rec = sequenced(tag | seq, (int) (seq % 90));
                    while (!(seq % 3 == 0 ? v.ringbufReserveSubmit(rec, 0) : v.ringbufOutput(rec, 0))) {
                        if (stop.get()) {
                            return;
                        }
                        Thread.onSpinWait();
                    }
                }
            }, threads));
        }
        long[] next = new long[2];
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while ((next[0] < perProducer || next[1] < perProducer) && System.nanoTime() < deadline
                    && problems.isEmpty()) {
                r.poll((ring, rec) -> {
                    long value = rec.getLong(0);
                    int id = (int) (value >>> 32);
                    if (id != 0 && id != 1) {
                        problems.add("record with producer id " + id);
                        return;
                    }
                    String p = checkSequenced(rec, (long) id << 32 | next[id]);
                    if (p != null) {
                        problems.add("producer " + id + ": " + p);
                    }
                    next[id] = (value & 0xffff_ffffL) + 1;
                }, Duration.ofMillis(200));
            }
        } finally {
            stop.set(true);
            try {
                for (CompletableFuture<Void> f : producers) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(perProducer, next[0]);
        assertEquals(perProducer, next[1]);
        assertEquals(0, r.available(map));
    }

    @Test
    @DisplayName("close() racing consume, poll, wakeup and available never touches unmapped memory")
    void closeRacesEveryCall() throws Exception {
        BpfMap map = closing(ring(backend, MapType.RINGBUF, 16384));
        ProgramView v = closing(map.programView(0));
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            long seq = 0;
            while (!stop.get()) {
                if (!v.ringbufOutput(sequenced(seq, 40), 0)) {
                    Thread.onSpinWait();
                } else {
                    seq++;
                }
            }
        });
        long[] next = {0};
        List<String> problems = new ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                LinuxRingBufferReader r = (LinuxRingBufferReader) backend.ringBufferReader(map);
                boolean viaPoll = i % 2 == 0;
                CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
                    RingBufferReader.RecordHandler h = (ring, rec) -> {
                        String p = checkSequenced(rec, next[0]);
                        if (p != null) {
                            problems.add(p);
                        }
                        next[0] = rec.getLong(0) + 1;
                    };
                    try {
                        while (true) {
                            if (viaPoll) {
                                r.poll(h, Duration.ofMillis(50));
                            } else {
                                r.consume(h);
                                r.available(map);
                            }
                        }
                    } catch (org.bpfmaps.MapClosedException expected) {
                        // the reader was closed between two calls
                    }
                });
                CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
                    while (!r.isClosed()) {
                        r.wakeup();
                        Thread.yield();
                    }
                });
                Thread.sleep(i % 4);
                r.close();
                consumer.get(30, TimeUnit.SECONDS);
                waker.get(30, TimeUnit.SECONDS);
                assertTrue(r.released(), "round " + i + ": released after the last call returned");
            }
        } finally {
            stop.set(true);
            producer.get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), problems, "records across 150 reader lifetimes");
        assertTrue(next[0] > 0, "records were consumed");
        System.out.printf("ringbuf close races: %d records consumed across 150 readers%n", next[0]);
    }

    @Test
    @DisplayName("throughput: records per second consumed, 64-byte records (printed, not asserted)")
    void throughput() {
        // The workloads of benchmarks/src/main/c/ringbuf_floor.c (libbpf), filled the same way (one
        // BPF_PROG_TEST_RUN with repeat, on this CPU): "hot" = a 256 KiB ring consumed right after the fill,
        // "cold" = a 4 MiB ring consumed after a 64 MiB sweep evicted it from the private caches.
        measure("hot", 256 << 10, 400, false);
        measure("cold", 4 << 20, 30, true);
    }

    private void measure(String label, int ringSize, int rounds, boolean cold) {
        int payload = 64;
        int capacity = (ringSize - 1) / (payload + 8);
        byte[] sweep = cold ? new byte[64 << 20] : null;
        try (BpfMap map = ring(backend, MapType.RINGBUF, ringSize);
             BulkFiller filler = new BulkFiller(map, payload);
             RingBufferReader r = backend.ringBufferReader(map)) {
            long[] sink = {0};
            RingBufferReader.RecordHandler handler = (ring, b) -> sink[0] += b.getLong(0) + b.limit();
            double[] nsPerRecord = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                long nanos = backend.onCpu(0, () -> {
                    filler.run(capacity + 1);
                    if (sweep != null) {
                        for (int k = 0; k < sweep.length; k += 64) {
                            sweep[k]++;
                        }
                    }
                    long t0 = System.nanoTime();
                    int consumed = r.consume(handler);
                    long dt = System.nanoTime() - t0;
                    assertEquals(capacity, consumed);
                    return dt;
                });
                nsPerRecord[round] = (double) nanos / capacity;
            }
            // The first rounds run before the JIT compiled the loop; report the second half.
            double[] steady = Arrays.copyOfRange(nsPerRecord, rounds / 2, rounds);
            Arrays.sort(steady);
            double best = steady[0];
            double median = steady[steady.length / 2];
            System.out.printf("ringbuf throughput %s (linux reader, %d-byte records, %d KiB ring, %d per round, "
                    + "%d rounds, second half): best %.1f ns/record = %.1f M records/s; "
                    + "median %.1f ns/record = %.1f M records/s (first round %.0f ns/record; sink %d)%n", label,
                    payload,
                    ringSize >> 10, capacity, rounds, best, 1e3 / best, median, 1e3 / median, nsPerRecord[0], sink[0]);
        }
    }
}
