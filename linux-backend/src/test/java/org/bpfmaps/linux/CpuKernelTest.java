package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CpuKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    private static BitSet currentMask() {
        NativeBuffer mask = new NativeBuffer(128);
        try {
            assertEquals(0, LibC.sched_getaffinity(0, 128, mask.address()));
            byte[] bytes = new byte[128];
            mask.buffer().get(0, bytes);
            return BitSet.valueOf(bytes);
        } finally {
            mask.free();
        }
    }

    @Test
    void possibleCpusMatchesSysfs() {
        assertEquals(PossibleCpus.read().cardinality(), backend.possibleCpus());
        assertTrue(backend.possibleCpus() >= 1);
    }

    @Test
    void onCpuPinsTheThreadAndRestoresItsMask() {
        BitSet before = currentMask();
        for (int cpu = 0; cpu < backend.possibleCpus(); cpu++) {
            final int c = cpu;
            if (!before.get(c)) {
                continue;
            }
            int ran = backend.onCpu(c, () -> {
                BitSet inside = currentMask();
                assertEquals(1, inside.cardinality(), "one CPU in the mask");
                assertTrue(inside.get(c));
                return LibC.sched_getcpu();
            });
            assertEquals(c, ran);
            assertEquals(before, currentMask(), "mask restored after cpu " + c);
        }
        assertThrows(IllegalStateException.class, () -> backend.onCpu(0, (Runnable) () -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(before, currentMask(), "mask restored after an exception");
        assertEquals(22, assertThrows(InvalidArgumentException.class, () -> backend.onCpu(-1, () -> 0)).errno());
        assertEquals(22, assertThrows(InvalidArgumentException.class, () -> backend.onCpu(4096, () -> 0)).errno());
    }

    @Test
    void isSupportedProbesTheKernel() {
        for (MapType t : new MapType[] {MapType.HASH, MapType.ARRAY, MapType.PERCPU_HASH, MapType.PERCPU_ARRAY,
                MapType.LRU_HASH, MapType.LPM_TRIE, MapType.QUEUE, MapType.RINGBUF, MapType.BLOOM_FILTER,
                MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.ARENA, MapType.USER_RINGBUF}) {
            assertTrue(backend.isSupported(t), t + " supported on 6.18");
        }
        assertFalse(backend.isSupported(MapType.UNSPEC));
        assertFalse(backend.isSupported(MapType.STRUCT_OPS), "needs vmlinux BTF, not probed");
        assertTrue(backend.isSupported(MapType.HASH), "cached answer");
    }
}
