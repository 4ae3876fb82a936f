package org.bpfmaps.simulator.lru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeSet;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LRU_HASH / LRU_PERCPU_HASH through the simulator's public API (SEMANTICS 4.1/4.2 observations, 2 CPUs). */
class LruMapIntegrationTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap create(MapType type, int maxEntries, MapFlag... flags) {
        return kernel.create(MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(maxEntries).flags(flags)
                .build());
    }

    private static byte[] u32(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) v).array();
    }

    private static byte[] value(BpfMap m, long v) {
        byte[] out = new byte[m.valueBufferSize()];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        for (int off = 0; off + 8 <= out.length; off += 8) {
            b.putLong(off, v);
        }
        return out;
    }

    private static TreeSet<Long> keys(BpfMap m) {
        TreeSet<Long> out = new TreeSet<>();
        byte[] k = null;
        byte[] next = new byte[4];
        while (m.nextKey(k, next)) {
            out.add(Integer.toUnsignedLong(ByteBuffer.wrap(next).order(ByteOrder.nativeOrder()).getInt()));
            k = next.clone();
        }
        return out;
    }

    private static TreeSet<Long> range(long from, long to) {
        TreeSet<Long> s = new TreeSet<>();
        for (long k = from; k <= to; k++) {
            s.add(k);
        }
        return s;
    }

    private static int errno(Runnable r) {
        return assertThrows(BpfException.class, r::run).errno();
    }

    @Test
    void lruHashEvictsInBatchesOfTargetFree() {
        BpfMap m = create(MapType.LRU_HASH, 8);
        for (long k = 1; k <= 9; k++) {
            m.update(u32(k), value(m, k), UpdateFlags.NOEXIST);
        }
        assertEquals(range(3, 9), keys(m));
    }

    @Test
    void programLookupsProtectSyscallLookupsDoNot() {
        for (int kind = 0; kind < 2; kind++) {
            BpfMap m = create(MapType.LRU_HASH, 8);
            for (long k = 1; k <= 8; k++) {
                m.update(u32(k), value(m, k));
            }
            for (long k = 1; k <= 4; k++) {
                if (kind == 0) {
                    assertTrue(m.lookup(u32(k)).isPresent());
                } else {
                    assertTrue(m.programView(0).lookup(u32(k)).isPresent());
                }
            }
            for (long k = 9; k <= 12; k++) {
                m.update(u32(k), value(m, k));
            }
            TreeSet<Long> expected = kind == 0 ? range(5, 12) : range(9, 12);
            if (kind == 1) {
                expected.addAll(range(1, 4));
            }
            assertEquals(expected, keys(m), "lookup kind " + kind);
        }
    }

    @Test
    void existUpdateOfOldestKeyFailsAfterItsOwnAcquireEvictedIt() {
        BpfMap m = create(MapType.LRU_HASH, 8);
        for (long k = 1; k <= 8; k++) {
            m.update(u32(k), value(m, k));
        }
        assertEquals(Errno.ENOENT.number(), errno(() -> m.update(u32(1), value(m, 100), UpdateFlags.EXIST)));
        assertEquals(range(3, 8), keys(m));
        m.update(u32(3), value(m, 33));
        assertEquals(range(3, 8), keys(m));
        assertArrayEquals(value(m, 33), m.lookup(u32(3)).orElseThrow());
    }

    @Test
    void noCommonLruRoundsAndKeepsNodesOnTheirCpu() {
        BpfMap m = create(MapType.LRU_HASH, 7, MapFlag.NO_COMMON_LRU);
        assertEquals(8, m.info().maxEntries());
        assertEquals(8, m.maxEntries());
        for (long k = 1; k <= 5; k++) {
            m.update(u32(k), value(m, k));
        }
        assertEquals(List.of(5L), List.copyOf(keys(m)));
        kernel.onCpu(1, () -> m.update(u32(6), value(m, 6)));
        assertEquals(new TreeSet<>(List.of(5L, 6L)), keys(m));
    }

    @Test
    void lruPercpuUpdatesInPlaceAndProgramUpdateTouchesOneSlot() {
        BpfMap m = create(MapType.LRU_PERCPU_HASH, 8);
        for (long k = 1; k <= 8; k++) {
            m.update(u32(k), value(m, k));
        }
        m.update(u32(3), value(m, 33), UpdateFlags.EXIST); // no node acquired: nothing evicted
        assertEquals(range(1, 8), keys(m));
        m.programView(1).update(u32(3), ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 7).array(),
                UpdateFlags.ANY); // acquires on CPU 1 (global free list empty: shrinks 1 and 2)
        assertEquals(range(3, 8), keys(m));
        byte[] v = m.lookup(u32(3)).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
        assertEquals(33, b.getLong(0));
        assertEquals(7, b.getLong(8));
    }

    @Test
    void deleteAndLookupAndDeleteFreeNodes() {
        BpfMap m = create(MapType.LRU_HASH, 2);
        m.update(u32(1), value(m, 1));
        m.update(u32(2), value(m, 2));
        assertTrue(m.delete(u32(1)));
        assertFalse(m.delete(u32(1)));
        byte[] out = new byte[m.valueBufferSize()];
        assertTrue(m.lookupAndDelete(u32(2), out));
        m.update(u32(3), value(m, 3));
        m.update(u32(4), value(m, 4));
        assertEquals(new TreeSet<>(List.of(3L, 4L)), keys(m));
    }

    @Test
    void createChecks() {
        assertEquals(Errno.ENOTSUPP.number(), assertThrows(BpfException.class,
                () -> create(MapType.LRU_HASH, 4, MapFlag.NO_PREALLOC)).errno());
        assertEquals(Errno.EINVAL.number(), assertThrows(BpfException.class,
                () -> create(MapType.HASH, 4, MapFlag.NO_COMMON_LRU)).errno());
    }
}
