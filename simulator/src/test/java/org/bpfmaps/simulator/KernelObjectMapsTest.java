package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.keys;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The map types whose values name kernel objects (devices, CPUs, stack traces, cgroup storage, descriptors):
 * expectations written from SEMANTICS.md and the measurements in docs/kernel-findings.md, not computed by a
 * backend.
 */
class KernelObjectMapsTest {
    private static final int ENOTSOCK = 88;
    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap create(MapType type, int key, int value, int max, MapFlag... flags) {
        return kernel.create(MapSpec.builder(type).keySize(key).valueSize(value).maxEntries(max).flags(flags).build());
    }

    private void refused(Errno errno, MapType type, int key, int value, int max, int flags) {
        assertErrno(errno, () -> kernel.create(MapSpec.builder(type).keySize(key).valueSize(value).maxEntries(max)
                .flags(flags).build()));
    }

    private static byte[] pair(int a, int b) {
        byte[] out = new byte[8];
        System.arraycopy(u32(a), 0, out, 0, 4);
        System.arraycopy(u32(b), 0, out, 4, 4);
        return out;
    }

    // ---- DEVMAP / DEVMAP_HASH ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(names = {"DEVMAP", "DEVMAP_HASH"})
    void deviceMapCreateChecks(MapType type) {
        refused(Errno.EINVAL, type, 8, 4, 4, 0);
        refused(Errno.EINVAL, type, 4, 12, 4, 0);
        refused(Errno.EINVAL, type, 4, 4, 0, 0);
        refused(Errno.EINVAL, type, 4, 4, 4, MapFlag.RDONLY_PROG.bit());
        refused(Errno.EINVAL, type, 4, 4, 4, MapFlag.NO_PREALLOC.bit());
        try (BpfMap m = create(type, 4, 8, 4, MapFlag.WRONLY)) {
            assertEquals(MapFlag.RDONLY_PROG.bit(), m.info().flags(), "the kernel marks device maps BPF_F_RDONLY_PROG");
            assertEquals(376, m.info().memlock());
        }
    }

