package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.UserRingBufferWriter;
import org.junit.jupiter.api.Test;

/**
 * RINGBUF and USER_RINGBUF examples (SEMANTICS §1.2, §2 matrix rows, §4.7, §4.8, §5): create rules, every
 * element command 524, positions and the space rule, discard, flags, a threaded producer/consumer, and
 * {@code bpf_user_ringbuf_drain} through the program view.
 */
public abstract class RingBufKit extends TypeKitSupport {

    private static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    /** Drains every available record of {@code reader} into a list of copies. */
    private static List<byte[]> consumeAll(RingBufferReader reader) {
        List<byte[]> out = new ArrayList<>();
        reader.consume((ring, rec) -> {
            byte[] c = new byte[rec.remaining()];
            rec.get(c);
            out.add(c);
        });
        return out;
    }

    // ---- create (§1.2) ----

    @Test
    void createRules() {
        for (MapType t : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
            assertCreates(t, 0, 0, 4096, 0, 0);
            assertCreates(t, 0, 0, 1 << 16, 0, 0);
            assertCreateFails(EINVAL, t, 4, 0, 4096, 0, 0);
            assertCreateFails(EINVAL, t, 0, 4, 4096, 0, 0);
            assertCreateFails(EINVAL, t, 0, 0, 4095, 0, 0);
            assertCreateFails(EINVAL, t, 0, 0, 12288, 0, 0);
            assertCreateFails(EINVAL, t, 0, 0, 0, 0, 0);
            assertCreateFails(EINVAL, t, 0, 0, 4096, flags(MapFlag.MMAPABLE), 0);
            assertCreateFails(EINVAL, t, 0, 0, 4096, flags(MapFlag.RDONLY_PROG), 0);
            assertCreateFails(EINVAL, t, 0, 0, 4096, 1 << 19, 0);
            assertCreateFails(EINVAL, t, 0, 0, 4096, flags(MapFlag.NO_PREALLOC), 0);
            assertCreateFails(EINVAL, t, 0, 0, 4096, 0, 1);
        }
    }

    // ---- §2 matrix rows: every element command 524, F_LOCK EINVAL, frozen EPERM ----

    @Test
    void elementCommandsAre524() {
        for (MapType t : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
            try (BpfMap m = create(t, 0, 0, 4096, 0)) {
                byte[] none = new byte[0];
                assertErrno(ENOTSUPP, () -> m.lookup(null, none));
                assertErrno(ENOTSUPP, () -> m.nextKey(null, none));
                assertErrno(ENOTSUPP, () -> m.update(null, none, UpdateFlags.ANY));
                assertErrno(ENOTSUPP, () -> m.update(null, none, UpdateFlags.NOEXIST));
                assertErrno(ENOTSUPP, () -> m.update(null, none, UpdateFlags.EXIST));
                assertErrno(EINVAL, () -> m.update(null, none, UpdateFlags.F_LOCK));
                assertErrno(ENOTSUPP, () -> m.update(null, none, 8));
                assertErrno(ENOTSUPP, () -> m.update(null, none, 0x20));
                assertErrno(ENOTSUPP, () -> m.lookupAndDelete(null, none));
                assertErrno(ENOTSUPP, () -> m.delete((byte[]) null));
                assertErrno(ENOTSUPP, () -> m.lookupBatch(null, none, none, none, 4, 0));
                assertErrno(ENOTSUPP, () -> m.updateBatch(none, none, 1, 0));
                assertErrno(ENOTSUPP, () -> m.deleteBatch(none, 1, 0));
                assertErrno(ENOTSUPP, () -> m.lookupAndDeleteBatch(null, none, none, none, 4, 0));
                m.freeze();
                assertErrno(EPERM, () -> m.update(null, none, UpdateFlags.ANY));
                assertErrno(EPERM, () -> m.delete((byte[]) null));
                assertErrno(ENOTSUPP, () -> m.lookup(null, none));
                assertErrno(EINVAL, () -> m.lookup(null, none, UpdateFlags.F_LOCK));
                assertErrno(EINVAL, () -> m.lookup(null, none, 8));
                assertErrno(EPERM, () -> m.lookupAndDelete(null, none, UpdateFlags.F_LOCK));
            }
        }
    }

