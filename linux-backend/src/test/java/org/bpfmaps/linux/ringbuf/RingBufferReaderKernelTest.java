package org.bpfmaps.linux.ringbuf;

import static org.bpfmaps.linux.ringbuf.RingKernel.copy;
import static org.bpfmaps.linux.ringbuf.RingKernel.payload;
import static org.bpfmaps.linux.ringbuf.RingKernel.ring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.linux.KernelTests;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RINGBUF reader on the running kernel; records are produced by real BPF programs (the program view). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingBufferReaderKernelTest {
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

    private BpfMap newRing(int size) {
        return closing(ring(backend, MapType.RINGBUF, size));
    }

    private ProgramView view(BpfMap map) {
        return closing(map.programView(0));
    }

    private RingBufferReader reader(BpfMap... maps) {
        return closing(backend.ringBufferReader(maps));
    }

    /** Collects copies of the records handed to it. */
    private static final class Collector implements RingBufferReader.RecordHandler {
        final List<byte[]> records = new ArrayList<>();
        final List<BpfMap> rings = new ArrayList<>();

        @Override
        public void onRecord(BpfMap ring, ByteBuffer record) {
            records.add(copy(record));
            rings.add(ring);
        }
    }

    @Test
    @DisplayName("records arrive in order with their exact bytes, from output and from reserve/submit")
    void recordsInOrderWithExactBytes() {
        BpfMap map = newRing(16384);
        ProgramView v = view(map);
        int[] sizes = {1, 3, 7, 8, 9, 16, 63, 64, 65, 100, 255, 1000, 4000};
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] p = payload(i, sizes[i]);
            assertTrue(i % 2 == 0 ? v.ringbufOutput(p, 0) : v.ringbufReserveSubmit(p, 0), "produce " + i);
            sent.add(p);
        }
        RingBufferReader r = reader(map);
        List<String> problems = new ArrayList<>();
        int n = r.consume((ring, record) -> {
            if (!record.isReadOnly()) {
                problems.add("record view is writable");
            }
            if (record.position() != 0 || record.limit() != record.capacity()) {
                problems.add("view position " + record.position() + " limit " + record.limit() + " capacity "
                        + record.capacity());
            }
            if (record.order() != ByteOrder.nativeOrder()) {
                problems.add("view order " + record.order());
            }
            if (ring != map) {
                problems.add("ring argument " + ring);
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(sizes.length, n);
        assertEquals(0, r.available(map), "all consumed");
        assertEquals(0, r.consume((ring, record) -> { }), "nothing twice");

        for (int i = 0; i < sizes.length; i++) {
            byte[] p = payload(100 + i, sizes[i]);
            assertTrue(v.ringbufOutput(p, 0));
            sent.set(i, p);
        }
        Collector c = new Collector();
        assertEquals(sizes.length, r.consume(c));
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(sent.get(i), c.records.get(i), "record " + i + " (" + sizes[i] + " bytes)");
        }
        assertEquals(v.ringbufQuery(3), v.ringbufQuery(2), "kernel sees consumer_pos == producer_pos");
    }

    @Test
    @DisplayName("discarded records are skipped, and their space is consumed")
    void discardedRecordsAreSkipped() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        assertTrue(v.ringbufOutput(payload(1, 8), 0));
        assertTrue(v.ringbufReserveDiscard(16, 0));
        assertTrue(v.ringbufReserveDiscard(5, 0));
        assertTrue(v.ringbufOutput(payload(2, 12), 0));
        assertTrue(v.ringbufReserveDiscard(40, 0));
        RingBufferReader r = reader(map);
        assertEquals(16 + 24 + 16 + 24 + 48, r.available(map));
        Collector c = new Collector();
        assertEquals(2, r.consume(c));
        assertArrayEquals(payload(1, 8), c.records.get(0));
        assertArrayEquals(payload(2, 12), c.records.get(1));
        assertEquals(0, r.available(map), "trailing discarded record consumed too");
        assertEquals(128, v.ringbufQuery(2), "consumer_pos as the kernel sees it");
    }

    @Test
    @DisplayName("a full ring refuses output until a record is consumed; available() counts unconsumed bytes")
    void fullRingThenConsumeFreesSpace() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        RingBufferReader r = reader(map);
        assertEquals(0, r.available(map));
        int produced = 0;
        while (v.ringbufOutput(payload(produced, 16), 0)) {
            produced++;
            assertTrue(produced < 1000, "the ring never filled");
        }
        // 24 bytes per record; the producer may not get more than size - 1 bytes ahead of the consumer.
        assertEquals(4095 / 24, produced);
        assertEquals(produced * 24L, r.available(map));
        assertFalse(v.ringbufReserveSubmit(payload(-1, 16), 0), "reserve fails too");

        Collector c = new Collector();
        assertEquals(1, r.consume(c, 1));
        assertArrayEquals(payload(0, 16), c.records.get(0));
        assertEquals((produced - 1) * 24L, r.available(map));
        assertTrue(v.ringbufOutput(payload(produced, 16), 0), "room again after one record was consumed");

        assertEquals(produced, r.consume(c));
        for (int i = 0; i <= produced; i++) {
            assertArrayEquals(payload(i, 16), c.records.get(i), "record " + i);
        }
        assertEquals(0, r.available(map));
    }

    @Test
    @DisplayName("bounded consume hands out at most maxRecords, and the rest stay for the next call")
    void boundedConsume() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        for (int i = 0; i < 10; i++) {
            assertTrue(v.ringbufOutput(payload(i, 20), 0));
        }
        RingBufferReader r = reader(map);
        Collector c = new Collector();
        assertEquals(0, r.consume(c, 0));
        assertEquals(3, r.consume(c, 3));
        assertEquals(7 * 32L, r.available(map));
        assertEquals(7, r.consume(c, 100));
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(payload(i, 20), c.records.get(i));
        }
        assertThrows(InvalidArgumentException.class, () -> r.consume(c, -1));
    }

    @Test
    @DisplayName("records that wrap around the end of the ring are one contiguous view")
    void recordsWrapAroundTheEnd() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        RingBufferReader r = reader(map);
        Collector c = new Collector();
        int wrapped = 0;
        for (int i = 0; i < 40; i++) {
            long before = v.ringbufQuery(3);
            byte[] p = payload(i, 1000 + i);
            assertTrue(v.ringbufOutput(p, 0));
            long after = v.ringbufQuery(3);
            if (before / 4096 != (after - 1) / 4096) {
                wrapped++;
            }
            assertEquals(1, r.consume(c));
            assertArrayEquals(p, c.records.get(i), "record " + i + " at position " + before);
        }
        assertTrue(wrapped >= 5, "records crossed the end " + wrapped + " times");
    }

    @Test
    @DisplayName("a handler that throws leaves its record unconsumed; the next consume starts with it")
    void throwingHandlerLeavesItsRecord() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        for (int i = 0; i < 5; i++) {
            assertTrue(v.ringbufOutput(payload(i, 8), 0));
        }
        RingBufferReader r = reader(map);
        List<byte[]> seen = new ArrayList<>();
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> r.consume((ring, rec) -> {
            seen.add(copy(rec));
            if (seen.size() == 3) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        assertEquals(3 * 16L, r.available(map), "records 2, 3, 4 remain");
        Collector c = new Collector();
        assertEquals(3, r.consume(c));
        assertArrayEquals(payload(2, 8), c.records.get(0), "the failed record comes again");
        assertArrayEquals(payload(4, 8), c.records.get(2));
    }

    @Test
    @DisplayName("records from several rings come with their ring")
    void severalRings() {
        BpfMap a = newRing(4096);
        BpfMap b = newRing(8192);
        ProgramView va = view(a);
        ProgramView vb = view(b);
        for (int i = 0; i < 4; i++) {
            assertTrue(va.ringbufOutput(payload(i, 8), 0));
            assertTrue(vb.ringbufOutput(payload(100 + i, 8), 0));
        }
        RingBufferReader r = reader(a, b);
        Collector c = new Collector();
        assertEquals(3, r.consume(c, 3));
        assertEquals(5, r.consume(c));
        List<byte[]> fromA = new ArrayList<>();
        List<byte[]> fromB = new ArrayList<>();
        for (int i = 0; i < c.records.size(); i++) {
            (c.rings.get(i) == a ? fromA : fromB).add(c.records.get(i));
        }
        assertEquals(4, fromA.size());
        assertEquals(4, fromB.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(payload(i, 8), fromA.get(i));
            assertArrayEquals(payload(100 + i, 8), fromB.get(i));
        }
        assertEquals(0, r.available(a) + r.available(b));
    }

    @Test
    @DisplayName("poll with nothing to read returns 0 after about the timeout")
    void pollTimesOut() {
        BpfMap map = newRing(4096);
        RingBufferReader r = reader(map);
        long t0 = System.nanoTime();
        assertEquals(0, r.poll((ring, rec) -> { }, Duration.ofMillis(200)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // never early; the upper bounds only catch a timeout misread (seconds, or none): a loaded CI machine may
        // deschedule the thread for a good while after epoll_wait returns
        assertTrue(ms >= 199 && ms < 10_000, "poll(200ms) took " + ms + " ms");
        t0 = System.nanoTime();
        assertEquals(0, r.poll((ring, rec) -> { }, Duration.ZERO));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "poll(0) does not wait");
    }

    @Test
    @DisplayName("poll returns records already there at once, and wakes up for records produced while it waits")
    void pollWakesForRecords() throws Exception {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        RingBufferReader r = reader(map);
        assertTrue(v.ringbufOutput(payload(1, 8), 0));
        Collector c = new Collector();
        long t0 = System.nanoTime();
        assertEquals(1, r.poll(c, Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);

        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<Thread> poller = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Future<Integer> polled = ex.submit(() -> {
                poller.set(Thread.currentThread());
                started.countDown();
                return r.poll(c, Duration.ofSeconds(30));
            });
            started.await();
            KernelTests.awaitInside(poller.get(), "Poller", "await");
            assertFalse(polled.isDone(), "poll waits while the ring is empty");
            t0 = System.nanoTime();
            assertTrue(v.ringbufOutput(payload(2, 8), 0));
            assertEquals(1, polled.get(10, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5000, "poll woke " + ms + " ms after the record");
            assertArrayEquals(payload(2, 8), c.records.get(1));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    @DisplayName("wakeup() from another thread makes a waiting poll return 0; a wakeup before poll is kept")
    void wakeupFromAnotherThread() throws Exception {
        BpfMap map = newRing(4096);
        RingBufferReader r = reader(map);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<Thread> poller = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Future<Integer> polled = ex.submit(() -> {
                poller.set(Thread.currentThread());
                started.countDown();
                return r.poll((ring, rec) -> { }, Duration.ofSeconds(60));
            });
            started.await();
            KernelTests.awaitInside(poller.get(), "Poller", "await");
            assertFalse(polled.isDone());
            long t0 = System.nanoTime();
            r.wakeup();
            assertEquals(0, polled.get(10, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        } finally {
            ex.shutdownNow();
        }
        r.wakeup();
        long t0 = System.nanoTime();
        assertEquals(0, r.poll((ring, rec) -> { }, Duration.ofSeconds(60)));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the earlier wakeup ended this poll");
        t0 = System.nanoTime();
        assertEquals(0, r.poll((ring, rec) -> { }, Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - t0 >= 99_000_000L, "and only that one");
    }

    @Test
    @DisplayName("close() from another thread ends a waiting poll, releases everything once, and is idempotent")
    void closeWhilePolling() throws Exception {
        BpfMap map = newRing(4096);
        LinuxRingBufferReader r = (LinuxRingBufferReader) backend.ringBufferReader(map);
        try {
            java.util.concurrent.atomic.AtomicReference<Thread> poller = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                poller.set(Thread.currentThread());
                started.countDown();
                return r.poll((ring, rec) -> { }, Duration.ofSeconds(60));
            });
            // close only once the poll waits in epoll: a close before the poll starts makes the poll throw
            // MapClosedException instead, which is right but not what this test is about
            assertTrue(started.await(30, TimeUnit.SECONDS));
            KernelTests.awaitInside(poller.get(), "Poller", "await");
            assertFalse(polled.isDone());
            r.close();
            assertEquals(0, polled.get(10, TimeUnit.SECONDS));
            assertTrue(r.isClosed());
            assertTrue(r.released(), "the poll that returned dropped the last use");
            r.close();
            r.wakeup();
            assertThrows(MapClosedException.class, () -> r.consume((ring, rec) -> { }));
            assertThrows(MapClosedException.class, () -> r.poll((ring, rec) -> { }, Duration.ZERO));
            assertThrows(MapClosedException.class, () -> r.available(map));
        } finally {
            r.close();
        }
    }

    @Test
    @DisplayName("a handler may close its reader: the pass stops after that record and everything is released")
    void closeFromHandler() {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        for (int i = 0; i < 3; i++) {
            assertTrue(v.ringbufOutput(payload(i, 8), 0));
        }
        LinuxRingBufferReader r = (LinuxRingBufferReader) reader(map);
        assertEquals(1, r.consume((ring, rec) -> r.close()));
        assertTrue(r.released());
        try (RingBufferReader again = backend.ringBufferReader(map)) {
            Collector c = new Collector();
            assertEquals(2, again.consume(c));
            assertArrayEquals(payload(1, 8), c.records.get(0));
        }
    }

    @Test
    @DisplayName("consume from a handler, or from a second thread meanwhile, is refused")
    void oneConsumerAtATime() throws Exception {
        BpfMap map = newRing(4096);
        ProgramView v = view(map);
        assertTrue(v.ringbufOutput(payload(1, 8), 0));
        assertTrue(v.ringbufOutput(payload(2, 8), 0));
        RingBufferReader r = reader(map);
        assertThrows(IllegalStateException.class, () -> r.consume((ring, rec) -> r.consume((x, y) -> { })));
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> r.consume((ring, rec) -> {
            inHandler.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 1));
        assertTrue(inHandler.await(10, TimeUnit.SECONDS));
        try {
            assertThrows(IllegalStateException.class, () -> r.consume((ring, rec) -> { }));
        } finally {
            release.countDown();
        }
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        Collector c = new Collector();
        assertEquals(1, r.consume(c));
        assertArrayEquals(payload(2, 8), c.records.get(0));
    }

    @Test
    @DisplayName("the reader keeps working, polling included, after the map handle is closed (the mappings hold it)")
    void readerOutlivesMapHandle() throws Exception {
        BpfMap map = ring(backend, MapType.RINGBUF, 4096);
        BpfMap other;
        try {
            other = closing(backend.openById(map.id(), Access.READ_WRITE));
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        ProgramView v = view(other);
        assertTrue(v.ringbufOutput(payload(7, 8), 0));
        RingBufferReader r = reader(map);
        map.close();
        Collector c = new Collector();
        assertEquals(1, r.consume(c));
        assertArrayEquals(payload(7, 8), c.records.get(0));
        assertEquals(0, r.available(map));
        java.util.concurrent.atomic.AtomicReference<Thread> poller = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
            poller.set(Thread.currentThread());
            started.countDown();
            return r.poll(c, Duration.ofSeconds(30));
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        KernelTests.awaitInside(poller.get(), "Poller", "await");
        assertTrue(v.ringbufOutput(payload(8, 8), 0));
        assertEquals(1, polled.get(10, TimeUnit.SECONDS), "epoll still watches the map through the mapping");
        assertArrayEquals(payload(8, 8), c.records.get(1));
    }

    @Test
    @DisplayName("close() unmaps every ring and closes the epoll and eventfd descriptors")
    void closeReleasesMappingsAndDescriptors() throws Exception {
        BpfMap a = newRing(RingKernel.TRACKED_SIZE);
        BpfMap b = newRing(RingKernel.TRACKED_SIZE);
        long maps = RingKernel.producerMappings();
        // descriptor numbers, not counts: a Cleaner may close another test's dropped reader meanwhile
        java.util.Set<Integer> epolls = KernelTests.descriptorNumbers("eventpoll");
        java.util.Set<Integer> eventfds = KernelTests.descriptorNumbers("eventfd");
        java.util.Set<Integer> newEpolls;
        java.util.Set<Integer> newEventfds;
        RingBufferReader r = backend.ringBufferReader(a, b);
        try {
            assertEquals(maps + 2, RingKernel.producerMappings(), "one producer mapping per ring");
            newEpolls = KernelTests.descriptorNumbers("eventpoll");
            newEpolls.removeAll(epolls);
            newEventfds = KernelTests.descriptorNumbers("eventfd");
            newEventfds.removeAll(eventfds);
            assertEquals(1, newEpolls.size(), "one epoll descriptor: " + newEpolls);
            assertEquals(1, newEventfds.size(), "one eventfd: " + newEventfds);
        } finally {
            r.close();
        }
        assertEquals(maps, RingKernel.producerMappings());
        java.util.Set<Integer> left = KernelTests.descriptorNumbers("eventpoll");
        left.retainAll(newEpolls);
        java.util.Set<Integer> leftEventfds = KernelTests.descriptorNumbers("eventfd");
        leftEventfds.retainAll(newEventfds);
        left.addAll(leftEventfds);
        assertEquals(java.util.Set.of(), left, "the reader's epoll and eventfd descriptors are closed");
    }

    @Test
    @DisplayName("a reader dropped without close() is released by the cleaner")
    void droppedReaderIsCleaned() throws Exception {
        BpfMap map = newRing(RingKernel.TRACKED_SIZE);
        long maps = RingKernel.producerMappings();
        java.util.Set<Integer> epolls = KernelTests.descriptorNumbers("eventpoll");
        java.util.Set<Integer> dropped = openAndDrop(map);
        dropped.removeAll(epolls);
        assertEquals(1, dropped.size(), "the reader's epoll descriptor: " + dropped);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        java.util.Set<Integer> open = KernelTests.descriptorNumbers("eventpoll");
        open.retainAll(dropped);
        while ((RingKernel.producerMappings() != maps || !open.isEmpty()) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            open = KernelTests.descriptorNumbers("eventpoll");
            open.retainAll(dropped);
        }
        assertEquals(maps, RingKernel.producerMappings(), "mappings released");
        assertEquals(java.util.Set.of(), open, "epoll closed");
    }

    /** Opens a reader and drops it unclosed; returns the eventpoll descriptors open while it was alive. */
    private java.util.Set<Integer> openAndDrop(BpfMap map) throws Exception {
        RingBufferReader r = backend.ringBufferReader(map);
        assertEquals(0, r.available(map));
        return KernelTests.descriptorNumbers("eventpoll");
    }

    @Test
    @DisplayName("a ring behind a read-only or write-only descriptor is refused with EACCES before anything is mapped")
    void descriptorAccessIsChecked() throws Exception {
        try (org.bpfmaps.linux.KernelTests.Bpffs fs = new org.bpfmaps.linux.KernelTests.Bpffs()) {
            String path = fs.path("ring").toString();
            BpfMap first = newRing(RingKernel.TRACKED_SIZE);
            BpfMap pinned = newRing(RingKernel.TRACKED_SIZE);
            pinned.pin(path);
            for (Access access : new Access[] {Access.READ_ONLY, Access.WRITE_ONLY}) {
                try (BpfMap limited = backend.openPinned(path, access)) {
                    long maps = RingKernel.producerMappings();
                    long epolls = KernelTests.descriptorsTo("eventpoll");
                    long eventfds = KernelTests.descriptorsTo("eventfd");
                    BpfException e = assertThrows(PermissionDeniedException.class,
                            () -> backend.ringBufferReader(first, limited));
                    assertEquals(Errno.EACCES.number(), e.errno());
                    assertEquals(BpfCommand.RINGBUF_USER, e.command());
                    assertEquals(maps, RingKernel.producerMappings(), "no mapping left behind");
                    assertEquals(epolls, KernelTests.descriptorsTo("eventpoll"));
                    assertEquals(eventfds, KernelTests.descriptorsTo("eventfd"));
                }
            }
        }
    }

    @Test
    @DisplayName("only open linux RINGBUF maps, each once, are accepted")
    void validation() {
        BpfMap ringMap = newRing(4096);
        BpfMap array = closing(backend.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4)
                .maxEntries(1).build()));
        BpfMap user = closing(ring(backend, MapType.USER_RINGBUF, 4096));
        BpfMap foreign = (BpfMap) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BpfMap.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "type" -> MapType.RINGBUF;
                    case "maxEntries" -> 4096;
                    case "toString" -> "foreign ring";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        for (BpfMap[] bad : List.of(new BpfMap[0], new BpfMap[] {array}, new BpfMap[] {user},
                new BpfMap[] {ringMap, ringMap}, new BpfMap[] {foreign}, new BpfMap[] {ringMap, array})) {
            BpfException e = assertThrows(InvalidArgumentException.class, () -> backend.ringBufferReader(bad));
            assertEquals(Errno.EINVAL.number(), e.errno());
            assertEquals(BpfCommand.RINGBUF_USER, e.command());
        }
        BpfMap closed = ring(backend, MapType.RINGBUF, 4096);
        closed.close();
        assertThrows(MapClosedException.class, () -> backend.ringBufferReader(closed));
        RingBufferReader r = reader(ringMap);
        assertThrows(InvalidArgumentException.class, () -> r.available(array));
        assertThrows(InvalidArgumentException.class, () -> r.poll((ring, rec) -> { }, Duration.ofMillis(-1)));
    }
}
