package org.bpfmaps.simulator.ringbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel producer: bytes, positions, space rule, commit order, wake-up decisions, query. */
class SimRingBufferTest {

    private static final int EAGAIN = 11;
    private static final int EINVAL = 22;

    static byte[] hex(String s) {
        s = s.replaceAll("[^0-9a-fA-F]", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static byte[] seq(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }

    static long u64(byte[] page, int off) {
        return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    /** Consumes every committed record the way libbpf does, advancing consumer_pos; returns the payloads. */
    static List<byte[]> consumeAll(RingMemory m) {
        List<byte[]> out = new ArrayList<>();
        long cons = m.consumerPos();
        while (m.producerPos() - cons > 0) {
            int len = m.lenAcquire(cons);
            if (RingLayout.isBusy(len)) {
                break;
            }
            long payload = RingLayout.payloadLength(len);
            if (!RingLayout.isDiscarded(len)) {
                byte[] b = new byte[(int) payload];
                m.get(cons + 8, b, 0, b.length);
                out.add(b);
            }
            cons += RingLayout.recordLength(payload);
            m.consumerPos(cons);
        }
        return out;
    }

    @Test
    void sampleBytesOfSemanticsMd() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        byte[] first = hex("8877665544332211");
        byte[] second = seq(16, 0xa0);
        assertEquals(0, rb.output(first, 0));
        assertEquals(0, rb.output(second, 0));
        RingMemory m = rb.memory();
        assertEquals(40, m.producerPos());
        assertEquals(0, m.consumerPos());
        byte[] expected = new byte[40];
        System.arraycopy(hex("08000000 03000000"), 0, expected, 0, 8);
        System.arraycopy(first, 0, expected, 8, 8);
        System.arraycopy(hex("10000000 03000000"), 0, expected, 16, 8);
        System.arraycopy(second, 0, expected, 24, 16);
        assertArrayEquals(expected, Arrays.copyOf(m.dataBytes(), 40));
        assertEquals(40, u64(m.producerPageBytes(), 0), "producer_pos at byte 0 of the producer page");
        assertEquals(0, u64(m.consumerPageBytes(), 0));
        // query: avail, size, cons, prod; unknown flags answer 0
        assertEquals(40, rb.query(0));
        assertEquals(4096, rb.query(1));
        assertEquals(0, rb.query(2));
        assertEquals(40, rb.query(3));
        assertEquals(0, rb.query(4));
        assertEquals(0, rb.query(-1));
    }

    @Test
    void payloadIsPaddedToEightAndPgOffCountsPagesFromTheStructStart() {
        SimRingBuffer rb = new SimRingBuffer(8192);
        RingMemory m = rb.memory();
        assertEquals(0, rb.output(seq(3, 1), 0));
        assertEquals(16, m.producerPos(), "3 bytes + header = 11, rounded up to 16");
        assertArrayEquals(hex("03000000 03000000 010203 0000000000"), Arrays.copyOf(m.dataBytes(), 16));
        assertEquals(0, rb.output(new byte[0], 0));
        assertEquals(24, m.producerPos(), "an empty record is a bare header");
        // move to the second data page: records of 4072 bytes payload take 4080
        assertEquals(0, rb.output(new byte[4072], 0));
        assertEquals(4104, m.producerPos());
        assertEquals(0, rb.output(seq(8, 0), 0));
        assertEquals(4, m.pageOffsetAt(4104), "header at data index 4104 is on data page 1: pg_off 3 + 1");
        assertEquals(3, m.pageOffsetAt(24));
        assertEquals(3, RingLayout.pageOffset(0));
        assertEquals(4, RingLayout.pageOffset(4096));
    }

    @Test
    void fullRingAtTheDocumentedBoundary() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        RingMemory m = rb.memory();
        assertEquals(0, rb.output(new byte[8], 0));   // 16 bytes
        assertEquals(0, rb.output(new byte[16], 0));  // 24 bytes
        for (int i = 0; i < 253; i++) {
            assertEquals(0, rb.output(new byte[8], 0), "record " + i);
        }
        assertEquals(4088, m.producerPos());
        assertEquals(-EAGAIN, rb.output(new byte[8], 0), "4104 - 0 > 4095");
        assertEquals(-1, rb.reserve(8));
        assertEquals(-1, rb.reserve(0), "even a bare header: 4096 - 0 > 4095, the ring is never 100% full");
        assertEquals(4088, m.producerPos(), "a failed reservation moves nothing");
        m.consumerPos(16); // the consumer handled the first record
        assertEquals(0, rb.output(new byte[8], 0));
        assertEquals(4104, m.producerPos());
        assertEquals(4088, rb.query(0));
    }

    @Test
    void sizeLimitsAndFlags() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        assertEquals(-1, rb.reserve(4089), "round_up(4089 + 8, 8) = 4104 > 4096");
        assertEquals(-1, rb.reserve(4088), "4096 fits the ring but never the space rule");
        assertEquals(-1, rb.reserve(RingLayout.MAX_RECORD_SIZE + 1));
        assertEquals(-1, rb.reserve(-1), "a u64 size of 2^64-1");
        assertEquals(-EINVAL, rb.output(new byte[8], 4));
        assertEquals(-EINVAL, rb.output(new byte[8], 1 << 20));
        assertEquals(0, rb.output(new byte[8], RingLayout.RB_NO_WAKEUP | RingLayout.RB_FORCE_WAKEUP));
        assertEquals(0, rb.memory().pendingPos(), "pending_pos only moves inside a reservation");
        assertEquals(0, rb.output(ByteBuffer.wrap(seq(4, 7)), 0));
        assertEquals(16, rb.memory().pendingPos(), "the second reservation walked past the committed record");
        assertEquals(List.of(8, 4), consumeAll(rb.memory()).stream().map(b -> b.length).toList());
    }

