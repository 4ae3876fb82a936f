package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.bpfmaps.simulator.Bytes.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The SEMANTICS §2 matrix rows for HASH and PERCPU_HASH, and §4.1 capacity rules. */
class HashMapTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap create(MapType type, int maxEntries, MapFlag... flags) {
        return kernel.create(MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(maxEntries).flags(flags)
                .build());
    }

    private static byte[] value(BpfMap m, long v) {
        byte[] out = new byte[m.valueBufferSize()];
        for (int c = 0; c < m.possibleCpus() || c == 0; c++) {
            System.arraycopy(u64(v + c), 0, out, c * 8, 8);
            if (!m.type().isPerCpu()) {
                break;
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void matrixRow(MapType type) {
        BpfMap m = create(type, 4);
        byte[] k0 = u32(0);
        byte[] v = value(m, 5);
        byte[] out = new byte[m.valueBufferSize()];
        assertFalse(m.lookup(k0, out), "lk0");
        assertFalse(m.nextKey(null, new byte[4]), "gnk0");
        m.update(k0, v);
        assertTrue(m.lookup(k0, out));
        assertArrayEquals(v, out, "lk1");
        assertErrno(Errno.EEXIST, () -> m.update(k0, v, UpdateFlags.NOEXIST));
        m.update(k0, v, UpdateFlags.EXIST);
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, UpdateFlags.F_CPU));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, UpdateFlags.F_ALL_CPUS));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, 0x20));
        assertErrno(Errno.EINVAL, () -> m.update(k0, v, 3));
        byte[] next = new byte[4];
        assertTrue(m.nextKey(null, next), "gnkN");
        assertArrayEquals(k0, next);
        assertFalse(m.nextKey(k0, next), "gnkK");
        assertTrue(m.nextKey(new byte[] {-1, -1, -1, -1}, next), "gnkBad");
        assertArrayEquals(k0, next);
        assertErrno(Errno.EINVAL, () -> m.lookup(k0, out, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.lookup(k0, out, 8));
        assertErrno(Errno.EINVAL, () -> m.lookupAndDelete(k0, out, UpdateFlags.NOEXIST));
        assertErrno(Errno.EINVAL, () -> m.lookupAndDelete(k0, out, UpdateFlags.F_LOCK));
        java.util.Arrays.fill(out, (byte) 0);
        assertTrue(m.lookupAndDelete(k0, out), "lad");
        assertArrayEquals(v, out);
        assertFalse(m.lookup(k0, out));
        assertFalse(m.lookupAndDelete(k0, out), "lad missing");
        m.update(k0, v);
        assertTrue(m.delete(k0), "del");
        assertFalse(m.delete(k0), "del2");
        assertErrno(Errno.ENOENT, () -> m.update(k0, v, UpdateFlags.EXIST));
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void freezeStopsSyscallWrites(MapType type) {
        BpfMap m = create(type, 4);
        byte[] k0 = u32(0);
        byte[] v = value(m, 1);
        m.update(k0, v);
        m.freeze();
        assertErrno(Errno.EPERM, () -> m.update(k0, v));
        assertErrno(Errno.EPERM, () -> m.update(k0, v, 0x20)); // permission before flags
        assertErrno(Errno.EPERM, () -> m.delete(k0));
        assertErrno(Errno.EPERM, () -> m.lookupAndDelete(k0, new byte[m.valueBufferSize()], UpdateFlags.F_LOCK));
        assertErrno(Errno.EPERM, m::freeze);
        assertTrue(m.lookup(k0, new byte[m.valueBufferSize()]), "lkF");
        assertTrue(m.info().frozen());
        assertErrno(Errno.EPERM, () -> m.updateBatch(k0, v, 1, 0));
        assertErrno(Errno.EPERM, () -> m.deleteBatch(k0, 1, 0));
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void fullMap(MapType type) {
        for (MapFlag[] flags : new MapFlag[][] {{}, {MapFlag.NO_PREALLOC}}) {
            BpfMap m = create(type, 4, flags);
            byte[] v = value(m, 3);
            for (int i = 0; i < 4; i++) {
                m.update(u32(i), v, UpdateFlags.NOEXIST);
            }
            MapFullException full = assertInstanceOf(MapFullException.class,
                    assertErrno(Errno.E2BIG, () -> m.update(u32(9), v)));
            assertEquals(Errno.E2BIG, full.error());
            assertErrno(Errno.E2BIG, () -> m.update(u32(9), v, UpdateFlags.NOEXIST));
            assertErrno(Errno.ENOENT, () -> m.update(u32(9), v, UpdateFlags.EXIST));
            assertErrno(Errno.EEXIST, () -> m.update(u32(1), v, UpdateFlags.NOEXIST));
            m.update(u32(1), v);
            m.update(u32(1), v, UpdateFlags.EXIST);
            assertTrue(m.delete(u32(2)));
            m.update(u32(9), v);
            assertEquals(4, Bytes.keys(m).size());
        }
    }

    @Test
    void deletingDuringIterationRestartsFromTheFirstKeyForAnUnknownKey() {
        BpfMap m = create(MapType.HASH, 16, MapFlag.ZERO_SEED);
        for (int key : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000}) {
            m.update(u32(key), u64(key));
        }
        byte[] next = new byte[4];
        assertTrue(m.nextKey(u32(0), next));
        assertEquals(7, Bytes.u32(next));
        m.delete(u32(0));
        assertTrue(m.nextKey(u32(0), next));
        assertEquals(4, Bytes.u32(next), "unknown key -> first key");
        assertTrue(m.nextKey(u32(5), next), "last of its bucket -> head of next bucket");
        assertEquals(7, Bytes.u32(next));
        assertFalse(m.nextKey(u32(3), next));
    }

    @Test
    void randomSeedStillIteratesEveryKeyOnce() {
        BpfMap m = create(MapType.HASH, 100);
        for (int i = 0; i < 100; i++) {
            m.update(u32(i * 7), u64(i));
        }
        List<Integer> keys = Bytes.keys(m);
        assertEquals(100, keys.size());
        assertEquals(100, keys.stream().distinct().count());
    }

    @Test
    void withoutZeroSeedEachMapDrawsItsOwnSeed() {
        java.util.Set<List<Integer>> orders = new java.util.HashSet<>();
        java.util.Set<Integer> seeds = new java.util.HashSet<>();
        for (int n = 0; n < 4; n++) {
            BpfMap m = create(MapType.HASH, 64);
            seeds.add(((HashTable) ((SimBpfMap) m).object).seed);
            for (int i = 0; i < 32; i++) {
                m.update(u32(i), u64(i));
            }
            orders.add(Bytes.keys(m));
        }
        assertTrue(seeds.size() > 1, "random seeds");
        assertTrue(orders.size() > 1, "orders differ between maps with different seeds");
        BpfMap zero = create(MapType.HASH, 64, MapFlag.ZERO_SEED);
        assertEquals(0, ((HashTable) ((SimBpfMap) zero).object).seed);
    }

    @Test
    void memlockMatchesTheKernelReport() {
        BpfMap m = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).build());
        assertEquals(1360, m.info().memlock());
        // Values the linux backend read from 6.18 on a 2-CPU machine.
        try (SimulatedKernel two = SimulatedKernel.builder().cpus(2).build()) {
            assertEquals(1504, two.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(6).valueSize(12)
                    .maxEntries(5).build()).info().memlock());
            assertEquals(89440, two.create(MapSpec.builder(MapType.HASH).keySize(13).valueSize(3)
                    .maxEntries(1000).build()).info().memlock());
            BpfMap dynPercpu = two.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(6).valueSize(12)
                    .maxEntries(5).flags(MapFlag.NO_PREALLOC).build());
            for (int i = 0; i < 3; i++) {
                dynPercpu.update(new byte[] {(byte) i, 0, 0, 0, 0, 0}, new byte[32]);
            }
            assertEquals(1384, dynPercpu.info().memlock());
        }
        BpfMap dyn = create(MapType.HASH, 4, MapFlag.NO_PREALLOC);
        long empty = dyn.info().memlock();
        dyn.update(u32(1), u64(1));
        assertTrue(dyn.info().memlock() > empty, "NO_PREALLOC memlock grows with elements");
    }

    @Test
    void largeKeysAndValues() {
        BpfMap m = kernel.create(MapSpec.builder(MapType.HASH).keySize(1 << 20).valueSize(3).maxEntries(2)
                .build());
        byte[] key = new byte[1 << 20];
        key[12345] = 7;
        m.update(key, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, m.lookup(key).orElseThrow());
        key[12345] = 8;
        assertTrue(m.lookup(key).isEmpty());
    }
}
