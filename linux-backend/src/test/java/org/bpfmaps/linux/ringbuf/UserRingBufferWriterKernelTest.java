package org.bpfmaps.linux.ringbuf;

import static org.bpfmaps.linux.ringbuf.RingKernel.payload;
import static org.bpfmaps.linux.ringbuf.RingKernel.ring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.UserRingBufferWriter.Reservation;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.linux.sys.LibC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The USER_RINGBUF writer on the running kernel. What it writes is checked through a separate read-only mapping
 * of the same map (positions and record headers), and, where the program view offers it, drained by a real
 * {@code bpf_user_ringbuf_drain}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UserRingBufferWriterKernelTest {
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;

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
        return closing(ring(backend, MapType.USER_RINGBUF, size));
    }

    private UserRingBufferWriter writer(BpfMap map) {
        return closing(backend.userRingBufferWriter(map));
    }

    private Peek peek(BpfMap map) {
        return closing(new Peek(map));
    }

    /** A read-only mapping of a user ring buffer, for looking at what the writer did. */
    private static final class Peek implements AutoCloseable {
        final long consumer;
        final long producer;
        final int page = PageSize.get();
        final int size;
        final int producerLength;
        final ByteBuffer consumerPage;
        final ByteBuffer producerPage;

        Peek(BpfMap map) {
            int fd = ((LinuxMap) map).fd();
            size = map.maxEntries();
            producerLength = page + 2 * size;
            consumer = LibC.mmap(0, page, 1 /* PROT_READ */, 1 /* MAP_SHARED */, fd, 0);
            assertNotEquals(-1L, consumer, "mmap consumer page errno " + LibC.errno());
            producer = LibC.mmap(0, producerLength, 1, 1, fd, page);
            if (producer == -1L) {
                int errno = LibC.errno();
                LibC.munmap(consumer, page);
                throw new AssertionError("mmap producer pages errno " + errno);
            }
            consumerPage = new Pointer(consumer).getByteBuffer(0, page).order(ByteOrder.nativeOrder());
            producerPage = new Pointer(producer).getByteBuffer(0, producerLength).order(ByteOrder.nativeOrder());
        }

        long consumerPos() {
            return consumerPage.getLong(0);
        }

        long producerPos() {
            return producerPage.getLong(0);
        }

        int len(long pos) {
            return producerPage.getInt(page + (int) (pos & (size - 1)));
        }

        int pgOff(long pos) {
            return producerPage.getInt(page + (int) (pos & (size - 1)) + 4);
        }

        byte[] payload(long pos, int n) {
            byte[] b = new byte[n];
            producerPage.get(page + (int) (pos & (size - 1)) + 8, b);
            return b;
        }

        @Override
        public void close() {
            LibC.munmap(producer, producerLength);
            LibC.munmap(consumer, page);
        }
    }

    private static long total(int payload) {
        return (payload + 8 + 7) & ~7L;
    }

    @Test
    @DisplayName("write() lays records out as the kernel reads them: len without flags, pg_off 0, payload, 8-aligned")
    void writeLaysOutRecords() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        Peek p = peek(map);
        assertEquals(4096, w.free());
        int[] sizes = {1, 8, 13, 64, 7};
        long pos = 0;
        for (int i = 0; i < sizes.length; i++) {
            assertTrue(w.write(payload(i, sizes[i])));
            assertEquals(sizes[i], p.len(pos), "len of record " + i);
            assertEquals(0, p.pgOff(pos));
            assertArrayEquals(payload(i, sizes[i]), p.payload(pos, sizes[i]));
            pos += total(sizes[i]);
            assertEquals(pos, p.producerPos());
        }
        assertEquals(0, p.consumerPos());
        assertEquals(4096 - pos, w.free());
    }

    @Test
    @DisplayName("reserve publishes a BUSY header at once; submit clears BUSY, discard sets DISCARD")
    void reservationProtocol() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        Peek p = peek(map);
        Reservation r = w.reserve(10);
        ByteBuffer b = r.buffer();
        assertEquals(0, b.position());
        assertEquals(10, b.limit());
        assertEquals(10, b.capacity());
        assertFalse(b.isReadOnly());
        assertEquals(ByteOrder.nativeOrder(), b.order());
        assertEquals(BUSY | 10, p.len(0));
        assertEquals(24, p.producerPos(), "producer_pos advanced at reserve time, as libbpf does");
        b.put(payload(5, 10));
        r.submit();
        assertEquals(10, p.len(0));
        assertArrayEquals(payload(5, 10), p.payload(0, 10));
        assertThrows(IllegalStateException.class, r::submit);
        assertThrows(IllegalStateException.class, r::discard);

        Reservation d = w.reserve(20);
        assertEquals(BUSY | 20, p.len(24));
        d.discard();
        assertEquals(DISCARD | 20, p.len(24));
        assertEquals(24 + 32, p.producerPos());
    }

    @Test
    @DisplayName("several reservations may be outstanding and be finished in any order")
    void severalOutstandingReservations() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        Peek p = peek(map);
        Reservation a = w.reserve(8);
        Reservation b = w.reserve(16);
        Reservation c = w.reserve(3);
        assertTrue(w.write(payload(9, 4)));
        c.buffer().put(payload(3, 3));
        c.submit();
        b.discard();
        assertEquals(BUSY | 8, p.len(0), "a still BUSY: the kernel stops here");
        a.buffer().put(payload(1, 8));
        a.submit();
        assertEquals(8, p.len(0));
        assertEquals(DISCARD | 16, p.len(16));
        assertEquals(3, p.len(40));
        assertEquals(4, p.len(56));
        assertArrayEquals(payload(3, 3), p.payload(40, 3));
        assertEquals(72, p.producerPos());
    }

    @Test
    @DisplayName("a user ring may fill completely; then write is false and reserve fails with ENOSPC")
    void fullRing() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        Peek p = peek(map);
        int written = 0;
        while (w.write(payload(written, 16))) {
            written++;
            assertTrue(written < 1000);
        }
        assertEquals(4096 / 24, written);
        assertEquals(16, w.free());
        BpfException e = assertThrows(MapFullException.class, () -> w.reserve(9));
        assertEquals(Errno.ENOSPC.number(), e.errno());
        assertEquals(BpfCommand.RINGBUF_USER, e.command());
        assertTrue(w.write(payload(-1, 8)), "a 16-byte record fills the last 16 bytes");
        assertEquals(0, w.free());
        assertEquals(4096, p.producerPos() - p.consumerPos());
        assertFalse(w.write(new byte[1]));
        assertEquals(4096, p.producerPos(), "a refused write changes nothing");
    }

    @Test
    @DisplayName("a full user ring is a MapFullException, as the UserRingBufferWriter javadoc promises")
    void fullRingIsMapFullException() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        assertTrue(w.write(new byte[4088]));
        assertInstanceOf(MapFullException.class, assertThrows(BpfException.class, () -> w.reserve(1)));
    }

    @Test
    @DisplayName("sizes that are not positive or can never fit are EINVAL; a record may take the whole ring")
    void invalidSizes() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        for (int size : new int[] {0, -1, 4089, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            BpfException e = assertThrows(InvalidArgumentException.class, () -> w.reserve(size), "size " + size);
            assertEquals(Errno.EINVAL.number(), e.errno());
        }
        assertThrows(InvalidArgumentException.class, () -> w.write(new byte[0]));
        assertThrows(InvalidArgumentException.class, () -> w.write(new byte[4089]));
        Reservation r = w.reserve(4088);
        assertEquals(0, w.free());
        r.discard();
    }

    @Test
    @DisplayName("samples above the kernel's dynptr limit (2^24 - 1 bytes) are EINVAL even in a ring they fit")
    void sampleLimit() {
        BpfMap map = newRing(32 << 20);
        UserRingBufferWriter w = writer(map);
        assertThrows(InvalidArgumentException.class, () -> w.reserve(1 << 24));
        Reservation r = w.reserve((1 << 24) - 1);
        assertEquals((32 << 20) - total((1 << 24) - 1), w.free());
        r.discard();
    }

    @Test
    @DisplayName("close discards outstanding reservations, releases the mapping once, and is idempotent")
    void closeDiscardsOutstanding() {
        BpfMap map = newRing(4096);
        LinuxUserRingBufferWriter w = closing((LinuxUserRingBufferWriter) backend.userRingBufferWriter(map));
        Peek p = peek(map);
        Reservation done = w.reserve(8);
        done.submit();
        Reservation open = w.reserve(12);
        assertEquals(BUSY | 12, p.len(16));
        w.close();
        assertTrue(w.isClosed());
        assertTrue(w.released());
        assertEquals(DISCARD | 12, p.len(16), "the kernel will skip it instead of waiting forever");
        assertEquals(8, p.len(0), "submitted records are untouched");
        w.close();
        assertThrows(MapClosedException.class, open::submit);
        assertThrows(MapClosedException.class, () -> w.reserve(8));
        assertThrows(MapClosedException.class, () -> w.write(new byte[8]));
        assertThrows(MapClosedException.class, w::free);
    }

    @Test
    @DisplayName("a writer dropped without close() is released by the cleaner, its reservation discarded")
    void droppedWriterIsCleaned() throws Exception {
        BpfMap map = newRing(RingKernel.TRACKED_SIZE);
        Peek p = peek(map);
        long maps = RingKernel.producerMappings();
        reserveAndDrop(map);
        assertEquals(BUSY | 12, p.len(0));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (RingKernel.producerMappings() != maps && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(maps, RingKernel.producerMappings(), "the writer's mappings released");
        assertEquals(DISCARD | 12, p.len(0), "the outstanding reservation was discarded, not left BUSY");
    }

    private void reserveAndDrop(BpfMap map) {
        UserRingBufferWriter w = backend.userRingBufferWriter(map);
        w.reserve(12);
    }

    @Test
    @DisplayName("a new writer continues at the ring's producer_pos")
    void writerRestart() {
        BpfMap map = newRing(4096);
        Peek p = peek(map);
        try (UserRingBufferWriter w = backend.userRingBufferWriter(map)) {
            assertTrue(w.write(payload(1, 8)));
            assertTrue(w.write(payload(2, 20)));
        }
        try (UserRingBufferWriter w = backend.userRingBufferWriter(map)) {
            assertEquals(4096 - 48, w.free());
            assertTrue(w.write(payload(3, 5)));
        }
        assertEquals(64, p.producerPos());
        assertArrayEquals(payload(2, 20), p.payload(16, 20));
        assertArrayEquals(payload(3, 5), p.payload(48, 5));
    }

    @Test
    @DisplayName("close() unmaps; read-only and write-only descriptors are refused with EACCES, nothing mapped")
    void mappingsAreReleased() throws Exception {
        BpfMap map = newRing(RingKernel.TRACKED_SIZE);
        long maps = RingKernel.producerMappings();
        UserRingBufferWriter w = backend.userRingBufferWriter(map);
        try {
            assertEquals(maps + 1, RingKernel.producerMappings());
        } finally {
            w.close();
        }
        assertEquals(maps, RingKernel.producerMappings());
        try (org.bpfmaps.linux.KernelTests.Bpffs fs = new org.bpfmaps.linux.KernelTests.Bpffs()) {
            String path = fs.path("user_ring").toString();
            map.pin(path);
            for (Access access : new Access[] {Access.READ_ONLY, Access.WRITE_ONLY}) {
                try (BpfMap limited = backend.openPinned(path, access)) {
                    BpfException e = assertThrows(PermissionDeniedException.class,
                            () -> backend.userRingBufferWriter(limited));
                    assertEquals(Errno.EACCES.number(), e.errno());
                    assertEquals(maps, RingKernel.producerMappings());
                }
            }
        }
    }

    @Test
    @DisplayName("only open linux USER_RINGBUF maps are accepted")
    void validation() {
        BpfMap kernelRing = closing(ring(backend, MapType.RINGBUF, 4096));
        BpfMap array = closing(backend.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4)
                .maxEntries(1).build()));
        BpfMap foreign = (BpfMap) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BpfMap.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "type" -> MapType.USER_RINGBUF;
                    case "maxEntries" -> 4096;
                    case "toString" -> "foreign ring";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        for (BpfMap bad : List.of(kernelRing, array, foreign)) {
            BpfException e = assertThrows(InvalidArgumentException.class, () -> backend.userRingBufferWriter(bad));
            assertEquals(Errno.EINVAL.number(), e.errno());
            assertEquals(BpfCommand.RINGBUF_USER, e.command());
        }
        BpfMap closed = ring(backend, MapType.USER_RINGBUF, 4096);
        closed.close();
        assertThrows(MapClosedException.class, () -> backend.userRingBufferWriter(closed));
    }

    /** A record whose first 8 bytes are {@code seq} (native order), then {@code extra} bytes. */
    private static byte[] sequenced(long seq, int extra) {
        ByteBuffer b = ByteBuffer.allocate(8 + extra).order(ByteOrder.nativeOrder());
        b.putLong(seq);
        for (int i = 0; i < extra; i++) {
            b.put((byte) (seq + i));
        }
        return b.array();
    }

    @Test
    @DisplayName("the kernel's own drain (a BPF program of this test) accepts every record: counts and contents")
    void kernelDrainAcceptsRecords() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        KernelDrainer drainer = closing(new KernelDrainer(map));
        Peek p = peek(map);
        assertEquals(new KernelDrainer.Result(0, 0), drainer.drain(), "empty ring");
        long seq = 1;
        int wraps = 0;
        for (int round = 0; round < 60; round++) {
            long before = p.producerPos();
            int expectedCount = 0;
            long expectedSum = 0;
            List<Reservation> open = new ArrayList<>();
            for (int i = 0; i < 4; i++, seq++) {
                byte[] rec = sequenced(seq, (int) (seq * 37 % 400));
                switch ((int) (seq % 4)) {
                    case 0 -> assertTrue(w.write(rec), "write " + seq);
                    case 1 -> {
                        Reservation r = w.reserve(rec.length);
                        r.buffer().put(rec);
                        open.add(r);
                    }
                    case 2 -> {
                        Reservation r = w.reserve(rec.length);
                        r.buffer().put(rec);
                        r.discard();
                        continue;
                    }
                    default -> {
                        Reservation r = w.reserve(rec.length);
                        r.buffer().put(rec);
                        r.submit();
                    }
                }
                expectedCount++;
                expectedSum += seq;
            }
            // submit the held reservations last, in reverse: the kernel must wait for them, then take all
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).submit();
            }
            if ((before & 4095) > (p.producerPos() & 4095) || p.producerPos() - before >= 4096) {
                wraps++;
            }
            KernelDrainer.Result r = drainer.drain();
            assertEquals(new KernelDrainer.Result(expectedCount, (int) (expectedSum & 0xffff)), r, "round " + round);
            assertEquals(4096, w.free(), "the kernel consumed everything in round " + round);
            assertEquals(p.producerPos(), p.consumerPos());
        }
        assertTrue(wraps >= 5, "records crossed the end of the ring " + wraps + " times");
    }

    @Test
    @DisplayName("the kernel's own drain stops at a BUSY reservation and takes the rest once it is submitted")
    void kernelDrainStopsAtBusy() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        KernelDrainer drainer = closing(new KernelDrainer(map));
        assertTrue(w.write(sequenced(1, 0)));
        Reservation busy = w.reserve(8);
        assertTrue(w.write(sequenced(3, 5)));
        assertEquals(new KernelDrainer.Result(1, 1), drainer.drain());
        assertEquals(new KernelDrainer.Result(0, 0), drainer.drain(), "still BUSY");
        busy.buffer().putLong(0, 2);
        busy.submit();
        assertEquals(new KernelDrainer.Result(2, 5), drainer.drain());
        assertEquals(4096, w.free());
    }

    @Test
    @DisplayName("a ring filled to the last byte drains, and the writer then fills it again")
    void kernelDrainsAFullRing() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        KernelDrainer drainer = closing(new KernelDrainer(map));
        for (int round = 0; round < 3; round++) {
            int n = 0;
            long sum = 0;
            while (w.write(sequenced(n + 1, 8))) {
                sum += n + 1;
                n++;
            }
            assertTrue(w.write(sequenced(1000, 0)), "the last 16 bytes");
            sum += 1000;
            n++;
            assertEquals(0, w.free());
            assertEquals(new KernelDrainer.Result(n, (int) (sum & 0xffff)), drainer.drain(), "round " + round);
            assertEquals(4096, w.free());
        }
    }

    @Test
    @DisplayName("bpf_user_ringbuf_drain sees the submitted records in order, skips discarded ones, frees the space")
    void kernelDrains() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        ProgramView v = closing(map.programView(0));
        List<byte[]> drained = new ArrayList<>();
        try {
            v.userRingbufDrain(drained::add, 0);
        } catch (NotSupportedException e) {
            Assumptions.abort("the linux program view has no bpf_user_ringbuf_drain yet: " + e.getMessage());
        }
        assertEquals(List.of(), drained);
        List<byte[]> expected = new ArrayList<>();
        int seq = 0;
        for (int round = 0; round < 30; round++) {
            for (int i = 0; i < 5; i++, seq++) {
                byte[] rec = payload(seq, 100 + (seq * 37) % 300);
                if (seq % 4 == 3) {
                    Reservation r = w.reserve(rec.length);
                    r.buffer().put(rec);
                    r.discard();
                } else if (seq % 4 == 1) {
                    Reservation r = w.reserve(rec.length);
                    r.buffer().put(rec);
                    r.submit();
                    expected.add(rec);
                } else {
                    assertTrue(w.write(rec), "write " + seq);
                    expected.add(rec);
                }
            }
            v.userRingbufDrain(drained::add, 0);
            assertEquals(4096, w.free(), "drained everything in round " + round);
        }
        assertEquals(expected.size(), drained.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), drained.get(i), "sample " + i);
        }
    }

    @Test
    @DisplayName("bpf_user_ringbuf_drain stops at a BUSY reservation and continues once it is submitted")
    void kernelStopsAtBusy() {
        BpfMap map = newRing(4096);
        UserRingBufferWriter w = writer(map);
        ProgramView v = closing(map.programView(0));
        List<byte[]> drained = new ArrayList<>();
        try {
            v.userRingbufDrain(drained::add, 0);
        } catch (NotSupportedException e) {
            Assumptions.abort("the linux program view has no bpf_user_ringbuf_drain yet: " + e.getMessage());
        }
        assertTrue(w.write(payload(1, 8)));
        Reservation r = w.reserve(8);
        assertTrue(w.write(payload(3, 8)));
        assertEquals(1, v.userRingbufDrain(drained::add, 0));
        r.buffer().put(payload(2, 8));
        r.submit();
        assertEquals(2, v.userRingbufDrain(drained::add, 0));
        assertEquals(3, drained.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(payload(i + 1, 8), drained.get(i));
        }
    }
}