    // ---- §4.7 positions and records ----

    @Test
    void outputPositionsAndRecords() {
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0);
             RingBufferReader r = backend.ringBufferReader(m)) {
            byte[] a = {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
            byte[] b = payload(16, 2);
            assertTrue(p.ringbufOutput(a, 0));
            assertTrue(p.ringbufOutput(b, 0));
            assertEquals(40, p.ringbufQuery(0));
            assertEquals(4096, p.ringbufQuery(1));
            assertEquals(0, p.ringbufQuery(2));
            assertEquals(40, p.ringbufQuery(3));
            assertEquals(40, r.available(m));
            List<byte[]> got = consumeAll(r);
            assertEquals(2, got.size());
            assertArrayEquals(a, got.get(0));
            assertArrayEquals(b, got.get(1));
            assertEquals(0, p.ringbufQuery(0));
            assertEquals(40, p.ringbufQuery(2));
            assertEquals(40, p.ringbufQuery(3));
        }
    }

    @Test
    void spaceRuleNeverFull() {
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0);
             RingBufferReader r = backend.ringBufferReader(m)) {
            assertTrue(p.ringbufOutput(payload(8, 1), 0));   // 16 bytes
            assertTrue(p.ringbufOutput(payload(16, 2), 0));  // 24 bytes
            for (int i = 0; i < 253; i++) {
                assertTrue(p.ringbufOutput(payload(8, 3 + i), 0), "record " + i);
            }
            assertEquals(4088, p.ringbufQuery(3));
            assertFalse(p.ringbufOutput(payload(8, 999), 0), "4088 + 16 - 0 > 4095: EAGAIN");
            assertFalse(p.ringbufReserveSubmit(payload(8, 999), 0), "reserve NULL");
            assertFalse(p.ringbufReserveDiscard(8, 0), "reserve NULL");
            assertEquals(4088, p.ringbufQuery(3));
            assertEquals(1, r.consume((ring, rec) -> { }, 1));
            assertEquals(16, p.ringbufQuery(2));
            assertTrue(p.ringbufOutput(payload(8, 1000), 0), "room after consumer_pos += 16");
            assertEquals(4104, p.ringbufQuery(3));
            assertEquals(4088, p.ringbufQuery(0));
        }
    }

    @Test
    void flagsOnlyCheckedByOutput() {
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0);
             RingBufferReader r = backend.ringBufferReader(m)) {
            assertTrue(p.ringbufOutput(payload(4, 1), UpdateFlags.RB_NO_WAKEUP));
            assertTrue(p.ringbufOutput(payload(4, 2), UpdateFlags.RB_FORCE_WAKEUP));
            assertErrno(EINVAL, () -> p.ringbufOutput(payload(4, 3), 4));
            assertErrno(EINVAL, () -> p.ringbufOutput(payload(4, 3), 3 | 8));
            // bpf_ringbuf_submit/discard check no flags
            assertTrue(p.ringbufReserveSubmit(payload(4, 4), 4));
            assertTrue(p.ringbufReserveDiscard(4, 0x40));
            assertEquals(4 * 16, p.ringbufQuery(3));
            List<byte[]> got = consumeAll(r);
            assertEquals(3, got.size());
            assertArrayEquals(payload(4, 1), got.get(0));
            assertArrayEquals(payload(4, 2), got.get(1));
            assertArrayEquals(payload(4, 4), got.get(2));
            assertEquals(64, p.ringbufQuery(2), "the discarded record is consumed too");
        }
    }

    @Test
    void discardedRecordsAreSkipped() {
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0);
             RingBufferReader r = backend.ringBufferReader(m)) {
            assertTrue(p.ringbufReserveDiscard(100, 0));
            assertTrue(p.ringbufReserveSubmit(payload(5, 7), 0));
            assertTrue(p.ringbufReserveDiscard(1, 0));
            assertTrue(p.ringbufOutput(payload(13, 8), 0));
            assertEquals(112 + 16 + 16 + 24, p.ringbufQuery(0));
            List<byte[]> got = consumeAll(r);
            assertEquals(2, got.size());
            assertArrayEquals(payload(5, 7), got.get(0));
            assertArrayEquals(payload(13, 8), got.get(1));
            assertEquals(0, p.ringbufQuery(0));
        }
    }

    @Test
    void recordLargerThanRingFails() {
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0)) {
            assertFalse(p.ringbufOutput(new byte[4096], 0));
            assertFalse(p.ringbufReserveSubmit(new byte[4089], 0));
            assertTrue(p.ringbufOutput(new byte[4080], 0), "4088 bytes fit in an empty ring");
            assertEquals(4088, p.ringbufQuery(3));
        }
    }

    @Test
    void ringHelpersRefusedOnOtherTypes() {
        try (BpfMap m = create(MapType.USER_RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0)) {
            assertErrno(EINVAL, () -> p.ringbufOutput(new byte[8], 0));
        }
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView p = m.programView(0)) {
            assertErrno(EINVAL, () -> p.userRingbufDrain(s -> { }, 0));
        }
    }

    /** A producer thread on the program view and a consumer thread on the reader: nothing lost, nothing twice. */
    @Test
    void threadedProducerConsumer() throws Exception {
        int total = 20_000;
        try (BpfMap m = create(MapType.RINGBUF, 0, 0, 8192, 0);
             ProgramView p = m.programView(0);
             RingBufferReader r = backend.ringBufferReader(m)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            long[] retries = new long[1];
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        byte[] rec = ByteBuffer.allocate(4 + (i % 29)).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
                        int kind = i % 3;
                        while (!(kind == 0 ? p.ringbufOutput(rec, 0) : p.ringbufReserveSubmit(rec, 0))) {
                            retries[0]++;
                            Thread.onSpinWait();
                        }
                        if (i % 7 == 0) {
                            while (!p.ringbufReserveDiscard(12, 0)) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    done.set(true);
                }
            }, "ringbuf-producer");
            int[] next = {0};
            List<String> errors = new ArrayList<>();
            RingBufferReader.RecordHandler h = (ring, rec) -> {
                int seq = rec.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (seq != next[0] || rec.remaining() != 4 + (seq % 29)) {
                    if (errors.size() < 5) {
                        errors.add("expected " + next[0] + " got " + seq + " len " + rec.remaining());
                    }
                }
                next[0] = seq + 1;
            };
            producer.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (next[0] < total && System.nanoTime() < deadline) {
                r.poll(h, Duration.ofMillis(10));
                if (done.get() && failure.get() != null) {
                    break;
                }
            }
            producer.join(10_000);
            if (failure.get() != null) {
                throw new AssertionError("producer failed", failure.get());
            }
            r.consume(h);
            assertEquals(List.of(), errors);
            assertEquals(total, next[0], "all records consumed once, in order");
            assertEquals(0, r.available(m));
            System.out.printf("[ringbuf threaded %s] %d records, %d full-ring retries%n", backend.name(), total,
                    retries[0]);
        }
    }

    // ---- §4.8 USER_RINGBUF and bpf_user_ringbuf_drain ----

    @Test
    void drainHandsSubmittedSamplesInOrderSkippingDiscarded() {
        try (BpfMap m = create(MapType.USER_RINGBUF, 0, 0, 4096, 0);
             UserRingBufferWriter w = backend.userRingBufferWriter(m);
             ProgramView p = m.programView(0)) {
            assertEquals(0, p.userRingbufDrain(s -> { }, 0), "empty ring");
            assertTrue(w.write(payload(1, 1)));
            UserRingBufferWriter.Reservation d = w.reserve(40);
            d.discard();
            assertTrue(w.write(payload(17, 2)));
            UserRingBufferWriter.Reservation k = w.reserve(8);
            k.buffer().put(payload(8, 3));
            k.submit();
            List<byte[]> got = new ArrayList<>();
            assertEquals(3, p.userRingbufDrain(got::add, 0));
            assertEquals(3, got.size());
            assertArrayEquals(payload(1, 1), got.get(0));
            assertArrayEquals(payload(17, 2), got.get(1));
            assertArrayEquals(payload(8, 3), got.get(2));
            assertEquals(0, p.userRingbufDrain(got::add, 0), "drained samples are consumed");
            assertEquals(4096, w.free());
        }
    }

    /** The largest sample a 4096-byte user ring takes (a 4096-byte record) and the smallest, drained whole. */
    @Test
    void drainLargestAndSmallestSamples() {
        try (BpfMap m = create(MapType.USER_RINGBUF, 0, 0, 4096, 0);
             UserRingBufferWriter w = backend.userRingBufferWriter(m);
             ProgramView p = m.programView(0)) {
            byte[] big = payload(4088, 5);
            assertTrue(w.write(big));
            assertEquals(0, w.free());
            assertFalse(w.write(payload(1, 1)), "full");
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, p.userRingbufDrain(got::add, 0));
            assertArrayEquals(big, got.get(0));
            for (int i = 0; i < 256; i++) {
                assertTrue(w.write(payload(1, i)), "one-byte sample " + i);
            }
            got.clear();
            assertEquals(256, p.userRingbufDrain(got::add, 0));
            for (int i = 0; i < 256; i++) {
                assertArrayEquals(payload(1, i), got.get(i));
            }
        }
    }

    @Test
    void drainFlags() {
        try (BpfMap m = create(MapType.USER_RINGBUF, 0, 0, 4096, 0);
             UserRingBufferWriter w = backend.userRingBufferWriter(m);
             ProgramView p = m.programView(0)) {
            assertTrue(w.write(payload(3, 1)));
            assertErrno(EINVAL, () -> p.userRingbufDrain(s -> { }, 4));
            assertErrno(EINVAL, () -> p.userRingbufDrain(s -> { }, 0x100));
            List<byte[]> got = new ArrayList<>();
            assertEquals(1, p.userRingbufDrain(got::add, UpdateFlags.RB_NO_WAKEUP), "bad flags consumed nothing");
            assertTrue(w.write(payload(3, 2)));
            assertEquals(1, p.userRingbufDrain(got::add, UpdateFlags.RB_FORCE_WAKEUP));
            assertEquals(2, got.size());
            assertArrayEquals(payload(3, 2), got.get(1));
        }
    }

    @Test
    void drainAcrossWrapAndFullRing() {
        try (BpfMap m = create(MapType.USER_RINGBUF, 0, 0, 4096, 0);
             UserRingBufferWriter w = backend.userRingBufferWriter(m);
             ProgramView p = m.programView(0)) {
            int seq = 0;
            int drained = 0;
            for (int round = 0; round < 12; round++) {
                List<byte[]> expect = new ArrayList<>();
                int size = 1 + (round * 37) % 300;
                while (true) {
                    byte[] s = payload(size, seq);
                    if (!w.write(s)) {
                        break;
                    }
                    expect.add(s);
                    seq++;
                }
                assertFalse(expect.isEmpty());
                List<byte[]> got = new ArrayList<>();
                assertEquals(expect.size(), p.userRingbufDrain(got::add, 0), "round " + round);
                for (int i = 0; i < expect.size(); i++) {
                    assertArrayEquals(expect.get(i), got.get(i), "round " + round + " sample " + i);
                }
                drained += got.size();
            }
            System.out.printf("[user ringbuf wrap %s] %d samples drained%n", backend.name(), drained);
        }
    }
}
