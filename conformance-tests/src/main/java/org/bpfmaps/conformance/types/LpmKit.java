package org.bpfmaps.conformance.types;

import static org.bpfmaps.conformance.Bytes.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.Test;

/** LPM_TRIE examples (SEMANTICS §1.2, §2 matrix row, §2.2 generic batch, §4.4, §5). */
public abstract class LpmKit extends TypeKitSupport {
    private static final int NP = MapFlag.NO_PREALLOC.bit();

    /** An IPv4 key: host-order prefixlen + 4 address bytes. */
    static byte[] v4(int prefixLen, int a, int b, int c, int d) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(prefixLen)
                .put((byte) a).put((byte) b).put((byte) c).put((byte) d).array();
    }

    static String show(byte[] k) {
        int plen = ByteBuffer.wrap(k).order(ByteOrder.nativeOrder()).getInt(0);
        return (k[4] & 255) + "." + (k[5] & 255) + "." + (k[6] & 255) + "." + (k[7] & 255) + "/" + plen;
    }

    private BpfMap ipv4(int maxEntries) {
        return create(MapType.LPM_TRIE, 8, 4, maxEntries, NP);
    }

    @Test
    void createRules() {
        MapType t = MapType.LPM_TRIE;
        assertCreates(t, 5, 4, 1, NP, 0);
        assertCreates(t, 260, 4, 1, NP, 0);
        assertCreates(t, 8, 64 * 1024, 1, NP, 0);
        assertCreateFails(EINVAL, t, 4, 4, 1, NP, 0);
        assertCreateFails(EINVAL, t, 261, 4, 1, NP, 0);
        assertCreateFails(EINVAL, t, 8, 4, 1, 0, 0);
        assertCreateFails(EINVAL, t, 8, 4, 1, NP | MapFlag.ZERO_SEED.bit(), 0);
        assertCreateFails(EINVAL, t, 8, 0, 1, NP, 0);
        assertCreateFails(EINVAL, t, 8, 4 << 20, 1, NP, 0);
        assertCreateFails(EINVAL, t, 8, 4, 0, NP, 0);
        assertCreateFails(EINVAL, t, 8, 4, 1, NP, 1);
    }

    /** The §2 matrix row with key 0/0 (prefixlen 0, zero data) and a zero value. */
    @Test
    void matrixRow() {
        try (BpfMap m = ipv4(4)) {
            byte[] k = v4(0, 0, 0, 0, 0);
            byte[] v = new byte[4];
            byte[] next = new byte[8];
            assertFalse(m.lookup(k, v));
            assertFalse(m.nextKey(null, next));
            m.update(k, v, UpdateFlags.ANY);
            assertTrue(m.lookup(k, v));
            assertErrno(EEXIST, () -> m.update(k, v, UpdateFlags.NOEXIST));
            m.update(k, v, UpdateFlags.EXIST);
            assertErrno(EINVAL, () -> m.update(k, v, UpdateFlags.F_LOCK));
            assertErrno(EINVAL, () -> m.update(k, v, 8));
            assertErrno(EINVAL, () -> m.update(k, v, 0x20));
            assertTrue(m.nextKey(null, next));
            assertArrayEquals(k, next);
            assertFalse(m.nextKey(k, next), "gnkK ENOENT");
            assertErrno(ENOTSUPP, () -> m.lookupAndDelete(k, v));
            assertTrue(m.delete(k));
            assertFalse(m.delete(k));
            byte[] keys = new byte[32];
            byte[] vals = new byte[16];
            BatchResult r = m.lookupBatch(null, new byte[8], keys, vals, 4, 0);
            assertEquals(new BatchResult(0, true), r, "lkB on empty: ENOENT, count 0");
            assertEquals(1, m.updateBatch(k, v, 1, 0));
            assertEquals(1, m.deleteBatch(k, 1, 0));
            assertErrno(ENOTSUPP, () -> m.lookupAndDeleteBatch(null, new byte[8], keys, vals, 4, 0));
            assertErrno(EINVAL, () -> m.updateBatch(k, v, 1, UpdateFlags.NOEXIST));
            m.update(k, v, 0);
            m.freeze();
            assertErrno(EPERM, () -> m.update(k, v, UpdateFlags.ANY));
            assertTrue(m.lookup(k, v));
            assertErrno(EPERM, () -> m.delete(k));
            assertErrno(EINVAL, () -> m.lookup(k, v, UpdateFlags.F_LOCK));
            assertErrno(EINVAL, () -> m.lookup(k, v, 8));
            assertErrno(EPERM, () -> m.lookupAndDelete(k, v, UpdateFlags.F_LOCK));
            byte[] bad = new byte[8];
            java.util.Arrays.fill(bad, (byte) 0xff);
            assertTrue(m.nextKey(bad, next), "gnkBad: first key");
            assertArrayEquals(k, next);
        }
    }

    @Test
    void prefixLengthRules() {
        try (BpfMap m = ipv4(8)) {
            assertErrno(EINVAL, () -> m.update(v4(33, 10, 0, 0, 0), u32(1), 0));
            assertErrno(EINVAL, () -> m.update(v4(8, 10, 0, 0, 0), u32(1), 3));
            m.update(v4(8, 10, 0, 0, 0), u32(8), 0);
            assertErrno(EEXIST, () -> m.update(v4(8, 10, 9, 9, 9), u32(9), UpdateFlags.NOEXIST));
            m.update(v4(8, 10, 9, 9, 9), u32(88), UpdateFlags.EXIST);
            assertArrayEquals(u32(88), m.lookup(v4(32, 10, 1, 2, 3)).orElseThrow(), "bits past prefixlen ignored");
            assertErrno(ENOENT, () -> m.update(v4(16, 10, 1, 0, 0), u32(1), UpdateFlags.EXIST));
            assertEquals(Optional.empty(), m.lookup(v4(33, 10, 1, 1, 1)), "lookup prefixlen > max: ENOENT");
            assertEquals(Optional.empty(), m.lookup(v4(7, 10, 1, 1, 1)), "only nodes with prefixlen <= 7");
            assertArrayEquals(u32(88), m.lookup(v4(8, 10, 1, 1, 1)).orElseThrow());
            assertFalse(m.delete(v4(9, 10, 0, 0, 0)), "delete is exact");
            assertTrue(m.delete(v4(8, 10, 77, 0, 0)), "delete ignores bits past prefixlen");
            assertEquals(Optional.empty(), m.lookup(v4(32, 10, 1, 2, 3)));
        }
    }

    @Test
    void longestPrefixWins() {
        try (BpfMap m = ipv4(16)) {
            m.update(v4(0, 0, 0, 0, 0), u32(0), 0);
            m.update(v4(8, 10, 0, 0, 0), u32(8), 0);
            m.update(v4(16, 10, 1, 0, 0), u32(16), 0);
            m.update(v4(24, 10, 1, 1, 0), u32(24), 0);
            m.update(v4(32, 10, 1, 1, 1), u32(32), 0);
            assertArrayEquals(u32(32), m.lookup(v4(32, 10, 1, 1, 1)).orElseThrow());
            assertArrayEquals(u32(24), m.lookup(v4(32, 10, 1, 1, 2)).orElseThrow());
            assertArrayEquals(u32(24), m.lookup(v4(31, 10, 1, 1, 1)).orElseThrow());
            assertArrayEquals(u32(16), m.lookup(v4(32, 10, 1, 2, 1)).orElseThrow());
            assertArrayEquals(u32(8), m.lookup(v4(32, 10, 2, 2, 1)).orElseThrow());
            assertArrayEquals(u32(8), m.lookup(v4(8, 10, 1, 1, 1)).orElseThrow());
            assertArrayEquals(u32(0), m.lookup(v4(32, 11, 1, 1, 1)).orElseThrow());
            assertArrayEquals(u32(0), m.lookup(v4(0, 10, 1, 1, 1)).orElseThrow());
        }
    }

    @Test
    void fullMapIsEnospc() {
        try (BpfMap m = ipv4(2)) {
            m.update(v4(8, 10, 0, 0, 0), u32(1), 0);
            m.update(v4(16, 10, 1, 0, 0), u32(2), 0);
            assertErrno(ENOSPC, () -> m.update(v4(24, 10, 1, 1, 0), u32(3), 0));
            assertErrno(ENOSPC, () -> m.update(v4(24, 10, 1, 1, 0), u32(3), UpdateFlags.NOEXIST));
            assertErrno(EEXIST, () -> m.update(v4(8, 10, 0, 0, 0), u32(3), UpdateFlags.NOEXIST));
            m.update(v4(8, 10, 0, 0, 0), u32(4), 0);
            m.update(v4(16, 10, 1, 0, 0), u32(5), UpdateFlags.EXIST);
            assertArrayEquals(u32(5), m.lookup(v4(32, 10, 1, 9, 9)).orElseThrow());
            assertTrue(m.delete(v4(16, 10, 1, 0, 0)));
            m.update(v4(24, 10, 1, 1, 0), u32(3), 0);
        }
    }

    /** The §4.4 post-order example. */
    @Test
    void getNextKeyIsPostOrder() {
        try (BpfMap m = ipv4(16)) {
            byte[][] insert = {v4(8, 10, 0, 0, 0), v4(16, 10, 1, 0, 0), v4(24, 10, 1, 1, 0), v4(16, 192, 168, 0, 0),
                v4(0, 0, 0, 0, 0), v4(32, 10, 1, 1, 1), v4(12, 172, 16, 0, 0), v4(24, 10, 2, 0, 0),
                v4(9, 10, 128, 0, 0)};
            for (byte[] k : insert) {
                m.update(k, u32(1), 0);
            }
            List<String> order = new ArrayList<>();
            byte[] cur = null;
            byte[] next = new byte[8];
            while (m.nextKey(cur, next)) {
                order.add(show(next));
                cur = next.clone();
            }
            assertEquals(List.of("10.1.1.1/32", "10.1.1.0/24", "10.1.0.0/16", "10.2.0.0/24", "10.128.0.0/9",
                    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "0.0.0.0/0"), order);
            assertTrue(m.nextKey(v4(24, 99, 0, 0, 0), next), "unknown key restarts");
            assertEquals("10.1.1.1/32", show(next));
            // generic batch: same order, cursor = last key returned
            byte[] keys = new byte[8 * 4];
            byte[] vals = new byte[4 * 4];
            byte[] out = new byte[8];
            BatchResult r = m.lookupBatch(null, out, keys, vals, 4, 0);
            assertEquals(new BatchResult(4, false), r);
            assertEquals("10.2.0.0/24", show(out), "out_batch = last key returned");
            assertEquals("10.2.0.0/24", show(java.util.Arrays.copyOfRange(keys, 24, 32)));
            r = m.lookupBatch(out, out, keys, vals, 4, 0);
            assertEquals(new BatchResult(4, false), r);
            r = m.lookupBatch(out, out, keys, vals, 4, 0);
            assertEquals(new BatchResult(1, true), r);
            assertEquals("0.0.0.0/0", show(java.util.Arrays.copyOfRange(keys, 0, 8)));
        }
    }

    @Test
    void programViewHelpers() {
        try (BpfMap m = ipv4(4);
             ProgramView p = m.programView(0)) {
            p.update(v4(8, 10, 0, 0, 0), u32(8), 0);
            p.update(v4(16, 10, 1, 0, 0), u32(16), UpdateFlags.NOEXIST);
            assertErrno(EEXIST, () -> p.update(v4(16, 10, 1, 0, 0), u32(1), UpdateFlags.NOEXIST));
            assertErrno(ENOENT, () -> p.update(v4(24, 10, 1, 0, 0), u32(1), UpdateFlags.EXIST));
            assertErrno(EINVAL, () -> p.update(v4(33, 10, 1, 0, 0), u32(1), 0));
            assertArrayEquals(u32(16), p.lookup(v4(32, 10, 1, 3, 4)).orElseThrow());
            assertArrayEquals(u32(8), p.lookup(v4(32, 10, 2, 3, 4)).orElseThrow());
            assertEquals(Optional.empty(), p.lookup(v4(32, 11, 2, 3, 4)));
            assertTrue(p.delete(v4(16, 10, 1, 0, 0)));
            assertFalse(p.delete(v4(16, 10, 1, 0, 0)));
            assertArrayEquals(u32(8), m.lookup(v4(32, 10, 1, 3, 4)).orElseThrow());
            p.update(v4(1, 0, 0, 0, 0), u32(1), 0);
            p.update(v4(2, 0, 0, 0, 0), u32(2), 0);
            p.update(v4(3, 0, 0, 0, 0), u32(3), 0);
            assertErrno(ENOSPC, () -> p.update(v4(4, 0, 0, 0, 0), u32(4), 0));
        }
    }
}
