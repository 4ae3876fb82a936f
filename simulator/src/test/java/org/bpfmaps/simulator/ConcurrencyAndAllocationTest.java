package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Allocation-free ByteBuffer lookups, and per-element atomicity under concurrent writers. */
class ConcurrencyAndAllocationTest {

    private static final int OPS = 10_000;

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Bytes allocated by {@code OPS} lookups (hit when {@code key} is present), after warm-up. */
    private static long lookupAllocation(BpfMap m, ByteBuffer key, ByteBuffer value, boolean expectHit) {
        for (int i = 0; i < 50_000; i++) {
            if (m.lookup(key, value) != expectHit) {
                throw new AssertionError("unexpected lookup result");
            }
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < OPS; i++) {
                m.lookup(key, value);
            }
            best = Math.min(best, allocatedBytes() - before);
        }
        return best;
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "ARRAY", "PERCPU_ARRAY"})
    void byteBufferLookupsAllocateNothing(MapType type) {
        BpfMap m = kernel.create(MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(64).build());
        m.update(u32(3), new byte[m.valueBufferSize()]);
        ByteBuffer hit = ByteBuffer.allocateDirect(4);
        hit.put(0, u32(3));
        ByteBuffer value = ByteBuffer.allocateDirect(m.valueBufferSize());
        long hitBytes = lookupAllocation(m, hit, value, true);
        // Warm-up already allocated what it will; allow a few bytes of JDK noise, far below one object per op.
        assertTrue(hitBytes < OPS / 10, "lookup hit allocated " + hitBytes + " bytes over " + OPS + " ops");
        ByteBuffer miss = ByteBuffer.wrap(u32(type.isArray() ? 64 : 4));
        long missBytes = lookupAllocation(m, miss, ByteBuffer.allocate(m.valueBufferSize()), false);
        assertTrue(missBytes < OPS / 10, "lookup miss allocated " + missBytes + " bytes over " + OPS + " ops");
    }

    @Test
    void valuesAreNeverTorn() throws Exception {
        BpfMap m = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(64).maxEntries(8)
                .flags(MapFlag.NO_PREALLOC).build());
        m.update(u32(1), new byte[64]);
        int writers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            byte fill = (byte) (t + 1);
            threads.add(new Thread(() -> {
                byte[] v = new byte[64];
                java.util.Arrays.fill(v, fill);
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        m.update(u32(1), v);
                        m.update(u32(2 + (i & 3)), v);
                        m.delete(u32(2 + (i & 3)));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.add(new Thread(() -> {
            byte[] v = new byte[64];
            try {
                start.await();
                for (int i = 0; i < 50_000; i++) {
                    assertTrue(m.lookup(u32(1), v));
                    for (byte b : v) {
                        assertEquals(v[0], b, "torn value read");
                    }
                    // A walk may repeat keys (a deleted cursor restarts it, as in the kernel) but never
                    // invents one, and it ends.
                    for (int k : Bytes.keys(m)) {
                        assertTrue(k >= 1 && k <= 5, "iteration returned a key never inserted: " + k);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(List.of(1), Bytes.keys(m));
    }
}
