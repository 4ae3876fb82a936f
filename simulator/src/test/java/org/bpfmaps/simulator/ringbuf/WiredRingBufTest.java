package org.bpfmaps.simulator.ringbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.Test;

/** Ring buffers end to end through SimulatedKernel (created, checked and driven as DelegatedMapObject types). */
class WiredRingBufTest {

    private static int errno(Runnable r) {
        return assertThrows(BpfException.class, r::run).errno();
    }

    private static MapSpec ring(MapType type, int size) {
        return MapSpec.builder(type).maxEntries(size).build();
    }

    @Test
    void createInfoAndTheElementMatrix() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build()) {
            for (MapType t : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
                assertTrue(k.isSupported(t));
                assertEquals(22, errno(() -> k.create(MapSpec.builder(t).keySize(4).maxEntries(4096).build())));
                assertEquals(22, errno(() -> k.create(ring(t, 12288))));
                assertEquals(22, errno(() -> k.create(MapSpec.builder(t).maxEntries(4096)
                        .flags(MapFlag.MMAPABLE).build())));
                BpfMap m = k.create(ring(t, 4096));
                assertEquals(16728, m.info().memlock());
                assertEquals(524, errno(() -> m.lookup(new byte[0], new byte[0], 0)));
                assertEquals(524, errno(() -> m.update(new byte[0], new byte[0], 0)));
                assertEquals(524, errno(() -> m.delete(new byte[0])));
                assertEquals(22, errno(() -> m.update(new byte[0], new byte[0], 4)), "F_LOCK");
                m.freeze();
                assertEquals(1, errno(() -> m.update(new byte[0], new byte[0], 0)), "frozen: EPERM first");
                assertEquals(524, errno(() -> m.lookup(new byte[0], new byte[0], 0)));
            }
        }
    }

    @Test
    void programOutputReadByTheReader() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build()) {
            BpfMap m = k.create(ring(MapType.RINGBUF, 4096));
            try (ProgramView p = m.programView(1); RingBufferReader r = k.ringBufferReader(m)) {
                assertTrue(p.ringbufOutput(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0));
                assertTrue(p.ringbufReserveSubmit(new byte[16], 0));
                assertTrue(p.ringbufReserveDiscard(4, 0));
                assertEquals(56, p.ringbufQuery(0));
                assertEquals(4096, p.ringbufQuery(1));
                assertEquals(0, p.ringbufQuery(2));
                assertEquals(56, p.ringbufQuery(3));
                assertEquals(22, errno(() -> p.ringbufOutput(new byte[1], 4)));
                assertFalse(p.ringbufOutput(new byte[4089], 0));
                assertEquals(22, errno(() -> p.userRingbufDrain(b -> { }, 0)));
                assertEquals(22, errno(() -> p.lookup(new byte[0])));
                List<byte[]> got = new ArrayList<>();
                assertEquals(2, r.poll((map, rec) -> {
                    byte[] b = new byte[rec.remaining()];
                    rec.get(b);
                    got.add(b);
                }, Duration.ofSeconds(5)));
                assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, got.get(0));
                assertEquals(0, r.available(m));
                assertEquals(56, p.ringbufQuery(2));
            }
            BpfMap user = k.create(ring(MapType.USER_RINGBUF, 4096));
            assertThrows(InvalidArgumentException.class, () -> k.ringBufferReader(user));
            BpfMap hash = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            assertThrows(InvalidArgumentException.class, () -> k.ringBufferReader(hash));
            try (ProgramView p = hash.programView(0)) {
                assertEquals(22, errno(() -> p.ringbufOutput(new byte[1], 0)));
                assertEquals(22, errno(() -> p.ringbufQuery(0)));
            }
            try (SimulatedKernel other = SimulatedKernel.builder().cpus(1).build()) {
                assertThrows(InvalidArgumentException.class, () -> other.ringBufferReader(m));
            }
        }
    }

    @Test
    void userRingWrittenAndDrained() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build()) {
            BpfMap m = k.create(ring(MapType.USER_RINGBUF, 4096));
            try (UserRingBufferWriter w = k.userRingBufferWriter(m); ProgramView p = m.programView(0)) {
                assertTrue(w.write(new byte[] {1}));
                UserRingBufferWriter.Reservation r = w.reserve(3);
                r.buffer().put(new byte[] {2, 3, 4});
                r.submit();
                w.reserve(2).discard();
                List<byte[]> got = new ArrayList<>();
                assertEquals(2, p.userRingbufDrain(got::add, 0));
                assertArrayEquals(new byte[] {2, 3, 4}, got.get(1));
                assertEquals(22, errno(() -> p.userRingbufDrain(got::add, 4)));
                assertEquals(22, errno(() -> p.ringbufOutput(new byte[1], 0)));
                assertEquals(4096, w.free());
            }
            BpfMap kernelRing = k.create(ring(MapType.RINGBUF, 4096));
            assertThrows(InvalidArgumentException.class, () -> k.userRingBufferWriter(kernelRing));
        }
    }
}
