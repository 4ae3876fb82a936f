package org.bpfmaps.conformance.types;

import static org.bpfmaps.conformance.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.Test;

/** QUEUE and STACK examples (SEMANTICS §1.2, §2 matrix rows, §4.5, §5). */
public abstract class QueueStackKit extends TypeKitSupport {

    private static final MapType[] BOTH = {MapType.QUEUE, MapType.STACK};

    @Test
    void createRules() {
        for (MapType t : BOTH) {
            assertCreates(t, 0, 4, 1, 0, 0);
            assertCreates(t, 0, 4 << 20, 1, 0, 0);
            assertCreateFails(EINVAL, t, 4, 4, 3, 0, 0);
            assertCreateFails(EINVAL, t, 0, 0, 3, 0, 0);
            assertCreateFails(E2BIG, t, 0, (4 << 20) + 1, 1, 0, 0);
            assertCreateFails(EINVAL, t, 0, 4, 0, 0, 0);
            assertCreateFails(EINVAL, t, 0, 4, 3, flags(MapFlag.NO_PREALLOC), 0);
            assertCreateFails(EINVAL, t, 0, 4, 3, flags(MapFlag.ZERO_SEED), 0);
            assertCreateFails(EINVAL, t, 0, 4, 3, flags(MapFlag.MMAPABLE), 0);
            assertCreateFails(EINVAL, t, 0, 4, 3, 0, 1);
            assertCreates(t, 0, 4, 3, flags(MapFlag.RDONLY_PROG), 0);
        }
    }

    /** The §2 matrix row, column by column, on a fresh map with max_entries 4. */
    @Test
    void matrixRow() {
        for (MapType t : BOTH) {
            try (BpfMap m = create(t, 0, 4, 4, 0)) {
                byte[] v = new byte[4];
                byte[] none = new byte[0];
                assertFalse(m.lookup(null, v), "lk0 ENOENT");
                assertErrno(EINVAL, () -> m.nextKey(null, none));
                m.update(null, u32(0), UpdateFlags.ANY);
                assertTrue(m.lookup(null, v));
                assertErrno(EINVAL, () -> m.update(null, u32(0), UpdateFlags.NOEXIST));
                m.update(null, u32(0), UpdateFlags.EXIST);
                assertErrno(EINVAL, () -> m.update(null, u32(0), UpdateFlags.F_LOCK));
                assertErrno(EINVAL, () -> m.update(null, u32(0), 8));
                assertErrno(EINVAL, () -> m.update(null, u32(0), 0x20));
                assertErrno(EINVAL, () -> m.nextKey(null, none));
                assertTrue(m.lookupAndDelete(null, v));
                assertErrno(EINVAL, () -> m.delete((byte[]) null));
                assertErrno(ENOTSUPP, () -> m.lookupBatch(null, none, none, new byte[16], 4, 0));
                assertErrno(ENOTSUPP, () -> m.updateBatch(none, u32(1), 1, 0));
                assertErrno(ENOTSUPP, () -> m.deleteBatch(none, 1, 0));
                assertErrno(ENOTSUPP, () -> m.lookupAndDeleteBatch(null, none, none, new byte[16], 4, 0));
                assertErrno(EINVAL, () -> m.lookupAndDelete(null, v, 1));
                m.freeze();
                assertErrno(EPERM, () -> m.update(null, u32(0), UpdateFlags.ANY));
                assertErrno(EPERM, () -> m.delete((byte[]) null));
                assertErrno(EINVAL, () -> m.lookup(null, v, UpdateFlags.F_LOCK));
                assertErrno(EINVAL, () -> m.lookup(null, v, 8));
                assertErrno(EPERM, () -> m.lookupAndDelete(null, v, UpdateFlags.F_LOCK));
                assertErrno(EPERM, () -> m.lookupAndDelete(null, v));
            }
        }
    }

    private static int[] drain(BpfMap m) {
        int[] out = new int[m.maxEntries() + 1];
        int n = 0;
        byte[] v = new byte[4];
        while (m.lookupAndDelete(null, v)) {
            out[n++] = org.bpfmaps.conformance.Bytes.u32At(v, 0);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The §4.5 example with max_entries 3, through system calls. */
    @Test
    void fullAndExistOverwrite() {
        for (MapType t : BOTH) {
            try (BpfMap m = create(t, 0, 4, 3, 0)) {
                m.update(null, u32(1), 0);
                m.update(null, u32(2), 0);
                m.update(null, u32(3), 0);
                assertErrno(E2BIG, () -> m.update(null, u32(4), 0));
                m.update(null, u32(4), UpdateFlags.EXIST);
                byte[] v = new byte[4];
                assertTrue(m.lookup(null, v));
                assertArrayEquals(u32(t == MapType.QUEUE ? 2 : 4), v, t + " peek");
                assertArrayEquals(t == MapType.QUEUE ? new int[] {2, 3, 4} : new int[] {4, 3, 2}, drain(m));
                assertFalse(m.lookupAndDelete(null, v), "empty pop ENOENT");
                assertFalse(m.lookup(null, v), "empty peek ENOENT");
            }
        }
    }

    /** The same example through the program view's push/pop/peek helpers. */
    @Test
    void programViewHelpers() {
        for (MapType t : BOTH) {
            try (BpfMap m = create(t, 0, 4, 3, 0);
                 ProgramView p = m.programView(0)) {
                byte[] v = new byte[4];
                assertFalse(p.pop(v));
                assertFalse(p.peek(v));
                p.push(u32(1), 0);
                p.push(u32(2), 0);
                p.push(u32(3), 0);
                assertErrno(E2BIG, () -> p.push(u32(4), 0));
                p.push(u32(4), UpdateFlags.EXIST);
                assertErrno(EINVAL, () -> p.push(u32(5), UpdateFlags.NOEXIST));
                assertTrue(p.peek(v));
                assertArrayEquals(u32(t == MapType.QUEUE ? 2 : 4), v);
                assertTrue(p.pop(v));
                assertArrayEquals(u32(t == MapType.QUEUE ? 2 : 4), v);
                assertArrayEquals(t == MapType.QUEUE ? new int[] {3, 4} : new int[] {3, 2}, drain(m));
            }
        }
    }

    /** Program writes ignore FREEZE (§5). */
    @Test
    void frozenMapStillTakesProgramPushes() {
        for (MapType t : BOTH) {
            try (BpfMap m = create(t, 0, 4, 2, 0);
                 ProgramView p = m.programView(0)) {
                m.freeze();
                p.push(u32(7), 0);
                byte[] v = new byte[4];
                assertTrue(m.lookup(null, v));
                assertArrayEquals(u32(7), v);
                assertTrue(p.pop(v));
                assertArrayEquals(u32(7), v);
            }
        }
    }
}
