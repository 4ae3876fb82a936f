package org.bpfmaps.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A ring-buffer reader or user-ring writer dropped without {@code close()} gives its writable mapping back once it
 * is unreachable (as the linux backend's cleaner unmaps it), so the map can be frozen again.
 */
class DroppedRingHandleTest {

    @ParameterizedTest
    @EnumSource(value = MapType.class, names = {"RINGBUF", "USER_RINGBUF"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDroppedHandleStopsBlockingFreeze(MapType type) throws InterruptedException {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).build();
             BpfMap ring = k.create(MapSpec.builder(type).maxEntries(4096).build())) {
            Function<BpfMap, AutoCloseable> open = type == MapType.RINGBUF
                    ? m -> k.ringBufferReader(m) : m -> k.userRingBufferWriter(m);
            AutoCloseable kept = open.apply(ring);
            assertEquals(16, assertThrows(BpfException.class, ring::freeze).errno(),
                    "EBUSY while a handle has the ring mapped writable");
            openAndDrop(open, ring);
            kept = closeAndNull(kept);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean frozen = false;
            while (!frozen && System.nanoTime() < deadline) {
                System.gc();
                try {
                    ring.freeze();
                    frozen = true;
                } catch (BpfException e) {
                    assertEquals(16, e.errno(), e.getMessage());
                    Thread.sleep(20);
                }
            }
            assertTrue(frozen, "the dropped handle still kept the ring mapped after 60 s of collections");
        }
    }

    private static void openAndDrop(Function<BpfMap, AutoCloseable> open, BpfMap ring) {
        open.apply(ring); // never closed, never referenced again
    }

    private static AutoCloseable closeAndNull(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return null;
    }
}
