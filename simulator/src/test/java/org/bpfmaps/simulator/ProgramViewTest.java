package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SEMANTICS §3 and §5: per-CPU layout from both sides, and the program view's helper semantics. */
class ProgramViewTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(3).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap create(MapType type, int valueSize, int maxEntries, MapFlag... flags) {
        return kernel.create(MapSpec.builder(type).keySize(4).valueSize(valueSize).maxEntries(maxEntries)
                .flags(flags).build());
    }

    @ParameterizedTest
    @EnumSource(names = {"PERCPU_HASH", "PERCPU_ARRAY"})
    void perCpuSlots(MapType type) {
        BpfMap m = create(type, 4, 4);
        assertEquals(3 * 8, m.valueBufferSize());
        ProgramView cpu1 = m.programView(1);
        assertEquals(1, cpu1.cpu());
        assertSame(m, cpu1.map());
        cpu1.update(u32(0), u32(7), UpdateFlags.ANY);
        byte[] all = m.lookup(u32(0)).orElseThrow();
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, all,
                "a program on CPU 1 writes only slot 1; a new element is zero elsewhere");
        assertArrayEquals(u32(0), m.programView(0).lookup(u32(0)).orElseThrow());
        assertArrayEquals(u32(7), m.programView(1).lookup(u32(0)).orElseThrow());
        byte[] user = new byte[24];
        user[0] = 1;
        user[8] = 2;
        user[16] = 3;
        user[20] = 55; // padding of CPU 2: kept
        m.update(u32(0), user);
        assertArrayEquals(u32(3), m.programView(2).lookup(u32(0)).orElseThrow());
        assertArrayEquals(user, m.lookup(u32(0)).orElseThrow(), "padding round-trips");
        m.programView(2).update(u32(0), u32(9), UpdateFlags.EXIST);
        user[16] = 9;
        // a program writes value_size bytes (copy_map_value); the slot's padding keeps what user space wrote
        assertArrayEquals(user, m.lookup(u32(0)).orElseThrow(), "an existing element changes only this CPU");
    }

    @Test
    void helpersIgnoreFreezeAndDescriptorAccess() {
        BpfMap m = create(MapType.HASH, 4, 2);
        m.freeze();
        BpfMap ro = kernel.openById(m.id(), org.bpfmaps.Access.READ_ONLY);
        ProgramView p = ro.programView(0);
        p.update(u32(1), u32(10), UpdateFlags.NOEXIST);
        assertArrayEquals(u32(10), m.lookup(u32(1)).orElseThrow());
        assertTrue(p.delete(u32(1)));
        assertFalse(p.delete(u32(1)));
        assertTrue(p.lookup(u32(1)).isEmpty());
    }

    @Test
    void hashHelperErrors() {
        BpfMap m = create(MapType.HASH, 4, 2, MapFlag.ZERO_SEED);
        ProgramView p = m.programView(0);
        p.update(u32(1), u32(1), UpdateFlags.ANY);
        p.update(u32(2), u32(2), UpdateFlags.ANY);
        BpfException full = assertErrno(Errno.E2BIG, () -> p.update(u32(3), u32(3), UpdateFlags.ANY));
        assertInstanceOf(MapFullException.class, full);
        assertEquals(BpfCommand.PROGRAM_HELPER, full.command());
        assertErrno(Errno.EEXIST, () -> p.update(u32(1), u32(3), UpdateFlags.NOEXIST));
        assertErrno(Errno.ENOENT, () -> p.update(u32(3), u32(3), UpdateFlags.EXIST));
        assertErrno(Errno.EINVAL, () -> p.update(u32(1), u32(3), 3));
        assertErrno(Errno.EINVAL, () -> p.update(u32(1), u32(3), UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> p.push(u32(1), 0));
        assertErrno(Errno.EINVAL, () -> p.pop(new byte[4]));
        assertErrno(Errno.EINVAL, () -> p.peek(new byte[4]));
        assertErrno(Errno.EINVAL, () -> p.ringbufOutput(new byte[4], 0));
        assertErrno(Errno.EINVAL, () -> p.ringbufReserveSubmit(new byte[4], 0));
        assertErrno(Errno.EINVAL, () -> p.ringbufReserveDiscard(4, 0));
        assertErrno(Errno.EINVAL, () -> p.ringbufQuery(0));
        assertErrno(Errno.EINVAL, () -> p.update(u32(1), new byte[8], 0));
        assertErrno(Errno.ENXIO, () -> m.programView(3)); // as BPF_F_TEST_RUN_ON_CPU answers
        assertErrno(Errno.ENXIO, () -> m.programView(-1));
        // A program update of an existing HASH key moves it to the head of its bucket, as a syscall one does.
        BpfMap order = create(MapType.HASH, 8, 16, MapFlag.ZERO_SEED);
        for (int key : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000}) {
            order.update(u32(key), new byte[8]);
        }
        order.programView(1).update(u32(2), new byte[8], UpdateFlags.ANY);
        order.programView(1).update(u32(8), new byte[8], UpdateFlags.EXIST);
        assertEquals(List.of(4, 1000, 5, 0, 2, 7, 1, 8, 100, 9, 6, 3), Bytes.keys(order));
    }

    @Test
    void arrayHelperErrors() {
        BpfMap m = create(MapType.ARRAY, 4, 2);
        ProgramView p = m.programView(0);
        assertTrue(p.lookup(u32(1)).isPresent());
        assertTrue(p.lookup(u32(2)).isEmpty(), "out of range -> NULL");
        assertErrno(Errno.EEXIST, () -> p.update(u32(0), u32(1), UpdateFlags.NOEXIST));
        assertErrno(Errno.E2BIG, () -> p.update(u32(2), u32(1), UpdateFlags.ANY));
        assertErrno(Errno.EINVAL, () -> p.delete(u32(0)));
        p.update(u32(1), u32(4), UpdateFlags.EXIST);
        assertArrayEquals(u32(4), m.lookup(u32(1)).orElseThrow());
    }

    @Test
    void programAccessFlagsFailAsTheVerifierWould() {
        BpfMap ro = create(MapType.HASH, 4, 2, MapFlag.RDONLY_PROG);
        ro.update(u32(1), u32(1));
        ProgramView p = ro.programView(0);
        assertArrayEquals(u32(1), p.lookup(u32(1)).orElseThrow());
        assertErrno(Errno.EACCES, () -> p.update(u32(1), u32(2), 0));
        assertErrno(Errno.EACCES, () -> p.delete(u32(1)));
        BpfMap wo = create(MapType.ARRAY, 4, 2, MapFlag.WRONLY_PROG);
        ProgramView w = wo.programView(1);
        w.update(u32(1), u32(5), 0);
        assertErrno(Errno.EACCES, () -> w.lookup(u32(1)));
        assertArrayEquals(u32(5), wo.lookup(u32(1)).orElseThrow(), "syscall reads are unaffected");
        ro.update(u32(1), u32(3)); // and so are syscall writes
    }
}
