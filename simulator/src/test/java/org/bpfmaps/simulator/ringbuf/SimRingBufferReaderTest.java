package org.bpfmaps.simulator.ringbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfMap;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader.RecordHandler;
import org.junit.jupiter.api.Test;

/** The consumer: protocol, contiguous views, throwing handlers, poll, wakeup, threads. */
class SimRingBufferReaderTest {

    private final FakeMaps maps = new FakeMaps();

    private SimRingBufferReader reader(BpfMap... rings) {
        return SimRingBufferReader.open(rings, maps::ringOf);
    }

    private static RecordHandler collect(List<byte[]> out) {
        return (ring, record) -> {
            byte[] b = new byte[record.remaining()];
            record.get(b);
            out.add(b);
        };
    }

    @Test
    void consumesInOrderSkipsDiscardsAndAdvancesConsumerPos() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        SimRingBuffer rb = maps.ring(map);
        rb.output(new byte[] {1, 2, 3}, 0);
        rb.discard(rb.reserve(5), 0);
        rb.output(new byte[] {4}, 0);
        try (SimRingBufferReader r = reader(map)) {
            assertEquals(48, r.available(map));
            List<byte[]> got = new ArrayList<>();
            assertEquals(2, r.consume(collect(got)));
            assertArrayEquals(new byte[] {1, 2, 3}, got.get(0));
            assertArrayEquals(new byte[] {4}, got.get(1));
            assertEquals(48, rb.memory().consumerPos());
            assertEquals(0, r.available(map));
            assertEquals(0, r.consume(collect(got)));
        }
    }

    @Test
    void handlerGetsAReadOnlyNativeOrderViewOfThePayload() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        maps.ring(map).output(new byte[] {9, 8, 7, 6, 5}, 0);
        try (SimRingBufferReader r = reader(map)) {
            r.consume((ring, record) -> {
                assertEquals(map, ring);
                assertEquals(0, record.position());
                assertEquals(5, record.limit());
                assertTrue(record.isReadOnly());
                assertEquals(ByteOrder.nativeOrder(), record.order());
                assertEquals(9, record.get(0));
                assertThrows(ReadOnlyBufferException.class, () -> record.put(0, (byte) 1));
            });
        }
    }

    @Test
    void aRecordWrappingTheEndIsSeenContiguous() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        SimRingBuffer rb = maps.ring(map);
        try (SimRingBufferReader r = reader(map)) {
            assertEquals(0, rb.output(new byte[4000], 0));
            assertEquals(1, r.consume((ring, rec) -> { }));
            assertEquals(4008, rb.memory().consumerPos());
            byte[] payload = SimRingBufferTest.seq(100, 0x20);
            assertEquals(0, rb.output(payload, 0));
            // header at index 4008 (pg_off 3), payload 4016..4095 then 0..19 of the data area
            assertEquals(3, rb.memory().pageOffsetAt(4008));
            byte[] data = rb.memory().dataBytes();
            assertEquals(payload[80], data[0]);
            assertEquals(payload[79], data[4095]);
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, r.consume(collect(got)));
            assertArrayEquals(payload, got.get(0));
            assertEquals(4008 + 112, rb.memory().consumerPos());
            // and a payload that wraps through the reserve/submit path
            long pos = rb.reserve(4000);
            assertEquals(4120, pos);
            byte[] big = SimRingBufferTest.seq(4000, 3);
            rb.write(pos, 0, big, 0, big.length);
            rb.submit(pos, 0);
            got.clear();
            assertEquals(1, r.consume(collect(got)));
            assertArrayEquals(big, got.get(0));
        }
    }

    @Test
    void aThrowingHandlerLeavesItsRecord() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        SimRingBuffer rb = maps.ring(map);
        rb.output(new byte[] {1}, 0);
        rb.output(new byte[] {2}, 0);
        try (SimRingBufferReader r = reader(map)) {
            List<byte[]> got = new ArrayList<>();
            RuntimeException boom = new RuntimeException("boom");
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> r.consume((ring, rec) -> {
                if (rec.get(0) == 2) {
                    throw boom;
                }
                got.add(new byte[] {rec.get(0)});
            }));
            assertEquals(boom, thrown);
            assertEquals(1, got.size());
            assertEquals(16, rb.memory().consumerPos(), "record 1 consumed, record 2 not");
            assertEquals(1, r.consume(collect(got)));
            assertArrayEquals(new byte[] {2}, got.get(1));
        }
    }

    @Test
    void boundedConsumeFullRingRecoveryAndSeveralRings() {
        BpfMap a = maps.create(MapType.RINGBUF, 4096);
        BpfMap b = maps.create(MapType.RINGBUF, 8192);
        SimRingBuffer ra = maps.ring(a);
        ra.output(new byte[8], 0);
        ra.output(new byte[16], 0);
        for (int i = 0; i < 253; i++) {
            ra.output(new byte[8], 0);
        }
        assertEquals(-11, ra.output(new byte[8], 0));
        maps.ring(b).output(new byte[] {42}, 0);
        try (SimRingBufferReader r = reader(a, b)) {
            List<BpfMap> from = new ArrayList<>();
            assertEquals(1, r.consume((ring, rec) -> from.add(ring), 1));
            assertEquals(List.of(a), from);
            assertEquals(16, ra.memory().consumerPos());
            assertEquals(0, ra.output(new byte[8], 0), "consumer_pos += 16 made room");
            assertEquals(0, r.consume((ring, rec) -> { }, 0));
            assertEquals(255 + 1, r.consume((ring, rec) -> from.add(ring)), "255 left in a, 1 in b");
            assertEquals(1, from.stream().filter(b::equals).count());
            assertEquals(0, r.available(a));
            assertEquals(0, r.available(b));
            assertThrows(InvalidArgumentException.class, () -> r.consume((ring, rec) -> { }, -1));
        }
    }

    @Test
    void openChecks() {
        BpfMap ring = maps.create(MapType.RINGBUF, 4096);
        BpfMap user = maps.create(MapType.USER_RINGBUF, 4096);
        BpfMap hash = maps.foreign(MapType.HASH);
        assertEquals(22, assertThrows(InvalidArgumentException.class, () -> reader()).errno());
        assertThrows(InvalidArgumentException.class, () -> reader(user));
        assertThrows(InvalidArgumentException.class, () -> reader(hash));
        assertThrows(InvalidArgumentException.class, () -> reader(ring, ring));
        SimRingBufferReader r = reader(ring);
        assertThrows(InvalidArgumentException.class, () -> r.available(user));
        r.close();
        r.close();
        assertThrows(MapClosedException.class, () -> r.consume((m, rec) -> { }));
        assertThrows(MapClosedException.class, () -> r.available(ring));
        r.wakeup(); // harmless after close
        ring.close();
        assertThrows(MapClosedException.class, () -> reader(ring));
    }

    @Test
    void pollTimesOutWithNothingToRead() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        try (SimRingBufferReader r = reader(map)) {
            long t0 = System.nanoTime();
            assertEquals(0, r.poll((m, rec) -> { }, Duration.ofMillis(100)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 95, "returned after " + ms + " ms");
            assertEquals(0, r.poll((m, rec) -> { }, Duration.ZERO));
            assertThrows(InvalidArgumentException.class, () -> r.poll((m, rec) -> { }, Duration.ofMillis(-1)));
        }
    }

    @Test
    void pollReturnsAtOnceWithDataAndWakesOnACommit() throws Exception {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        SimRingBuffer rb = maps.ring(map);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (SimRingBufferReader r = reader(map)) {
            rb.output(new byte[] {1}, 0);
            assertEquals(1, r.poll((m, rec) -> { }, Duration.ofSeconds(10)));
            Future<?> producer = ex.submit(() -> {
                sleep(100);
                rb.output(new byte[] {2}, 0);
            });
            long t0 = System.nanoTime();
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, r.poll(collect(got), Duration.ofSeconds(10)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertArrayEquals(new byte[] {2}, got.get(0));
            producer.get();
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void aNoWakeupRecordDoesNotWakePollButIsFoundAtTheTimeout() throws Exception {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        SimRingBuffer rb = maps.ring(map);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (SimRingBufferReader r = reader(map)) {
            // The record goes in while the poll is parked (so not at its first pass), at least 100 ms before
            // the poll's deadline, so the pass after the timeout must find it. A main thread descheduled past
            // that point proves nothing either way: the attempt is consumed and repeated (at most 5 times).
            for (int attempt = 1; ; attempt++) {
                AtomicReference<Thread> poller = new AtomicReference<>();
                long[] startedAt = new long[1];
                CountDownLatch started = new CountDownLatch(1);
                Future<Integer> poll = ex.submit(() -> {
                    poller.set(Thread.currentThread());
                    startedAt[0] = System.nanoTime();
                    started.countDown();
                    return r.poll((m, rec) -> { }, Duration.ofMillis(400));
                });
                assertTrue(started.await(30, TimeUnit.SECONDS));
                awaitParkedInPoll(poller.get());
                rb.output(new byte[] {7}, RingLayout.RB_NO_WAKEUP);
                long outputMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt[0]);
                int n = poll.get(30, TimeUnit.SECONDS);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt[0]);
                assertTrue(ms >= 390, "a NO_WAKEUP record woke the poll: it returned after " + ms + " ms");
                assertEquals(0, rb.wakeups());
                if (outputMs <= 300) {
                    assertEquals(1, n, "the record produced " + outputMs + " ms into a 400 ms poll was found at "
                            + "its timeout");
                    break;
                }
                assertTrue(attempt < 5, "5 attempts where the main thread produced too late (" + outputMs + " ms)");
                r.consume((m, rec) -> { });
            }
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void wakeupFromAnotherThreadAndItsStickiness() throws Exception {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (SimRingBufferReader r = reader(map)) {
            CountDownLatch started = new CountDownLatch(1);
            Future<Integer> poll = ex.submit(() -> {
                started.countDown();
                return r.poll((m, rec) -> { }, Duration.ofSeconds(30));
            });
            started.await();
            sleep(50);
            r.wakeup();
            assertEquals(0, poll.get(10, TimeUnit.SECONDS));
            r.wakeup(); // nobody waiting: the next poll returns at once
            long t0 = System.nanoTime();
            assertEquals(0, r.poll((m, rec) -> { }, Duration.ofSeconds(30)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            // close from another thread ends a waiting poll too
            AtomicReference<Thread> poller = new AtomicReference<>();
            Future<Integer> poll2 = ex.submit(() -> {
                poller.set(Thread.currentThread());
                return r.poll((m, rec) -> { }, Duration.ofSeconds(30));
            });
            // close once the poll waits: a close before it starts makes it throw MapClosedException instead
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (poller.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            awaitParkedInPoll(poller.get());
            r.close();
            assertEquals(0, poll2.get(10, TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void oneConsumerAtATime() {
        BpfMap map = maps.create(MapType.RINGBUF, 4096);
        maps.ring(map).output(new byte[1], 0);
        try (SimRingBufferReader r = reader(map)) {
            assertThrows(IllegalStateException.class, () -> r.consume((m, rec) -> r.consume((m2, rec2) -> { })));
            assertEquals(0, maps.ring(map).memory().consumerPos(), "the handler threw: record left");
        }
    }

    @Test
    void concurrentProducersLoseAndDuplicateNothing() throws Exception {
        BpfMap map = maps.create(MapType.RINGBUF, 16384);
        SimRingBuffer rb = maps.ring(map);
        int producers = 4;
        int perProducer = 20_000;
        ExecutorService ex = Executors.newFixedThreadPool(producers);
        try (SimRingBufferReader r = reader(map)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                fs.add(ex.submit(() -> {
                    // sizes differ between producers; some records wrap
                    ByteBuffer b = ByteBuffer.allocate(12 + id * 4).order(ByteOrder.nativeOrder());
                    for (int i = 0; i < perProducer; ) {
                        b.clear();
                        b.putInt(0, id).putInt(4, i).putInt(8, ~i);
                        boolean ok;
                        if ((i & 1) == 0) {
                            ok = rb.output(b, 0) == 0;
                        } else {
                            long pos = rb.reserve(b.capacity());
                            ok = pos >= 0;
                            if (ok) {
                                rb.write(pos, 0, b.array(), 0, b.capacity());
                                if (i % 7 == 0) {
                                    long d = rb.reserve(3);
                                    if (d >= 0) {
                                        rb.discard(d, RingLayout.RB_NO_WAKEUP);
                                    }
                                }
                                rb.submit(pos, 0);
                            }
                        }
                        if (ok) {
                            i++;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            int[] next = new int[producers];
            long total = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (total < (long) producers * perProducer && System.nanoTime() < deadline) {
                total += r.poll((m, rec) -> {
                    int id = rec.getInt(0);
                    int i = rec.getInt(4);
                    assertEquals(12 + id * 4, rec.remaining());
                    assertEquals(next[id], i, "producer " + id + " in order, no loss, no duplicate");
                    assertEquals(~i, rec.getInt(8));
                    next[id]++;
                }, Duration.ofMillis(50));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            total += r.consume((m, rec) -> next[rec.getInt(0)]++);
            assertEquals((long) producers * perProducer, total);
            for (int p = 0; p < producers; p++) {
                assertEquals(perProducer, next[p]);
            }
            assertEquals(0, r.available(map));
        } finally {
            ex.shutdownNow();
        }
    }

    /** Waits (at most 30 s) until {@code t} is parked inside {@code SimRingBufferReader.poll}. */
    private static void awaitParkedInPoll(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread.State state = t.getState();
            if (state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getClassName().equals(SimRingBufferReader.class.getName()) && e.getMethodName().equals("poll")) {
                        return;
                    }
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError(t.getName() + " never parked in poll");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
