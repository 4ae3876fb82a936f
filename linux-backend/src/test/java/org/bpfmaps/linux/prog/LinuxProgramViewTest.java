package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.KernelMaps.readU32;
import static org.bpfmaps.linux.prog.KernelMaps.readU64;
import static org.bpfmaps.linux.prog.KernelMaps.u32;
import static org.bpfmaps.linux.prog.KernelMaps.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.linux.prog.KernelMaps.TestMap;
import org.bpfmaps.linux.sys.LibC;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The program view against real kernel maps: helper calls made by loaded programs on a chosen CPU. */
class LinuxProgramViewTest {

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    private static int lastCpu() {
        return KernelMaps.possibleCpus() - 1;
    }

    @Test
    void hashUpdateByProgramIsSeenBySyscallLookup() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 8, 16, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertEquals(0, v.cpu());
            assertTrue(v.map() == m.map);
            v.update(u32(7), u64(0x1122334455667788L), UpdateFlags.ANY);
            assertArrayEquals(u64(0x1122334455667788L), m.lookup(u32(7)));
            assertEquals(Optional.empty(), v.lookup(u32(8)));
            assertArrayEquals(u64(0x1122334455667788L), v.lookup(u32(7)).orElseThrow());
            assertTrue(v.delete(u32(7)));
            assertFalse(v.delete(u32(7)));
            assertNull(m.lookup(u32(7)));
        }
    }

    @Test
    void syscallUpdateIsSeenByProgramLookupOnEveryCpu() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 12, 4, 0)) {
            byte[] value = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            assertEquals(0, m.update(u32(1), value, 0));
            for (int cpu = 0; cpu <= lastCpu(); cpu++) {
                try (ProgramView v = LinuxProgramView.open(m.map, m.fd, cpu)) {
                    byte[] out = new byte[12];
                    assertTrue(v.lookup(u32(1), out));
                    assertArrayEquals(value, out);
                }
            }
        }
    }

    @Test
    void noexistAndExistGiveTheKernelErrnos() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 4, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            NotFoundException nf = assertThrows(NotFoundException.class,
                    () -> v.update(u32(1), u32(1), UpdateFlags.EXIST));
            assertEquals(BpfCommand.PROGRAM_HELPER, nf.command());
            assertEquals(Errno.ENOENT.number(), nf.errno());
            v.update(u32(1), u32(1), UpdateFlags.NOEXIST);
            AlreadyExistsException ae = assertThrows(AlreadyExistsException.class,
                    () -> v.update(u32(1), u32(2), UpdateFlags.NOEXIST));
            assertEquals(Errno.EEXIST.number(), ae.errno());
            v.update(u32(1), u32(3), UpdateFlags.EXIST);
            assertArrayEquals(u32(3), m.lookup(u32(1)));
            InvalidArgumentException ie = assertThrows(InvalidArgumentException.class,
                    () -> v.update(u32(1), u32(3), 0x20));
            assertEquals(Errno.EINVAL.number(), ie.errno());
        }
    }

    @Test
    void fullHashAnswersE2big() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            v.update(u32(1), u32(1), UpdateFlags.ANY);
            v.update(u32(2), u32(2), UpdateFlags.ANY);
            MapFullException e = assertThrows(MapFullException.class, () -> v.update(u32(3), u32(3), UpdateFlags.ANY));
            assertEquals(Errno.E2BIG.number(), e.errno());
            assertTrue(e.getMessage().contains("bpf_map_update_elem"), e.getMessage());
            // Replacing an existing key in a full map still works.
            v.update(u32(2), u32(22), UpdateFlags.ANY);
            assertArrayEquals(u32(22), m.lookup(u32(2)));
        }
    }

    @Test
    void frozenMapStaysWritableToPrograms() {
        try (TestMap m = new TestMap(MapType.ARRAY, 4, 8, 4, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertEquals(0, m.freeze());
            assertEquals(-Errno.EPERM.number(), m.update(u32(1), u64(1), 0));
            v.update(u32(1), u64(99), UpdateFlags.ANY);
            assertArrayEquals(u64(99), m.lookup(u32(1)));
        }
    }

    @Test
    void arrayHelpersFollowArraySemantics() {
        try (TestMap m = new TestMap(MapType.ARRAY, 4, 5, 3, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            byte[] five = {9, 8, 7, 6, 5};
            assertArrayEquals(new byte[5], v.lookup(u32(2)).orElseThrow());
            v.update(u32(2), five, UpdateFlags.ANY);
            assertArrayEquals(five, v.lookup(u32(2)).orElseThrow());
            assertArrayEquals(five, m.lookup(u32(2)));
            assertTrue(v.lookup(u32(3)).isEmpty(), "index out of range: NULL from the helper");
            assertThrows(AlreadyExistsException.class, () -> v.update(u32(0), five, UpdateFlags.NOEXIST));
            assertEquals(Errno.E2BIG.number(),
                    assertThrows(MapFullException.class, () -> v.update(u32(3), five, UpdateFlags.ANY)).errno());
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(InvalidArgumentException.class, () -> v.delete(u32(0))).errno());
        }
    }

    @Test
    void perCpuArrayWriteOnOneCpuLandsInThatSlotOnly() {
        int cpus = KernelMaps.possibleCpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpus >= 2, "needs two possible CPUs");
        try (TestMap m = new TestMap(MapType.PERCPU_ARRAY, 4, 4, 2, 0);
             ProgramView on0 = LinuxProgramView.open(m.map, m.fd, 0);
             ProgramView on1 = LinuxProgramView.open(m.map, m.fd, 1)) {
            on1.update(u32(0), u32(7), UpdateFlags.ANY);
            byte[] all = m.lookup(u32(0));
            assertEquals(8 * cpus, all.length, "round_up(4, 8) stride");
            for (int c = 0; c < cpus; c++) {
                assertEquals(c == 1 ? 7 : 0, readU32(all, 8 * c), "slot " + c);
            }
            assertArrayEquals(u32(0), on0.lookup(u32(0)).orElseThrow());
            assertArrayEquals(u32(7), on1.lookup(u32(0)).orElseThrow());
        }
    }

    @Test
    void pinnedAndIpiRunsAgreeOnPerCpuSlots() {
        int cpus = KernelMaps.possibleCpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpus >= 2, "needs two possible CPUs");
        try (TestMap m = new TestMap(MapType.PERCPU_ARRAY, 4, 8, 1, 0)) {
            for (boolean pin : new boolean[] {true, false}) {
                for (int cpu = 0; cpu < cpus; cpu++) {
                    try (ProgramView v = LinuxProgramView.open(m.map, m.fd, cpu, pin)) {
                        v.update(u32(0), u64(1000 + cpu + (pin ? 100 : 0)), UpdateFlags.ANY);
                    }
                }
                byte[] all = m.lookup(u32(0));
                for (int c = 0; c < cpus; c++) {
                    assertEquals(1000 + c + (pin ? 100 : 0), readU64(all, 8 * c), "pin=" + pin + " slot " + c);
                }
                for (int cpu = 0; cpu < cpus; cpu++) {
                    try (ProgramView v = LinuxProgramView.open(m.map, m.fd, cpu, !pin)) {
                        assertArrayEquals(u64(1000 + cpu + (pin ? 100 : 0)), v.lookup(u32(0)).orElseThrow());
                    }
                }
            }
        }
    }

    @Test
    void perCpuHashProgramsSeeTheirOwnSlot() {
        int cpus = KernelMaps.possibleCpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpus >= 2, "needs two possible CPUs");
        try (TestMap m = new TestMap(MapType.PERCPU_HASH, 4, 8, 4, 0);
             ProgramView on0 = LinuxProgramView.open(m.map, m.fd, 0);
             ProgramView on1 = LinuxProgramView.open(m.map, m.fd, 1)) {
            byte[] buf = new byte[8 * cpus];
            for (int c = 0; c < cpus; c++) {
                System.arraycopy(u64(100 + c), 0, buf, 8 * c, 8);
            }
            assertEquals(0, m.update(u32(5), buf, 0));
            assertArrayEquals(u64(100), on0.lookup(u32(5)).orElseThrow());
            assertArrayEquals(u64(101), on1.lookup(u32(5)).orElseThrow());
            // Existing element: a program update touches only its CPU's slot.
            on1.update(u32(5), u64(7), UpdateFlags.EXIST);
            byte[] all = m.lookup(u32(5));
            assertEquals(100, readU64(all, 0));
            assertEquals(7, readU64(all, 8));
            // New element created by a program on CPU 1: the other slots are zero.
            on1.update(u32(6), u64(42), UpdateFlags.NOEXIST);
            byte[] fresh = m.lookup(u32(6));
            for (int c = 0; c < cpus; c++) {
                assertEquals(c == 1 ? 42 : 0, readU64(fresh, 8 * c), "slot " + c);
            }
            assertTrue(on0.delete(u32(6)));
            assertNull(m.lookup(u32(6)));
        }
    }

    @Test
    void queuePushPopPeek() {
        try (TestMap m = new TestMap(MapType.QUEUE, 0, 4, 3, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, lastCpu())) {
            byte[] out = new byte[4];
            assertFalse(v.peek(out));
            assertFalse(v.pop(out));
            v.push(u32(1), UpdateFlags.ANY);
            v.push(u32(2), UpdateFlags.ANY);
            v.push(u32(3), UpdateFlags.ANY);
            assertEquals(Errno.E2BIG.number(),
                    assertThrows(MapFullException.class, () -> v.push(u32(4), UpdateFlags.ANY)).errno());
            v.push(u32(4), UpdateFlags.EXIST);
            assertTrue(v.peek(out));
            assertArrayEquals(u32(2), out);
            for (int expected : new int[] {2, 3, 4}) {
                assertTrue(v.pop(out));
                assertArrayEquals(u32(expected), out);
            }
            assertFalse(v.pop(out));
            assertThrows(InvalidArgumentException.class, () -> v.push(u32(1), UpdateFlags.NOEXIST));
        }
    }

    @Test
    void stackIsLastInFirstOut() {
        try (TestMap m = new TestMap(MapType.STACK, 0, 8, 4, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            v.push(u64(1), 0);
            v.push(u64(2), 0);
            byte[] out = new byte[8];
            assertTrue(v.peek(out));
            assertArrayEquals(u64(2), out);
            assertTrue(v.pop(out));
            assertArrayEquals(u64(2), out);
            assertTrue(v.pop(out));
            assertArrayEquals(u64(1), out);
            assertFalse(v.peek(out));
        }
    }

    @Test
    void ringbufOutputQueryReserveDiscard() {
        try (TestMap m = new TestMap(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertEquals(4096, v.ringbufQuery(1));
            assertEquals(0, v.ringbufQuery(0));
            assertTrue(v.ringbufOutput(u64(0x1122334455667788L), 0));
            assertTrue(v.ringbufOutput(new byte[16], UpdateFlags.RB_NO_WAKEUP));
            assertEquals(40, v.ringbufQuery(0), "available data");
            assertEquals(4096, v.ringbufQuery(1), "ring size");
            assertEquals(0, v.ringbufQuery(2), "consumer position");
            assertEquals(40, v.ringbufQuery(3), "producer position");
            assertTrue(v.ringbufReserveSubmit(new byte[] {1, 2, 3}, 0));
            assertEquals(56, v.ringbufQuery(3), "8 header + 3 rounded up to 8");
            assertTrue(v.ringbufReserveDiscard(20, 0));
            assertEquals(88, v.ringbufQuery(3), "discarded records keep their space");
            assertThrows(InvalidArgumentException.class, () -> v.ringbufOutput(new byte[8], 4));
            // A record larger than the scratch area grows it; one larger than the ring never fits.
            assertTrue(v.ringbufOutput(new byte[1000], 0));
            assertEquals(88 + 1008, v.ringbufQuery(3));
            assertFalse(v.ringbufOutput(new byte[4096], 0));
        }
    }

    @Test
    void everyDescriptorIsClosedAndSizedProgramsAreBounded() throws Exception {
        try (TestMap m = new TestMap(MapType.RINGBUF, 0, 0, 1 << 16, 0)) {
            // descriptor numbers, not counts: a Cleaner may close another test's dropped map meanwhile
            java.util.Set<Integer> before = org.bpfmaps.linux.KernelTests.descriptorNumbers("anon_inode:bpf");
            ProgramView v = LinuxProgramView.open(m.map, m.fd, 0);
            for (int size = 1; size <= 40; size++) {
                assertTrue(v.ringbufReserveSubmit(new byte[size], 0));
                assertTrue(v.ringbufReserveDiscard(size, 0));
            }
            v.ringbufOutput(new byte[3000], 0);
            v.ringbufQuery(0);
            java.util.Set<Integer> held = org.bpfmaps.linux.KernelTests.descriptorNumbers("anon_inode:bpf");
            held.removeAll(before);
            assertTrue(held.size() <= 32 + 4, "fds held: " + held.size());
            assertFalse(held.isEmpty(), "the view holds its programs' descriptors");
            v.close();
            java.util.Set<Integer> left = org.bpfmaps.linux.KernelTests.descriptorNumbers("anon_inode:bpf");
            left.retainAll(held);
            assertEquals(java.util.Set.of(), left, "fds left open after close()");
        }
    }

    @Test
    void ringbufFullAnswersFalse() {
        try (TestMap m = new TestMap(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            // 4096-byte ring: at most 4088 unconsumed bytes. 255 records of 16 bytes = 4080.
            for (int i = 0; i < 255; i++) {
                assertTrue(v.ringbufOutput(u64(i), 0), "record " + i);
            }
            assertFalse(v.ringbufOutput(u64(255), 0));
            assertFalse(v.ringbufReserveSubmit(u64(255), 0));
            assertTrue(v.ringbufReserveDiscard(0, 0), "an 8-byte record still fits");
            assertEquals(4088, v.ringbufQuery(0));
        }
    }

    @Test
    void verifierRejectionNamesTheComplaint() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 8, 2, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            BpfException e = assertThrows(BpfException.class, () -> v.push(u64(1), 0));
            System.out.println("verifier rejection: " + e.getMessage());
            assertEquals(Errno.EINVAL.number(), e.errno());
            assertEquals(BpfCommand.PROGRAM_HELPER, e.command());
            assertTrue(e.getMessage().contains("verifier"), e.getMessage());
            assertTrue(e.getMessage().contains("bpf_map_push_elem"), e.getMessage());
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(BpfException.class, () -> v.ringbufOutput(new byte[8], 0)).errno());
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(BpfException.class, () -> v.ringbufQuery(0)).errno());
        }
    }

    @Test
    void keyedHelpersOnKeylessMapsAreTypeRefusals() {
        try (TestMap m = new TestMap(MapType.QUEUE, 0, 4, 2, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(InvalidArgumentException.class, () -> v.lookup(new byte[0])).errno());
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(InvalidArgumentException.class, () -> v.update(null, u32(1), 0)).errno());
            assertEquals(Errno.EINVAL.number(),
                    assertThrows(InvalidArgumentException.class, () -> v.delete(null)).errno());
        }
    }

    @Test
    void readOnlyForProgramsIsRejectedAtLoad() {
        int rdonlyProg = 1 << 7;
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, rdonlyProg);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertEquals(0, m.update(u32(1), u32(5), 0));
            assertArrayEquals(u32(5), v.lookup(u32(1)).orElseThrow());
            BpfException e = assertThrows(BpfException.class, () -> v.update(u32(1), u32(6), 0));
            assertEquals(Errno.EACCES.number(), e.errno());
            assertTrue(e.getMessage().contains("verifier"), e.getMessage());
        }
    }

    @Test
    void bigValuesAreCopiedWhole() {
        int size = 6000; // above the unrolled-copy limit: bpf_probe_read_kernel
        try (TestMap m = new TestMap(MapType.ARRAY, 4, size, 1, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            byte[] value = new byte[size];
            for (int i = 0; i < size; i++) {
                value[i] = (byte) (i * 31 + 7);
            }
            v.update(u32(0), value, 0);
            assertArrayEquals(value, m.lookup(u32(0)));
            assertArrayEquals(value, v.lookup(u32(0)).orElseThrow());
        }
    }

    @Test
    void oddKeyAndValueSizes() {
        try (TestMap m = new TestMap(MapType.HASH, 7, 13, 4, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            byte[] key = {1, 2, 3, 4, 5, 6, 7};
            byte[] value = new byte[13];
            Arrays.fill(value, (byte) 0x5a);
            value[12] = 1;
            v.update(key, value, 0);
            assertArrayEquals(value, m.lookup(key));
            assertArrayEquals(value, v.lookup(key).orElseThrow());
        }
    }

    @Test
    void lruReferenceBitIsSetByProgramLookupsOnly() {
        // SEMANTICS 4.2 sanity7: 2-entry common LRU; program lookup of 1, syscall lookup of 2, add 3 -> {1, 3}.
        try (TestMap m = new TestMap(MapType.LRU_HASH, 4, 4, 2, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            v.update(u32(1), u32(1), 0);
            v.update(u32(2), u32(2), 0);
            assertTrue(v.lookup(u32(1)).isPresent());
            m.lookup(u32(2));
            v.update(u32(3), u32(3), 0);
            assertTrue(m.lookup(u32(1)) != null, "referenced key survives");
            assertNull(m.lookup(u32(2)), "unreferenced key evicted");
            assertTrue(m.lookup(u32(3)) != null);
        }
    }

    @Test
    void wrongSizesAndImpossibleCpusAreRefused() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, 0)) {
            assertEquals(Errno.ENXIO.number(), assertThrows(BpfException.class,
                    () -> LinuxProgramView.open(m.map, m.fd, KernelMaps.possibleCpus())).errno());
            assertEquals(Errno.ENXIO.number(), assertThrows(BpfException.class,
                    () -> LinuxProgramView.open(m.map, m.fd, -1)).errno());
            try (ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
                assertThrows(InvalidArgumentException.class, () -> v.lookup(new byte[3]));
                assertThrows(InvalidArgumentException.class, () -> v.update(u32(1), new byte[5], 0));
            }
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, 0)) {
            ProgramView v = LinuxProgramView.open(m.map, m.fd, 0);
            v.update(u32(1), u32(1), 0);
            v.close();
            v.close();
            BpfException e = assertThrows(org.bpfmaps.MapClosedException.class, () -> v.lookup(u32(1)));
            assertEquals(Errno.EBADF.number(), e.errno());
            // The view held its own descriptor of the map: the map's fd is still open and usable.
            assertArrayEquals(u32(1), m.lookup(u32(1)));
        }
    }

    @Test
    void callerAffinityIsRestored() {
        int cpus = KernelMaps.possibleCpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpus >= 2, "needs two possible CPUs");
        org.bpfmaps.linux.sys.NativeBuffer before = new org.bpfmaps.linux.sys.NativeBuffer(128);
        org.bpfmaps.linux.sys.NativeBuffer after = new org.bpfmaps.linux.sys.NativeBuffer(128);
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, 0);
             ProgramView v0 = LinuxProgramView.open(m.map, m.fd, 0, true);
             ProgramView v1 = LinuxProgramView.open(m.map, m.fd, 1, true)) {
            assertEquals(0, LibC.sched_getaffinity(0, 128, before.address()));
            for (int i = 0; i < 20; i++) {
                v0.lookup(u32(1));
                v1.lookup(u32(1));
            }
            assertEquals(0, LibC.sched_getaffinity(0, 128, after.address()));
            byte[] b = new byte[128];
            byte[] a = new byte[128];
            before.buffer().get(0, b);
            after.buffer().get(0, a);
            assertArrayEquals(b, a);
        } finally {
            before.free();
            after.free();
        }
    }
}