    @Test
    void recordsBecomeVisibleInReservationOrderAndDiscardsAreMarked() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        RingMemory m = rb.memory();
        long a = rb.reserve(4);
        long b = rb.reserve(4);
        long c = rb.reserve(12);
        assertEquals(0, a);
        assertEquals(16, b);
        assertEquals(32, c);
        assertEquals(56, m.producerPos(), "producer_pos moves at reserve time");
        assertEquals(4 | RingLayout.BUSY_BIT, m.lenAcquire(a));
        rb.write(b, 0, seq(4, 0x40), 0, 4);
        rb.submit(b, 0);
        rb.discard(c, 0);
        assertEquals(List.of(), consumeAll(m), "a BUSY first record hides everything behind it");
        assertEquals(12 | RingLayout.DISCARD_BIT, m.lenAcquire(c));
        rb.write(a, 0, seq(4, 0x10), 0, 4);
        rb.submit(a, 0);
        List<byte[]> got = consumeAll(m);
        assertEquals(2, got.size(), "the discarded record is skipped");
        assertArrayEquals(seq(4, 0x10), got.get(0));
        assertArrayEquals(seq(4, 0x40), got.get(1));
        assertEquals(56, m.consumerPos());
        assertThrows(IllegalStateException.class, () -> rb.submit(a, 0), "a record is released once");
        assertThrows(IllegalArgumentException.class, () -> rb.write(a, 0, new byte[4], 0, 4));
    }

    @Test
    void pendingRecordBoundsTheProducerEvenWhenTheConsumerPosIsAhead() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        RingMemory m = rb.memory();
        long pending = rb.reserve(8); // 16 bytes, stays BUSY
        for (int i = 0; i < 254; i++) {
            assertEquals(0, rb.output(new byte[8], 0));
        }
        assertEquals(4080, m.producerPos());
        // user space owns the consumer page and may move consumer_pos past the BUSY record
        m.consumerPos(4080);
        assertEquals(-EAGAIN, rb.output(new byte[8], 0), "4096 - pending_pos(0) > 4095");
        assertEquals(0, m.pendingPos());
        rb.submit(pending, 0);
        assertEquals(0, rb.output(new byte[8], 0));
        assertEquals(4080, m.pendingPos(), "the walk stopped at producer_pos");
    }

    @Test
    void wakeupDecisions() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        RingMemory m = rb.memory();
        assertEquals(0, rb.output(new byte[8], 0));
        assertEquals(1, rb.wakeups(), "consumer at 0 waits for the record at 0");
        assertEquals(0, rb.output(new byte[8], 0));
        assertEquals(1, rb.wakeups(), "consumer still at 0: a record at 16 wakes nobody");
        assertEquals(0, rb.output(new byte[8], RingLayout.RB_FORCE_WAKEUP));
        assertEquals(2, rb.wakeups(), "FORCE_WAKEUP always wakes");
        consumeAll(m);
        assertEquals(48, m.consumerPos());
        assertEquals(0, rb.output(new byte[8], RingLayout.RB_NO_WAKEUP));
        assertEquals(2, rb.wakeups(), "NO_WAKEUP suppresses the caught-up wake-up");
        assertEquals(0, rb.output(new byte[8], RingLayout.RB_NO_WAKEUP | RingLayout.RB_FORCE_WAKEUP));
        assertEquals(3, rb.wakeups(), "FORCE wins over NO_WAKEUP");
        consumeAll(m);
        long a = rb.reserve(8);
        long b = rb.reserve(8);
        rb.submit(b, 0);
        assertEquals(3, rb.wakeups(), "b is not where the consumer waits");
        rb.discard(a, 0);
        assertEquals(4, rb.wakeups(), "a discard at the consumer's position wakes too");
        int[] woken = new int[1];
        RingMemory.Waiter w = () -> woken[0]++;
        m.addWaiter(w);
        consumeAll(m);
        rb.output(new byte[1], 0);
        m.removeWaiter(w);
        consumeAll(m);
        rb.output(new byte[1], 0);
        assertEquals(1, woken[0]);
    }

    @Test
    void memlockFormula() {
        assertEquals(16728, RingLayout.memlock(4096), "measured on 6.18");
        assertEquals(304 + (3 + 16) * 4096L + (3 + 32) * 8L, RingLayout.memlock(65536));
    }

    @Test
    void viewsOfTheMemoryAreSnapshots() {
        SimRingBuffer rb = new SimRingBuffer(4096);
        byte[] before = rb.memory().dataBytes();
        rb.output(new byte[] {1}, 0);
        assertEquals(0, before[0]);
        assertEquals(1, rb.memory().dataBytes()[0]);
        assertTrue(rb.toString().contains("producer_pos 16"));
    }
}
