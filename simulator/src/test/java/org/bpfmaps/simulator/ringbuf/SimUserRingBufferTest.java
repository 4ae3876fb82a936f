package org.bpfmaps.simulator.ringbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.bpfmaps.UserRingBufferWriter.Reservation;
import org.junit.jupiter.api.Test;

/** USER_RINGBUF: the libbpf-style producer, the writer, and bpf_user_ringbuf_drain's validation and results. */
class SimUserRingBufferTest {

    private static final int E2BIG = 7;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;

    private final FakeMaps maps = new FakeMaps();

    @Test
    void reserveSubmitDiscardAndDrain() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        RingMemory m = ur.memory();
        try (SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf)) {
            assertEquals(4096, w.free());
            assertTrue(w.write(new byte[] {1, 2, 3}));
            // header {len, pg_off 0} as libbpf writes it; producer_pos published at reserve
            assertArrayEquals(SimRingBufferTest.hex("03000000 00000000 010203"), Arrays.copyOf(m.dataBytes(), 11));
            assertEquals(16, m.producerPos());
            Reservation r = w.reserve(8);
            assertEquals(32, m.producerPos(), "producer_pos moves at reserve time");
            assertEquals(8 | RingLayout.BUSY_BIT, m.lenAcquire(16));
            r.buffer().putLong(0, 0x0102030405060708L);
            Reservation d = w.reserve(4);
            Reservation later = w.reserve(2);
            later.buffer().put(0, (byte) 7).put(1, (byte) 8);
            later.submit();
            d.discard();
            assertEquals(4 | RingLayout.DISCARD_BIT, m.lenAcquire(32));
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, ur.drain(got::add, 0), "stops at the BUSY record");
            assertEquals(16, m.consumerPos());
            r.submit();
            assertThrows(IllegalStateException.class, r::submit);
            assertEquals(2, ur.drain(got::add, 0), "the discarded record is skipped and not counted");
            assertEquals(3, got.size());
            assertArrayEquals(new byte[] {1, 2, 3}, got.get(0));
            assertEquals(0x0102030405060708L, ByteBuffer.wrap(got.get(1)).order(r.buffer().order()).getLong());
            assertArrayEquals(new byte[] {7, 8}, got.get(2));
            assertEquals(m.producerPos(), m.consumerPos());
            assertEquals(0, ur.drain(got::add, 0));
            assertEquals(4096, w.free());
        }
    }

    @Test
    void aUserRingMayFillCompletelyThenENOSPC() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        try (SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf)) {
            for (int i = 0; i < 256; i++) {
                assertTrue(w.write(new byte[8]), "record " + i);
            }
            assertEquals(0, w.free());
            assertEquals(4096, ur.memory().producerPos());
            assertFalse(w.write(new byte[1]));
            BpfException e = assertThrows(BpfException.class, () -> w.reserve(1));
            assertEquals(ENOSPC, e.errno());
            assertEquals(BpfCommand.RINGBUF_USER, e.command());
            assertEquals(256, ur.drain(b -> { }, 0));
            assertEquals(4096, w.free());
            assertTrue(w.write(new byte[8]));
        }
    }

    @Test
    void writerSizeChecks() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        try (SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf)) {
            assertThrows(InvalidArgumentException.class, () -> w.reserve(0));
            assertThrows(InvalidArgumentException.class, () -> w.reserve(-1));
            assertThrows(InvalidArgumentException.class, () -> w.reserve(4089), "4104 bytes can never fit");
            assertThrows(InvalidArgumentException.class, () -> w.write(new byte[0]));
            Reservation whole = w.reserve(4088);
            assertEquals(4088, whole.buffer().capacity(), "exactly the ring");
            whole.discard();
        }
        SimUserRingBuffer ur = maps.userRing(map);
        assertEquals(-E2BIG, ur.reserve(RingLayout.BUSY_BIT | 4), "libbpf: top bits set");
        assertEquals(-E2BIG, ur.reserve(RingLayout.DISCARD_BIT));
        assertEquals(-E2BIG, ur.reserve(5000));
    }

    @Test
    void aWrappingReservationIsContiguousForTheWriterAndTheDrain() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        try (SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf)) {
            assertTrue(w.write(new byte[4000]));
            assertEquals(1, ur.drain(b -> { }, 0));
            Reservation r = w.reserve(200); // header at 4008, payload 4016..4215 wraps
            byte[] payload = SimRingBufferTest.seq(200, 5);
            r.buffer().put(payload);
            assertEquals((byte) 0xa0, ur.memory().dataBytes()[0], "still the old header (len 4000): copied at submit");
            r.submit();
            assertEquals(payload[80], ur.memory().dataBytes()[0]);
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, ur.drain(got::add, 0));
            assertArrayEquals(payload, got.get(0));
        }
    }

    @Test
    void drainFlagsBusyAndWakeups() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        try (SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf)) {
            w.write(new byte[] {1});
            w.write(new byte[] {2});
            assertEquals(-EINVAL, ur.drain(b -> { }, 4));
            long[] inner = new long[1];
            assertEquals(2, ur.drain(b -> inner[0] = ur.drain(x -> { }, 0), 0));
            assertEquals(-EBUSY, inner[0], "a drain during a drain");
            assertEquals(1, ur.memory().wakeups(), "samples were visited: the producer's waiters are woken");
            assertEquals(0, ur.drain(b -> { }, 0));
            assertEquals(1, ur.memory().wakeups(), "no sample, no wake-up");
            assertEquals(0, ur.drain(b -> { }, RingLayout.RB_FORCE_WAKEUP));
            assertEquals(2, ur.memory().wakeups());
            w.write(new byte[] {3});
            assertEquals(1, ur.drain(b -> { }, RingLayout.RB_NO_WAKEUP));
            assertEquals(2, ur.memory().wakeups());
        }
    }

    @Test
    void drainValidatesWhatUserSpaceWrote() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        List<byte[]> got = new ArrayList<>();
        // producer_pos not a multiple of 8
        ur.storeProducerPos(4);
        assertEquals(-EINVAL, ur.drain(got::add, 0));
        // a record claiming more than producer_pos advertises
        ur.storeHeader(0, 100, 0);
        ur.storeProducerPos(16);
        assertEquals(-EINVAL, ur.drain(got::add, 0));
        // a record longer than the ring (total 4104 > 4096), with a producer_pos far ahead
        ur.storeHeader(0, 4096, 0);
        ur.storeProducerPos(8192);
        assertEquals(-E2BIG, ur.drain(got::add, 0));
        // BUSY with a bad length is still refused: the size checks come first
        ur.storeHeader(0, RingLayout.BUSY_BIT | 4096, 0);
        assertEquals(-E2BIG, ur.drain(got::add, 0));
        // samples before a bad one are consumed and handed over; the call returns the error
        ur.storeHeader(0, 1, 0);
        ur.storeHeader(16, 5000, 0);
        ur.storeProducerPos(24);
        assertEquals(-EINVAL, ur.drain(got::add, 0));
        assertEquals(1, got.size());
        assertEquals(16, ur.memory().consumerPos());
        // a discarded record is skipped even as the last one; BUSY stops quietly
        ur.storeHeader(16, RingLayout.DISCARD_BIT | 1, 0);
        ur.storeHeader(32, RingLayout.BUSY_BIT | 1, 0);
        ur.storeProducerPos(48);
        assertEquals(0, ur.drain(got::add, 0));
        assertEquals(32, ur.memory().consumerPos());
    }

    @Test
    void closingDiscardsOutstandingReservations() {
        BpfMap map = maps.create(MapType.USER_RINGBUF, 4096);
        SimUserRingBuffer ur = maps.userRing(map);
        SimUserRingBufferWriter w = SimUserRingBufferWriter.open(map, maps::ringOf);
        Reservation r = w.reserve(4);
        w.write(new byte[] {9});
        w.close();
        w.close();
        assertTrue(w.isClosed());
        List<byte[]> got = new ArrayList<>();
        assertEquals(1, ur.drain(got::add, 0), "the abandoned record was discarded, the next one drains");
        assertArrayEquals(new byte[] {9}, got.get(0));
        assertThrows(MapClosedException.class, () -> w.reserve(1));
        assertThrows(MapClosedException.class, w::free);
        assertThrows(MapClosedException.class, r::submit);
    }

    @Test
    void openChecks() {
        BpfMap ring = maps.create(MapType.RINGBUF, 4096);
        BpfMap user = maps.create(MapType.USER_RINGBUF, 4096);
        assertThrows(InvalidArgumentException.class, () -> SimUserRingBufferWriter.open(ring, maps::ringOf));
        assertThrows(InvalidArgumentException.class,
                () -> SimUserRingBufferWriter.open(maps.foreign(MapType.ARRAY), maps::ringOf));
        user.close();
        assertThrows(MapClosedException.class, () -> SimUserRingBufferWriter.open(user, maps::ringOf));
    }
}
