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
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SEMANTICS §3 and §5: per-CPU layout from both sides, and the program view's helper semantics. */
class ProgramViewTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(3).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap queue(MapFlag... flags) {
        return kernel.create(MapSpec.builder(MapType.QUEUE).valueSize(4).maxEntries(2).flags(flags).build());
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
    void helpersIgnoreFreezeButNeverWidenTheHandlesAccess() {
        BpfMap m = create(MapType.HASH, 4, 2);
        m.freeze();
        ProgramView rw = m.programView(0);
        rw.update(u32(1), u32(10), UpdateFlags.NOEXIST); // frozen: only system-call writes stop
        assertArrayEquals(u32(10), m.lookup(u32(1)).orElseThrow());
        assertTrue(rw.delete(u32(1)));
        assertFalse(rw.delete(u32(1)));
        rw.update(u32(1), u32(11), UpdateFlags.ANY);

        ProgramView ro = kernel.openById(m.id(), org.bpfmaps.Access.READ_ONLY).programView(0);
        assertArrayEquals(u32(11), ro.lookup(u32(1)).orElseThrow());
        for (Executable write : List.<Executable>of(() -> ro.update(u32(1), u32(12), UpdateFlags.ANY),
                () -> ro.delete(u32(1)), () -> ro.update(new byte[1], u32(12), 0), () -> ro.push(u32(1), 0),
                () -> ro.pop(new byte[4]))) {
            BpfException e = assertErrno(Errno.EPERM, write); // before key, value and verifier checks
            assertInstanceOf(PermissionDeniedException.class, e);
            assertEquals(BpfCommand.PROGRAM_HELPER, e.command());
        }
        assertArrayEquals(u32(11), m.lookup(u32(1)).orElseThrow(), "nothing changed");

        ProgramView createdReadOnly = queue(MapFlag.RDONLY).programView(1); // BPF_F_RDONLY: the creating handle
        assertErrno(Errno.EPERM, () -> createdReadOnly.push(u32(1), 0));
        assertErrno(Errno.EPERM, () -> createdReadOnly.pop(new byte[4]));
        assertFalse(createdReadOnly.peek(new byte[4]));

        BpfMap wo = kernel.openById(m.id(), org.bpfmaps.Access.WRITE_ONLY);
        ProgramView w = wo.programView(1);
        assertErrno(Errno.EPERM, () -> w.lookup(u32(1)));
        assertErrno(Errno.EPERM, () -> w.lookup(new byte[1]));
        assertErrno(Errno.EPERM, () -> w.peek(new byte[4]));
        assertErrno(Errno.EPERM, () -> w.pop(new byte[4]));
        w.update(u32(1), u32(13), UpdateFlags.EXIST);
        assertArrayEquals(u32(13), m.lookup(u32(1)).orElseThrow());
        assertTrue(w.delete(u32(1)));
        BpfMap queue = queue(MapFlag.WRONLY);
        ProgramView qw = queue.programView(0);
        qw.push(u32(7), 0);
        assertErrno(Errno.EPERM, () -> qw.peek(new byte[4]));
        assertErrno(Errno.EPERM, () -> qw.pop(new byte[4]));
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

    /**
     * {@code BPF_F_RDONLY_PROG} / {@code BPF_F_WRONLY_PROG} against every element helper on every keyed and
     * keyless type: the answers measured on Linux 6.18 through the linux backend (FuzzFindingsTest). The verifier
     * refuses writes on RDONLY_PROG maps (record_func_map, EACCES) before helpers the type lacks (EINVAL);
     * WRONLY_PROG refuses only reading a looked-up value; keyed helpers on keyless maps are EINVAL first.
     */
    @Test
    void programAccessFlagsAgainstHelpersTheTypeLacks() {
        List<String> expected = List.of(
                "QUEUE RDONLY_PROG: pop EACCES, peek ok, push EACCES, lookup EINVAL, update EINVAL, delete EINVAL",
                "QUEUE WRONLY_PROG: pop ok, peek ok, push ok, lookup EINVAL, update EINVAL, delete EINVAL",
                "STACK RDONLY_PROG: pop EACCES, peek ok, push EACCES, lookup EINVAL, update EINVAL, delete EINVAL",
                "STACK WRONLY_PROG: pop ok, peek ok, push ok, lookup EINVAL, update EINVAL, delete EINVAL",
                "LPM_TRIE RDONLY_PROG: pop EACCES, peek EINVAL, push EACCES, lookup ok, update EACCES, "
                        + "delete EACCES",
                "LPM_TRIE WRONLY_PROG: pop EINVAL, peek EINVAL, push EINVAL, lookup EACCES, update ok, delete ok",
                "BLOOM_FILTER RDONLY_PROG: pop EACCES, peek ok, push EACCES, lookup EINVAL, update EINVAL, "
                        + "delete EINVAL",
                "BLOOM_FILTER WRONLY_PROG: pop EINVAL, peek ok, push ok, lookup EINVAL, update EINVAL, "
                        + "delete EINVAL",
                "HASH RDONLY_PROG: pop EACCES, peek EINVAL, push EACCES, lookup ok, update EACCES, delete EACCES",
                "HASH WRONLY_PROG: pop EINVAL, peek EINVAL, push EINVAL, lookup EACCES, update ok, delete ok",
                "ARRAY RDONLY_PROG: pop EACCES, peek EINVAL, push EACCES, lookup ok, update EACCES, delete EACCES",
                "ARRAY WRONLY_PROG: pop EINVAL, peek EINVAL, push EINVAL, lookup EACCES, update ok, delete EINVAL");
        List<String> actual = new java.util.ArrayList<>();
        for (MapType type : new MapType[] {MapType.QUEUE, MapType.STACK, MapType.LPM_TRIE, MapType.BLOOM_FILTER,
                MapType.HASH, MapType.ARRAY}) {
            for (MapFlag flag : new MapFlag[] {MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG}) {
                MapSpec.Builder b = MapSpec.builder(type).valueSize(8).maxEntries(4);
                byte[] key = null;
                if (type == MapType.LPM_TRIE) {
                    b.keySize(8).flags(flag, MapFlag.NO_PREALLOC);
                    key = new byte[8];
                    key[0] = 32;
                } else {
                    b.keySize(type == MapType.HASH || type == MapType.ARRAY ? 4 : 0).flags(flag);
                    key = type == MapType.HASH || type == MapType.ARRAY ? u32(0) : null;
                }
                ProgramView v = kernel.create(b.build()).programView(0);
                byte[] k = key;
                actual.add(type + " " + flag + ": " + String.join(", ",
                        outcome("pop", () -> v.pop(new byte[8])),
                        outcome("peek", () -> v.peek(new byte[8])),
                        outcome("push", () -> v.push(new byte[8], 0)),
                        outcome("lookup", () -> v.lookup(k, new byte[8])),
                        outcome("update", () -> v.update(k, new byte[8], 0)),
                        outcome("delete", () -> v.delete(k))));
            }
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    /** Ring buffers have value_size 0: the verifier's argument check (EACCES) comes before the type's (Linux 6.18). */
    @ParameterizedTest
    @EnumSource(names = {"RINGBUF", "USER_RINGBUF"})
    void valueHelpersOnAZeroSizedValueAreRefusedByTheArgumentCheck(MapType type) {
        ProgramView v = kernel.create(MapSpec.builder(type).maxEntries(4096).build()).programView(0);
        assertEquals("pop EACCES, peek EACCES, push EACCES, push EINVAL, update EINVAL", String.join(", ",
                outcome("pop", () -> v.pop(new byte[0])), outcome("peek", () -> v.peek(new byte[0])),
                outcome("push", () -> v.push(new byte[0], 0)), outcome("push", () -> v.push(new byte[1], 0)),
                outcome("update", () -> v.update(null, new byte[0], 0))));
    }

    /**
     * A frozen BPF_F_RDONLY_PROG array is read-only to the verifier: a lookup program loaded after the freeze is
     * refused (ENOTSUPP) unless max_entries is 1; a view that loaded it before keeps it (Linux 6.18, measured).
     */
    @Test
    void lookupOnAFrozenReadOnlyProgramArray() {
        List<String> actual = new java.util.ArrayList<>();
        for (MapType type : new MapType[] {MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.HASH}) {
            for (int max : new int[] {1, 8}) {
                BpfMap m = create(type, 8, max, MapFlag.RDONLY_PROG);
                m.update(u32(0), new byte[m.valueBufferSize()]);
                ProgramView before = m.programView(0);
                before.lookup(u32(0));
                m.freeze();
                ProgramView after = m.programView(0);
                actual.add(type + " " + max + ": " + String.join(", ",
                        outcome("before", () -> before.lookup(u32(0))), outcome("after", () -> after.lookup(u32(0))),
                        outcome("again", () -> after.lookup(u32(0)))));
            }
        }
        assertEquals(List.of("ARRAY 1: before ok, after ok, again ok",
                "ARRAY 8: before ok, after ENOTSUPP, again ENOTSUPP",
                "PERCPU_ARRAY 1: before ok, after ok, again ok", "PERCPU_ARRAY 8: before ok, after ok, again ok",
                "HASH 1: before ok, after ok, again ok", "HASH 8: before ok, after ok, again ok"), actual);
    }

    private static String outcome(String label, Executable call) {
        try {
            call.execute();
            return label + " ok";
        } catch (BpfException e) {
            assertEquals(BpfCommand.PROGRAM_HELPER, e.command());
            return label + " " + Errno.of(e.errno()).name();
        } catch (Throwable t) {
            throw new AssertionError(label, t);
        }
    }
}
