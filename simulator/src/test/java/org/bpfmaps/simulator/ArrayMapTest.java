package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The SEMANTICS §2 matrix rows for ARRAY and PERCPU_ARRAY, and §4.3. */
class ArrayMapTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap create(MapType type, int valueSize, int maxEntries, MapFlag... flags) {
        return kernel.create(MapSpec.builder(type).keySize(4).valueSize(valueSize).maxEntries(maxEntries)
                .flags(flags).build());
    }

    @ParameterizedTest
    @EnumSource(names = {"ARRAY", "PERCPU_ARRAY"})
    void matrixRow(MapType type) {
        BpfMap m = create(type, 4, 3);
        byte[] k0 = u32(0);
        byte[] out = new byte[m.valueBufferSize()];
        java.util.Arrays.fill(out, (byte) 9);
        assertTrue(m.lookup(k0, out), "lk0");
        assertArrayEquals(new byte[m.valueBufferSize()], out, "elements start zeroed");
        byte[] v = new byte[m.valueBufferSize()];
        v[0] = 1;
        byte[] expect = v.clone();
        if (type.isPerCpu()) {
            v[4] = 9; // padding of CPU 0's slot: 6.18 stores it and returns it
            v[8] = 3; // CPU 1
            expect[4] = 9;
            expect[8] = 3;
        }
        m.update(k0, v);
        assertTrue(m.lookup(k0, out));
        assertArrayEquals(expect, out, "lk1 (per-CPU padding round-trips)");
        assertErrno(Errno.EEXIST, () -> m.update(k0, v, UpdateFlags.NOEXIST));
        assertErrno(Errno.EEXIST, () -> m.update(u32(2), v, UpdateFlags.NOEXIST));
        m.update(k0, v, UpdateFlags.EXIST);
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, UpdateFlags.F_CPU));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, 0x20));
        assertErrno(Errno.E2BIG, () -> m.update(u32(3), v));
        assertErrno(Errno.E2BIG, () -> m.update(u32(-1), v));
        assertFalse(m.lookup(u32(3), out), "index >= max_entries");
        assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(k0, out));
        assertErrno(Errno.EINVAL, () -> m.lookupAndDelete(k0, out, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.delete(k0));
        assertErrno(Errno.EINVAL, () -> m.delete(u32(7)));
        assertErrno(Errno.EINVAL, () -> m.lookup(k0, out, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.lookup(k0, out, 8));
        assertEquals(List.of(0, 1, 2), Bytes.keys(m));
        byte[] next = new byte[4];
        assertTrue(m.nextKey(u32(-1), next), "gnkBad");
        assertEquals(0, Bytes.u32(next));
        assertTrue(m.nextKey(u32(3), next));
        assertEquals(0, Bytes.u32(next));
        assertFalse(m.nextKey(u32(2), next));
        m.freeze();
        assertErrno(Errno.EPERM, () -> m.update(k0, v));
        assertErrno(Errno.EPERM, () -> m.delete(k0));
        assertErrno(Errno.EPERM, () -> m.lookupAndDelete(k0, out, UpdateFlags.F_LOCK));
        assertErrno(Errno.EPERM, m::freeze);
        assertTrue(m.lookup(k0, out));
    }

    @Test
    void memlockMatchesTheKernelReport() {
        assertEquals(336, create(MapType.ARRAY, 4, 3).info().memlock());
        assertEquals(392, create(MapType.ARRAY, 12, 5).info().memlock());
        assertEquals(8192, create(MapType.ARRAY, 12, 5, MapFlag.MMAPABLE).info().memlock());
        assertEquals(512, create(MapType.PERCPU_ARRAY, 12, 5).info().memlock());
        assertEquals(4096 + 4096, create(MapType.ARRAY, 12, 3, MapFlag.MMAPABLE).info().memlock());
        assertEquals(312 + 3 * 8 + 3 * 8 * 2, create(MapType.PERCPU_ARRAY, 4, 3).info().memlock());
    }

    @Test
    void hugeSparseArrayCostsLittle() {
        BpfMap m = create(MapType.ARRAY, 8, 1 << 30);
        m.update(u32((1 << 30) - 1), Bytes.u64(77));
        assertEquals(77, Bytes.u64(m.lookup(u32((1 << 30) - 1)).orElseThrow()));
        assertEquals(0, Bytes.u64(m.lookup(u32(5)).orElseThrow()));
    }

    @Test
    void oddValueSizeKeepsNeighboursApart() {
        BpfMap m = create(MapType.ARRAY, 12, 4);
        byte[] v = new byte[12];
        java.util.Arrays.fill(v, (byte) 0x5a);
        m.update(u32(1), v);
        assertArrayEquals(new byte[12], m.lookup(u32(0)).orElseThrow());
        assertArrayEquals(new byte[12], m.lookup(u32(2)).orElseThrow());
        assertArrayEquals(v, m.lookup(u32(1)).orElseThrow());
    }
}
