package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.getU32;
import static org.bpfmaps.linux.KernelTests.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapType;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArrayMapKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    @Test
    void elementsExistZeroedAndFollowArrayRules() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 12, 3))) {
            assertArrayEquals(new byte[12], map.lookup(u32(2)).orElseThrow(), "zero-initialised");
            assertTrue(map.lookup(u32(3)).isEmpty(), "index >= max_entries is ENOENT");
            byte[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            map.update(u32(1), v);
            assertArrayEquals(v, map.lookup(u32(1)).orElseThrow());
            MapFullException outOfRange = assertThrows(MapFullException.class, () -> map.update(u32(3), v));
            assertEquals(Errno.E2BIG.number(), outOfRange.errno());
            assertThrows(AlreadyExistsException.class, () -> map.update(u32(0), v, UpdateFlags.NOEXIST));
            map.update(u32(0), v, UpdateFlags.EXIST);
            InvalidArgumentException delete = assertThrows(InvalidArgumentException.class, () -> map.delete(u32(0)));
            assertEquals(Errno.EINVAL.number(), delete.errno());
            NotSupportedException lad = assertThrows(NotSupportedException.class,
                    () -> map.lookupAndDelete(u32(0), new byte[12]));
            assertEquals(Errno.ENOTSUPP.number(), lad.errno());
        }
    }

    @Test
    void nextKeyWalksIndexesAndRestartsOutOfRange() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 3))) {
            byte[] next = new byte[4];
            assertTrue(map.nextKey(null, next));
            assertEquals(0, getU32(next, 0));
            assertTrue(map.nextKey(u32(1), next));
            assertEquals(2, getU32(next, 0));
            assertFalse(map.nextKey(u32(2), next));
            assertTrue(map.nextKey(u32(99), next));
            assertEquals(0, getU32(next, 0), "index >= max_entries restarts at 0");
        }
    }

    @Test
    void genericBatchUsesKeyCursors() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 4))) {
            for (int i = 0; i < 4; i++) {
                map.update(u32(i), u32(100 + i));
            }
            assertEquals(4, map.batchCursorSize());
            byte[] keys = new byte[3 * 4];
            byte[] values = new byte[3 * 4];
            byte[] out = new byte[4];
            BatchResult first = map.lookupBatch(null, out, keys, values, 3, 0);
            assertEquals(new BatchResult(3, false), first);
            assertEquals(2, getU32(out, 0), "out_batch is the last key returned");
            assertEquals(102, getU32(values, 8));
            BatchResult second = map.lookupBatch(out.clone(), out, keys, values, 3, 0);
            assertEquals(new BatchResult(1, true), second);
            assertEquals(3, getU32(out, 0));
            assertEquals(3, getU32(keys, 0));
            assertEquals(103, getU32(values, 0));

            byte[] updKeys = new byte[8];
            System.arraycopy(u32(1), 0, updKeys, 0, 4);
            System.arraycopy(u32(9), 0, updKeys, 4, 4);
            MapFullException e = assertThrows(MapFullException.class,
                    () -> map.updateBatch(updKeys, new byte[8], 2, 0));
            assertEquals(1, e.batchCount(), "index 1 written before the out-of-range 9");
            assertArrayEquals(new byte[4], map.lookup(u32(1)).orElseThrow());
            assertThrows(NotSupportedException.class, () -> map.deleteBatch(updKeys, 1, 0));
            assertThrows(NotSupportedException.class,
                    () -> map.lookupAndDeleteBatch(null, new byte[4], keys, values, 3, 0));
        }
    }

    @Test
    void perCpuLayoutIsOneRoundedSlotPerPossibleCpu() {
        int cpus = backend.possibleCpus();
        try (BpfMap map = backend.create(KernelTests.spec(MapType.PERCPU_ARRAY, 4, 4, 2))) {
            assertEquals(8 * cpus, map.valueBufferSize());
            byte[] value = new byte[8 * cpus];
            for (int cpu = 0; cpu < cpus; cpu++) {
                System.arraycopy(u32(0x100 + cpu), 0, value, cpu * 8, 4);
                System.arraycopy(u32(0xdeadbeef), 0, value, cpu * 8 + 4, 4); // padding
            }
            map.update(u32(1), value);
            byte[] read = map.lookup(u32(1)).orElseThrow();
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertEquals(0x100 + cpu, getU32(read, cpu * 8), "slot of cpu " + cpu);
                // 6.18 copies whole round_up(value_size, 8) slots both ways (bpf_long_memcpy), padding included
                assertEquals(0xdeadbeef, getU32(read, cpu * 8 + 4), "padding of cpu " + cpu + " is stored");
            }
            assertThrows(InvalidArgumentException.class, () -> map.update(u32(0), new byte[4]),
                    "a value_size buffer is refused for a per-CPU map");
        }
    }

    @Test
    void perCpuHashKeepsEachCpuSlotAndBatchesAtTheSlotStride() {
        int cpus = backend.possibleCpus();
        try (BpfMap map = backend.create(KernelTests.spec(MapType.PERCPU_HASH, 4, 12, 4))) {
            int slot = 16;
            assertEquals(slot * cpus, map.valueBufferSize());
            for (int k = 0; k < 3; k++) {
                byte[] value = new byte[slot * cpus];
                for (int cpu = 0; cpu < cpus; cpu++) {
                    System.arraycopy(u32(k * 1000 + cpu), 0, value, cpu * slot, 4);
                    System.arraycopy(u32(k * 1000 + cpu + 500), 0, value, cpu * slot + 8, 4);
                    System.arraycopy(u32(0x5a5a5a5a), 0, value, cpu * slot + 12, 4); // padding
                }
                map.update(u32(k), value);
            }
            byte[] keys = new byte[4 * 4];
            byte[] values = new byte[4 * slot * cpus];
            BatchResult r = map.lookupBatch(null, new byte[4], keys, values, 4, 0);
            assertTrue(r.done());
            assertEquals(3, r.count());
            for (int i = 0; i < 3; i++) {
                int k = getU32(keys, i * 4);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    int base = i * slot * cpus + cpu * slot;
                    assertEquals(k * 1000 + cpu, getU32(values, base));
                    assertEquals(k * 1000 + cpu + 500, getU32(values, base + 8));
                    assertEquals(0x5a5a5a5a, getU32(values, base + 12), "padding is stored as written");
                }
            }
            byte[] one = new byte[slot * cpus];
            assertTrue(map.lookupAndDelete(u32(1), one));
            assertEquals(1000 + cpus - 1, getU32(one, (cpus - 1) * slot));
            assertFalse(map.lookup(u32(1), one));
        }
    }
}
