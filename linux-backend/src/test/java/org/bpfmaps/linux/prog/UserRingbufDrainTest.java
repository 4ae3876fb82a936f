package org.bpfmaps.linux.prog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.linux.LinuxProvider;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code userRingbufDrain} of the linux program view: large rings, scratch growth, consumers, close. */
class UserRingbufDrainTest {

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    private static byte[] sample(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed + i * 13);
        }
        return b;
    }

    /** A 1 MiB ring filled with samples of many sizes, drained whole in one call (scratch grows to 2 MiB+). */
    @Test
    void largeRingDrainedWhole() {
        try (MapBackend backend = new LinuxProvider().open(Map.of());
             BpfMap ring = backend.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(1 << 20).build());
             UserRingBufferWriter w = backend.userRingBufferWriter(ring);
             ProgramView p = ring.programView(0)) {
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; ; i++) {
                byte[] s = sample(1 + (i * 7919) % 5000, i);
                if (!w.write(s)) {
                    break;
                }
                written.add(s);
            }
            assertTrue(written.size() > 300, "filled with " + written.size());
            List<byte[]> got = new ArrayList<>();
            assertEquals(written.size(), p.userRingbufDrain(got::add, 0));
            assertEquals(written.size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(written.get(i), got.get(i), "sample " + i);
            }
            assertEquals(1 << 20, w.free());
        }
    }

    /** The drained samples are consumed in the kernel before Java sees them: a throwing consumer loses the rest. */
    @Test
    void throwingConsumerLosesTheRestOfThatDrain() {
        try (MapBackend backend = new LinuxProvider().open(Map.of());
             BpfMap ring = backend.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
             UserRingBufferWriter w = backend.userRingBufferWriter(ring);
             ProgramView p = ring.programView(0)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(w.write(sample(8, i)));
            }
            List<byte[]> got = new ArrayList<>();
            assertThrows(IllegalStateException.class, () -> p.userRingbufDrain(s -> {
                got.add(s);
                throw new IllegalStateException("stop");
            }, 0));
            assertEquals(1, got.size());
            assertEquals(0, p.userRingbufDrain(got::add, 0), "the kernel consumed all three");
            assertTrue(w.write(sample(8, 9)));
            assertEquals(1, p.userRingbufDrain(got::add, 0));
            assertArrayEquals(sample(8, 9), got.get(1));
        }
    }

    @Test
    void closedViewOrMapRefuses() {
        try (MapBackend backend = new LinuxProvider().open(Map.of())) {
            BpfMap ring = backend.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
            ProgramView p = ring.programView(0);
            assertEquals(0, p.userRingbufDrain(s -> { }, 0));
            ring.close();
            assertThrows(MapClosedException.class, () -> p.userRingbufDrain(s -> { }, 0));
            p.close();
            assertThrows(MapClosedException.class, () -> p.userRingbufDrain(s -> { }, 0));
        }
    }

    /** Two views drain the same ring one after the other (each has its own program and scratch). */
    @Test
    void twoViewsShareTheRing() {
        try (MapBackend backend = new LinuxProvider().open(Map.of());
             BpfMap ring = backend.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(8192).build());
             UserRingBufferWriter w = backend.userRingBufferWriter(ring);
             ProgramView p0 = ring.programView(0);
             ProgramView p1 = ring.programView(KernelMaps.possibleCpus() - 1)) {
            List<byte[]> got = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                assertTrue(w.write(sample(100 + round, round)));
                ProgramView p = round % 2 == 0 ? p0 : p1;
                assertEquals(1, p.userRingbufDrain(got::add, 0));
            }
            for (int round = 0; round < 10; round++) {
                assertArrayEquals(sample(100 + round, round), got.get(round));
            }
        }
    }
}