    @Test
    void devmapIsAnArrayOfLoopbackSlots() {
        try (BpfMap m = create(MapType.DEVMAP, 4, 8, 4)) {
            assertFalse(m.lookup(u32(0)).isPresent());
            m.update(u32(0), pair(1, 0), 0);
            assertArrayEquals(pair(1, 0), m.lookup(u32(0)).orElseThrow(), "ifindex and program id 0");
            assertEquals(376 + 64, m.info().memlock());
            assertErrno(Errno.EEXIST, () -> m.update(u32(1), pair(1, 0), 1)); // NOEXIST, even on an empty slot
            m.update(u32(1), pair(1, -1), 2); // EXIST on an empty slot; a negative fd means no program
            assertErrno(Errno.EINVAL, () -> m.update(u32(2), pair(1000, 0), 0)); // no such device
            assertErrno(Errno.EINVAL, () -> m.update(u32(2), pair(1, m.fd()), 0)); // a map is not an XDP program
            assertErrno(Errno.EINVAL, () -> m.update(u32(2), pair(1, 2), 0)); // nor is stderr
            assertErrno(Errno.EINVAL, () -> m.update(u32(2), pair(0, 5), 0)); // a program without a device
            assertErrno(Errno.E2BIG, () -> m.update(u32(4), pair(1, 0), 0));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), pair(1, 0), 8));
            assertArrayEquals(pair(1, 0), m.lookup(u32(0)).orElseThrow(), "a failed update keeps the element");
            m.update(u32(0), pair(0, 0), 0); // ifindex 0 empties the slot
            assertFalse(m.lookup(u32(0)).isPresent());
            assertTrue(m.delete(u32(3)), "deleting an empty slot succeeds");
            assertErrno(Errno.EINVAL, () -> m.delete(u32(4)));
            assertEquals(List.of(0, 1, 2, 3), keys(m));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(u32(1), new byte[8], 0));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupBatch(null, new byte[4], new byte[16], new byte[32], 4, 0));
            try (ProgramView v = m.programView(1)) {
                byte[] value = new byte[8];
                assertTrue(v.lookup(u32(1), value));
                assertArrayEquals(pair(1, 0), value);
                assertErrno(Errno.EACCES, () -> v.update(u32(1), pair(1, 0), 0));
                assertErrno(Errno.EACCES, () -> v.delete(u32(1)));
            }
        }
    }

    @Test
    void devmapMemlockCountsEveryUpdateOfAnEmptySlot() {
        try (BpfMap m = create(MapType.DEVMAP, 4, 4, 4)) {
            m.update(u32(0), u32(0), 0); // leaves slot 0 empty, yet the kernel's item count grows
            assertEquals(376 + 64, m.info().memlock());
            m.delete(u32(0)); // nothing to delete: the count stays
            assertEquals(376 + 64, m.info().memlock());
        }
    }

    @Test
    void devmapHashKeepsBucketOrder() {
        try (BpfMap m = create(MapType.DEVMAP_HASH, 4, 4, 4)) {
            // 4 buckets, bucket = key & 3, new elements at the head of their bucket
            for (int k : new int[] {9, 2, 5, 1000}) {
                m.update(u32(k), u32(1), 0);
            }
            assertEquals(List.of(1000, 5, 9, 2), keys(m));
            assertErrno(Errno.E2BIG, () -> m.update(u32(7), u32(1), 0));
            m.update(u32(9), u32(1), 0); // replaced: now at the head of bucket 1
            assertEquals(List.of(1000, 9, 5, 2), keys(m));
            assertErrno(Errno.EEXIST, () -> m.update(u32(9), u32(1), 1));
            assertErrno(Errno.EINVAL, () -> m.update(u32(9), u32(0), 0)); // ifindex 0 is refused here
            byte[] next = new byte[4];
            assertTrue(m.nextKey(u32(12345), next));
            assertEquals(1000, u32(next), "an unknown key restarts at the first");
            assertTrue(m.delete(u32(5)));
            assertFalse(m.delete(u32(5)));
            assertEquals(List.of(1000, 9, 2), keys(m));
            assertEquals(344 + 4 * 8 + 3 * 64, m.info().memlock());
        }
    }

    // ---- CPUMAP -------------------------------------------------------------------------------------

    @Test
    void cpumap() {
        refused(Errno.EINVAL, MapType.CPUMAP, 4, 4, 4, MapFlag.RDONLY.bit());
        refused(Errno.EINVAL, MapType.CPUMAP, 4, 12, 4, 0);
        refused(Errno.E2BIG, MapType.CPUMAP, 4, 4, 257, 0);
        create(MapType.CPUMAP, 4, 4, 256).close();
        try (BpfMap m = create(MapType.CPUMAP, 4, 8, 4)) {
            assertEquals(0, m.info().flags());
            assertEquals(336, m.info().memlock());
            m.update(u32(1), pair(192, 0), 0);
            assertArrayEquals(pair(192, 0), m.lookup(u32(1)).orElseThrow());
            assertErrno(Errno.EEXIST, () -> m.update(u32(0), pair(192, 0), 1));
            assertErrno(Errno.EOVERFLOW, () -> m.update(u32(0), pair(16385, 0), 0));
            m.update(u32(0), pair(16384, -1), 0);
            assertErrno(Errno.ENODEV, () -> m.update(u32(2), pair(192, 0), 0)); // CPU 2 is not possible
            assertErrno(Errno.E2BIG, () -> m.update(u32(4), pair(192, 0), 0));
            assertErrno(Errno.ENOMEM, () -> m.update(u32(1), pair(192, m.fd()), 0)); // not a program
            assertArrayEquals(pair(192, 0), m.lookup(u32(1)).orElseThrow(), "a failed update keeps the element");
            m.update(u32(1), pair(0, m.fd()), 0); // qsize 0 empties the slot; the fd is not looked at
            assertFalse(m.lookup(u32(1)).isPresent());
            assertTrue(m.delete(u32(3)));
            assertErrno(Errno.EINVAL, () -> m.delete(u32(4)));
            try (ProgramView v = m.programView(0)) {
                assertErrno(Errno.EINVAL, () -> v.lookup(u32(0), new byte[8]));
            }
        }
    }

    // ---- STACK_TRACE ---------------------------------------------------------------------------------

    @Test
    void stackTrace() {
        refused(Errno.EINVAL, MapType.STACK_TRACE, 4, 4, 4, 0);
        refused(Errno.EINVAL, MapType.STACK_TRACE, 4, 12, 4, 0);
        refused(Errno.EINVAL, MapType.STACK_TRACE, 4, 1024, 4, 0); // 128 frames > perf_event_max_stack
        refused(Errno.EINVAL, MapType.STACK_TRACE, 4, 8, 4, MapFlag.STACK_BUILD_ID.bit());
        refused(Errno.EINVAL, MapType.STACK_TRACE, 4, 8, 4, MapFlag.RDONLY_PROG.bit());
        refused(Errno.EINVAL, MapType.STACK_TRACE, 8, 8, 4, 0);
        create(MapType.STACK_TRACE, 4, 1016, 1).close();
        create(MapType.STACK_TRACE, 4, 64, 1, MapFlag.STACK_BUILD_ID).close();
        try (BpfMap m = create(MapType.STACK_TRACE, 4, 8, 3)) {
            assertEquals(424, m.info().memlock());
            assertFalse(m.lookup(u32(0)).isPresent());
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), new byte[8], 0));
            assertFalse(m.delete(u32(3)));
            assertErrno(Errno.E2BIG, () -> m.delete(u32(4))); // 4 buckets
            assertFalse(m.lookupAndDelete(u32(0), new byte[8], 0));
            assertEquals(List.of(), keys(m));
            m.freeze();
            assertErrno(Errno.EPERM, () -> m.delete(u32(0)));
        }
    }

    // ---- cgroup storage ------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(names = {"CGROUP_STORAGE", "PERCPU_CGROUP_STORAGE"})
    void cgroupStorage(MapType type) {
        refused(Errno.EINVAL, type, 12, 4, 0, 0); // sizeof(struct bpf_cgroup_storage_key) is 16
        refused(Errno.EINVAL, type, 8, 4, 1, 0);
        refused(Errno.EINVAL, type, 8, 0, 0, 0);
        refused(Errno.E2BIG, type, 8, 65408, 0, 0);
        refused(Errno.E2BIG, type, 8, 65408, 1, 0); // the value size is checked before max_entries
        if (type == MapType.PERCPU_CGROUP_STORAGE) {
            refused(Errno.E2BIG, type, 8, 32769, 0, 0);
        } else {
            create(type, 8, 65407, 0).close();
        }
        try (BpfMap m = create(type, 16, 4, 0, MapFlag.RDONLY_PROG)) {
            assertEquals(MapFlag.RDONLY_PROG.bit(), m.info().flags());
            byte[] value = new byte[m.valueBufferSize()];
            assertFalse(m.lookup(new byte[16], value, 0));
            assertErrno(Errno.ENOENT, () -> m.update(new byte[16], value, 0)); // no cgroup has this map attached
            assertErrno(Errno.ENOENT, () -> m.update(new byte[16], value, 2));
            assertErrno(Errno.EINVAL, () -> m.update(new byte[16], value, 1));
            assertErrno(Errno.EINVAL, () -> m.delete(new byte[16]));
            assertFalse(m.nextKey(null, new byte[16]));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(new byte[16], value, 0));
            try (ProgramView v = m.programView(0)) {
                assertErrno(Errno.EACCES, () -> v.update(new byte[16], new byte[4], 0)); // RDONLY_PROG first
                assertErrno(Errno.EINVAL, () -> v.lookup(new byte[16], new byte[4]));
            }
        }
    }

    // ---- descriptor-valued types ---------------------------------------------------------------------

    /** Update outcomes for: another map's fd, stdin, a number that is not open, -1. */
    private void updates(BpfMap m, int valueSize, Errno mapFd, Errno stdin, Errno notOpen, Errno minusOne) {
        try (BpfMap other = create(MapType.ARRAY, 4, 4, 1)) {
            int[] fds = {other.fd(), 0, 0x3fff0000, -1};
            Errno[] expected = {mapFd, stdin, notOpen, minusOne};
            for (int i = 0; i < fds.length; i++) {
                byte[] value = valueSize == 8 ? pair(fds[i], 0) : u32(fds[i]);
                BpfException e = assertErrno(expected[i], () -> m.update(u32(0), value, 0));
                assertTrue(e.getMessage().contains(m.toString()), e.getMessage());
            }
        }
    }

    @Test
    void programArray() {
        refused(Errno.EINVAL, MapType.PROG_ARRAY, 4, 8, 4, 0);
        refused(Errno.EINVAL, MapType.PROG_ARRAY, 4, 4, 4, MapFlag.RDONLY_PROG.bit());
        refused(Errno.EINVAL, MapType.PROG_ARRAY, 4, 4, 4, MapFlag.PRESERVE_ELEMS.bit());
        try (BpfMap m = create(MapType.PROG_ARRAY, 4, 4, 4)) {
            assertEquals(344, m.info().memlock());
            updates(m, 4, Errno.EINVAL, Errno.EINVAL, Errno.EBADF, Errno.EBADF);
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), u32(0x3fff0000), 2)); // only BPF_ANY
            assertErrno(Errno.E2BIG, () -> m.update(u32(4), u32(0x3fff0000), 0));
            assertFalse(m.lookup(u32(0)).isPresent());
            assertFalse(m.delete(u32(0)));
            assertErrno(Errno.E2BIG, () -> m.delete(u32(4)));
            assertEquals(List.of(0, 1, 2, 3), keys(m));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"PERF_EVENT_ARRAY", "CGROUP_ARRAY"})
    void perfEventAndCgroupArrays(MapType type) {
        if (type == MapType.PERF_EVENT_ARRAY) {
            create(type, 4, 4, 4, MapFlag.PRESERVE_ELEMS).close();
        } else {
            refused(Errno.EINVAL, type, 4, 4, 4, MapFlag.PRESERVE_ELEMS.bit());
        }
        try (BpfMap m = create(type, 4, 4, 4)) {
            updates(m, 4, Errno.EBADF, Errno.EBADF, Errno.EBADF, Errno.EBADF);
            assertErrno(Errno.ENOTSUPP, () -> m.lookup(u32(0)));
            assertFalse(m.delete(u32(0)));
        }
    }

    @Test
    void socketMaps() {
        refused(Errno.EINVAL, MapType.SOCKMAP, 4, 4, 4, MapFlag.NO_PREALLOC.bit());
        refused(Errno.EINVAL, MapType.SOCKHASH, 0, 4, 4, 0);
        refused(Errno.E2BIG, MapType.SOCKHASH, 513, 4, 4, 0);
        refused(Errno.EINVAL, MapType.SOCKHASH, 4, 4, (1 << 27) + 1, 0); // 2^28 buckets of 16 bytes: > U32_MAX
        refused(Errno.EINVAL, MapType.SOCKHASH, 4, 4, 1 << 28, 0);
        refused(Errno.EINVAL, MapType.XSKMAP, 4, 8, 4, 0);
        create(MapType.REUSEPORT_SOCKARRAY, 4, 8, 4, MapFlag.RDONLY_PROG).close();
        for (MapType type : new MapType[] {MapType.SOCKMAP, MapType.SOCKHASH, MapType.XSKMAP,
                MapType.REUSEPORT_SOCKARRAY}) {
            try (BpfMap m = create(type, 4, 4, 4); BpfMap other = create(MapType.ARRAY, 4, 4, 1)) {
                for (int fd : new int[] {other.fd(), 1}) {
                    BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class,
                            () -> m.update(u32(0), u32(fd), 0));
                    assertEquals(ENOTSOCK, e.errno(), type + ": an open file that is not a socket");
                }
                assertErrno(Errno.EBADF, () -> m.update(u32(0), u32(0x3fff0000), 0));
            }
        }
        try (BpfMap m = create(MapType.SOCKMAP, 4, 4, 4)) {
            assertErrno(Errno.ENOSPC, () -> m.lookup(u32(0))); // the cookie needs value_size 8
            assertErrno(Errno.EINVAL, () -> m.update(u32(9), u32(-1), 1)); // fd > INT_MAX, before flags/index
            assertErrno(Errno.EINVAL, () -> m.delete(u32(0)));
        }
        try (BpfMap m = create(MapType.SOCKHASH, 4, 8, 4)) {
            assertFalse(m.lookup(u32(0)).isPresent());
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), pair(3, -1), 0)); // the u64 fd is above INT_MAX
            assertFalse(m.delete(u32(0)));
            assertFalse(m.nextKey(null, new byte[4]));
            try (ProgramView v = m.programView(0)) {
                assertErrno(Errno.EACCES, () -> v.lookup(u32(0), new byte[8]));
                assertErrno(Errno.EACCES, () -> v.update(u32(0), new byte[8], 0));
                assertErrno(Errno.EINVAL, () -> v.delete(u32(0)));
            }
        }
        try (BpfMap m = create(MapType.XSKMAP, 4, 4, 4)) {
            assertErrno(Errno.EOPNOTSUPP, () -> m.lookup(u32(0)));
            assertErrno(Errno.E2BIG, () -> m.update(u32(4), u32(1), 0)); // the index before the descriptor
            assertTrue(m.delete(u32(0)));
            assertErrno(Errno.EINVAL, () -> m.delete(u32(4)));
            try (ProgramView v = m.programView(0)) {
                assertFalse(v.lookup(u32(0), new byte[4]));
            }
        }
        try (BpfMap m = create(MapType.REUSEPORT_SOCKARRAY, 4, 4, 4)) {
            assertErrno(Errno.EBADF, () -> m.update(u32(0), u32(-1), 0)); // a 4-byte fd is an int
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), u32(1), 8)); // flags before the descriptor
            assertFalse(m.delete(u32(0)));
            assertErrno(Errno.E2BIG, () -> m.delete(u32(4)));
        }
    }

    // ---- ARENA -------------------------------------------------------------------------------------------

    private BpfException arenaRefused(int errno, int key, int value, int max, int flags, long extra) {
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class, () -> kernel.create(
                MapSpec.builder(MapType.ARENA).keySize(key).valueSize(value).maxEntries(max).flags(flags)
                        .mapExtra(extra).build()));
        assertEquals(errno, e.errno(), e.getMessage());
        return e;
    }

    @Test
    void arena() {
        int mm = MapFlag.MMAPABLE.bit();
        arenaRefused(22, 0, 0, 1, 0, 0); // BPF_F_MMAPABLE is required
        arenaRefused(22, 4, 0, 1, mm, 0);
        arenaRefused(22, 0, 0, 0, mm, 0);
        arenaRefused(22, 0, 0, 1, mm | MapFlag.RDONLY.bit(), 0);
        arenaRefused(22, 0, 0, 1, mm | MapFlag.NUMA_NODE.bit(), 0);
        arenaRefused(22, 0, 0, 1, mm, 4095); // the user address must be page aligned
        arenaRefused(7, 0, 0, (1 << 20) + 1, mm, 0); // more than 4 GiB of pages
        arenaRefused(34, 0, 0, 2, mm, (1L << 32) - 4096); // ERANGE: crosses a 4 GiB boundary
        try (BpfMap m = kernel.create(MapSpec.builder(MapType.ARENA).keySize(0).valueSize(0).maxEntries(1 << 20)
                .flags(mm | MapFlag.mask(MapFlag.SEGV_ON_FAULT, MapFlag.NO_USER_CONV)).mapExtra(1L << 32).build())) {
            assertEquals(1L << 32, m.info().mapExtra());
            assertEquals(0, m.info().memlock());
            assertErrno(Errno.EINVAL, () -> m.lookup(new byte[0], new byte[0], 0));
            assertErrno(Errno.EOPNOTSUPP, () -> m.update(new byte[0], new byte[0], 0));
            assertErrno(Errno.EOPNOTSUPP, () -> m.delete((byte[]) null));
            assertErrno(Errno.EOPNOTSUPP, () -> m.nextKey((byte[]) null, new byte[0]));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(new byte[0], new byte[0], 0));
            m.freeze();
            assertErrno(Errno.EPERM, () -> m.update(new byte[0], new byte[0], 0));
        }
    }

    @Test
    void persistedKernelsKeepKernelObjectMaps(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path state = dir.resolve("state");
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).stateDirectory(state).build()) {
            BpfMap progs = k.create(MapSpec.builder(MapType.PROG_ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
            BpfMap devs = k.create(MapSpec.builder(MapType.DEVMAP).keySize(4).valueSize(4).maxEntries(2).build());
            // refused for a descriptor that a later process numbers differently: nothing to replay
            assertErrno(Errno.EINVAL, () -> progs.update(u32(0), u32(devs.fd()), 0));
            devs.update(u32(1), u32(1), 0);
            progs.pin(k.bpffsRoot() + "/progs");
            devs.pin(k.bpffsRoot() + "/devs");
        }
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).stateDirectory(state).build();
             BpfMap devs = k.openPinned(k.bpffsRoot() + "/devs", org.bpfmaps.Access.READ_WRITE);
             BpfMap progs = k.openPinned(k.bpffsRoot() + "/progs", org.bpfmaps.Access.READ_WRITE)) {
            assertArrayEquals(u32(1), devs.lookup(u32(1)).orElseThrow());
            assertFalse(progs.lookup(u32(0)).isPresent());
            assertEquals(MapFlag.RDONLY_PROG.bit(), devs.info().flags());
        }
    }
}
