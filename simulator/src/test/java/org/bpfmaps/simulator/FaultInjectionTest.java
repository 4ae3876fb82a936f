package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.u32;
import static org.bpfmaps.simulator.Bytes.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SimulatedKernel#faults()}: injected errnos, counts, predicates, and that nothing changes. */
class FaultInjectionTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap hash(String name) {
        return kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(8).name(name).build());
    }

    @Test
    void eachErrnoComesOutAsItsExceptionClassWithTheErrno() {
        BpfMap m = hash("m");
        Map<Errno, Class<? extends BpfException>> expected = Map.of(
                Errno.ENOMEM, BpfException.class, Errno.EINTR, BpfException.class, Errno.EAGAIN, BpfException.class,
                Errno.EBUSY, BpfException.class, Errno.EPERM, PermissionDeniedException.class,
                Errno.EACCES, PermissionDeniedException.class, Errno.EINVAL, InvalidArgumentException.class,
                Errno.EEXIST, AlreadyExistsException.class, Errno.E2BIG, MapFullException.class,
                Errno.ENOENT, NotFoundException.class);
        for (Map.Entry<Errno, Class<? extends BpfException>> e : expected.entrySet()) {
            kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, e.getKey(), 1);
            BpfException x = assertThrows(BpfException.class, () -> m.update(u32(1), u64(1)));
            assertSame(e.getValue(), x.getClass(), e.getKey().toString());
            assertEquals(e.getKey(), x.error());
            assertEquals(e.getKey().number(), x.errno());
            assertEquals(BpfCommand.BPF_MAP_UPDATE_ELEM, x.command());
            assertFalse(m.lookup(u32(1)).isPresent(), "nothing changed after " + e.getKey());
        }
        assertEquals(expected.size(), kernel.faults().injected());
    }

    @Test
    void countsDecrementAndTheCallAfterTheLastSucceeds() {
        BpfMap m = hash("m");
        kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 3);
        assertEquals(3, kernel.faults().remaining(BpfCommand.BPF_MAP_UPDATE_ELEM));
        for (int i = 3; i > 0; i--) {
            BpfException x = assertThrows(BpfException.class, () -> m.update(u32(1), u64(1)));
            assertEquals(Errno.ENOMEM, x.error());
            assertEquals(i - 1, kernel.faults().remaining(BpfCommand.BPF_MAP_UPDATE_ELEM));
        }
        m.update(u32(1), u64(7));
        assertArrayEquals(u64(7), m.lookup(u32(1)).orElseThrow());
        assertEquals(3, kernel.faults().injected());
    }

    @Test
    void otherCommandsAreNotAffected() {
        BpfMap m = hash("m");
        kernel.faults().failNext(BpfCommand.BPF_MAP_DELETE_ELEM, Errno.EAGAIN, 1);
        m.update(u32(1), u64(1));
        assertTrue(m.lookup(u32(1)).isPresent());
        assertEquals(Errno.EAGAIN, assertThrows(BpfException.class, () -> m.delete(u32(1))).error());
        assertTrue(m.lookup(u32(1)).isPresent(), "the failed delete deleted nothing");
        assertTrue(m.delete(u32(1)));
    }

    @Test
    void clearResets() {
        BpfMap m = hash("m");
        kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 5)
                .failNext(BpfCommand.BPF_MAP_LOOKUP_ELEM, Errno.EINTR, 5);
        kernel.faults().clear();
        assertEquals(0, kernel.faults().remaining(BpfCommand.BPF_MAP_UPDATE_ELEM));
        m.update(u32(1), u64(1));
        assertTrue(m.lookup(u32(1)).isPresent());
        assertEquals(0, kernel.faults().injected());
    }

    @Test
    void aPredicateRestrictsTheFaultToSomeMaps() {
        BpfMap a = hash("a");
        BpfMap b = hash("b");
        kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.EINTR, 1, map -> map.name().equals("b"));
        a.update(u32(1), u64(1));
        assertEquals(Errno.EINTR, assertThrows(BpfException.class, () -> b.update(u32(1), u64(1))).error());
        b.update(u32(1), u64(1));
        // a predicate never matches calls without a map
        kernel.faults().failNext(BpfCommand.BPF_MAP_CREATE, Errno.ENOMEM, 1, map -> true);
        hash("c").close();
        assertEquals(1, kernel.faults().remaining(BpfCommand.BPF_MAP_CREATE));
    }

    @Test
    void kernelLevelCommands() {
        kernel.faults().failNext(BpfCommand.BPF_MAP_CREATE, Errno.ENOMEM, 1);
        assertEquals(Errno.ENOMEM, assertThrows(BpfException.class, () -> hash("x")).error());
        assertEquals(0, kernel.mapIds().length, "no map was created");
        BpfMap m = hash("m");
        assertEquals(1, m.id(), "no id was used up");

        kernel.faults().failNext(BpfCommand.BPF_OBJ_PIN, Errno.ENOSPC, 1);
        assertEquals(Errno.ENOSPC, assertThrows(BpfException.class, () -> m.pin("/sys/fs/bpf/m")).error());
        assertEquals(List.of(), kernel.pinnedPaths());
        m.pin("/sys/fs/bpf/m");

        kernel.faults().failNext(BpfCommand.BPF_OBJ_GET, Errno.EACCES, 1);
        assertThrows(PermissionDeniedException.class, () -> kernel.openPinned("/sys/fs/bpf/m"));
        kernel.openPinned("/sys/fs/bpf/m").close();

        kernel.faults().failNext(BpfCommand.BPF_MAP_GET_FD_BY_ID, Errno.EPERM, 1);
        assertThrows(PermissionDeniedException.class, () -> kernel.openById(1));

        kernel.faults().failNext(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, Errno.EFAULT, 1);
        assertEquals(Errno.EFAULT, assertThrows(BpfException.class, m::info).error());

        kernel.faults().failNext(BpfCommand.BPF_MAP_FREEZE, Errno.EBUSY, 1);
        assertEquals(Errno.EBUSY, assertThrows(BpfException.class, m::freeze).error());
        assertFalse(m.info().frozen());
    }

    @Test
    void batchesFailWithNothingDone() {
        BpfMap m = hash("m");
        byte[] keys = new byte[8];
        byte[] values = new byte[16];
        System.arraycopy(u32(1), 0, keys, 0, 4);
        System.arraycopy(u32(2), 0, keys, 4, 4);
        kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_BATCH, Errno.ENOMEM, 1);
        BpfException x = assertThrows(BpfException.class, () -> m.updateBatch(keys, values, 2, 0));
        assertEquals(Errno.ENOMEM, x.error());
        assertEquals(0, x.batchCount());
        assertFalse(m.lookup(u32(1)).isPresent());
        assertEquals(2, m.updateBatch(keys, values, 2, 0));

        kernel.faults().failNext(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, Errno.EINTR, 1);
        byte[] out = new byte[m.batchCursorSize()];
        x = assertThrows(BpfException.class, () -> m.lookupAndDeleteBatch(null, out, new byte[8], new byte[16], 2,
                0));
        assertEquals(Errno.EINTR, x.error());
        assertTrue(m.lookup(u32(1)).isPresent() && m.lookup(u32(2)).isPresent(), "nothing deleted");
        BatchResult r = m.lookupBatch(null, out, new byte[8], new byte[16], 2, 0);
        assertEquals(2, r.count());
    }

    @Test
    void programHelpersFail() {
        BpfMap m = hash("m");
        try (ProgramView pv = m.programView(1)) {
            kernel.faults().failNext(BpfCommand.PROGRAM_HELPER, Errno.ENOMEM, 2);
            assertEquals(Errno.ENOMEM, assertThrows(BpfException.class, () -> pv.update(u32(1), u64(1), 0))
                    .error());
            assertEquals(Errno.ENOMEM, assertThrows(BpfException.class, () -> pv.lookup(u32(1))).error());
            assertFalse(m.lookup(u32(1)).isPresent());
            pv.update(u32(1), u64(1), 0);
            assertTrue(pv.lookup(u32(1)).isPresent());
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, -1));
        assertThrows(IllegalArgumentException.class,
                () -> kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.UNKNOWN, 1));
        kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 0);
        assertEquals(0, kernel.faults().remaining(BpfCommand.BPF_MAP_UPDATE_ELEM));
    }
}
