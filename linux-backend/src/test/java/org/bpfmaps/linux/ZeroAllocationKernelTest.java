package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ByteBuffer forms of the hot element operations allocate nothing, on hit and on miss. */
class ZeroAllocationKernelTest {
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    @Test
    void heapBuffersOnAHash() {
        run(MapType.HASH, false);
    }

    @Test
    void directBuffersOnAHash() {
        run(MapType.HASH, true);
    }

    @Test
    void heapBuffersOnAPerCpuHash() {
        run(MapType.PERCPU_HASH, false);
    }

    @Test
    void directBuffersOnAnArray() {
        run(MapType.ARRAY, true);
    }

    private void run(MapType type, boolean direct) {
        try (BpfMap map = backend.create(KernelTests.spec(type, 4, 8, 16))) {
            ByteBuffer hit = buffer(4, direct).putInt(0, 1);
            ByteBuffer miss = buffer(4, direct).putInt(0, type.isArray() ? 99 : 2);
            ByteBuffer value = buffer(map.valueBufferSize(), direct);
            ByteBuffer next = buffer(4, direct);
            map.update(hit, value, 0);
            boolean array = type.isArray();
            loop(map, hit, miss, value, next, array, WARM_UP);
            long baseline = allocatedBetweenTwoReadings();
            long before = threads.getCurrentThreadAllocatedBytes();
            loop(map, hit, miss, value, next, array, MEASURED);
            long after = threads.getCurrentThreadAllocatedBytes();
            long allocated = after - before - baseline;
            System.out.printf("%s %s buffers: %d bytes allocated over %d x (lookup hit, lookup miss, update, "
                    + "delete miss, nextKey, nextKey at end) (baseline of the reading itself: %d)%n",
                    type, direct ? "direct" : "heap", allocated, MEASURED, baseline);
            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " rounds of element operations");
        }
    }

    private static void loop(BpfMap map, ByteBuffer hit, ByteBuffer miss, ByteBuffer value, ByteBuffer next,
                             boolean array, int rounds) {
        for (int i = 0; i < rounds; i++) {
            assertTrue(map.lookup(hit, value));
            assertFalse(map.lookup(miss, value));
            map.update(hit, value, 0);
            if (!array) {
                assertFalse(map.delete(miss));
            }
            assertTrue(map.nextKey(null, next));
            if (!array) {
                assertFalse(map.nextKey(hit, next), "one key: no key after it");
            }
        }
    }

    private long allocatedBetweenTwoReadings() {
        long a = threads.getCurrentThreadAllocatedBytes();
        long b = threads.getCurrentThreadAllocatedBytes();
        return b - a;
    }

    private static ByteBuffer buffer(int size, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        return b.order(ByteOrder.nativeOrder());
    }
}
