package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.bpfmaps.simulator.Bytes.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SEMANTICS §2.2: hash bucket cursors, generic key cursors, update/delete batch stop rules. */
class BatchTest {

    private static final int[] KEYS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000};

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap zeroSeedHash(MapType type) {
        BpfMap m = kernel.create(MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(16)
                .flags(MapFlag.ZERO_SEED).build());
        for (int k : KEYS) {
            byte[] v = new byte[m.valueBufferSize()];
            System.arraycopy(u64(k), 0, v, 0, 8);
            m.update(u32(k), v);
        }
        return m;
    }

    private static List<Integer> keysOf(byte[] keys, int count) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Bytes.u32(keys, i * 4));
        }
        return out;
    }

    @Test
    void kernelExampleWalk() {
        BpfMap m = zeroSeedHash(MapType.HASH);
        byte[] keys = new byte[3 * 4];
        byte[] values = new byte[3 * 8];
        byte[] out = new byte[4];
        BatchResult r = m.lookupBatch(null, out, keys, values, 3, 0);
        assertEquals(new BatchResult(3, false), r);
        assertEquals(List.of(4, 1000, 5), keysOf(keys, 3));
        assertEquals(8, Bytes.u32(out));
        assertEquals(1000, Bytes.u64(java.util.Arrays.copyOfRange(values, 8, 16)), "values follow keys");
        r = m.lookupBatch(out.clone(), out, keys, values, 3, 0);
        assertEquals(List.of(0, 7, 2), keysOf(keys, r.count()));
        assertEquals(11, Bytes.u32(out));
        r = m.lookupBatch(out.clone(), out, keys, values, 3, 0);
        assertEquals(List.of(1, 100, 8), keysOf(keys, r.count()));
        assertEquals(13, Bytes.u32(out));
        r = m.lookupBatch(out.clone(), out, keys, values, 3, 0);
        assertEquals(new BatchResult(3, true), r);
        assertEquals(List.of(9, 6, 3), keysOf(keys, 3));
        assertEquals(16, Bytes.u32(out));
        r = m.lookupBatch(out.clone(), out, keys, values, 3, 0);
        assertEquals(new BatchResult(0, true), r, "in_batch >= n_buckets");
        assertEquals(new BatchResult(0, false), m.lookupBatch(null, out, keys, values, 0, 0), "count 0");
    }

    @Test
    void bucketThatDoesNotFitGivesEnospcWithCountZero() {
        BpfMap m = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(16)
                .flags(MapFlag.ZERO_SEED).build());
        HashTable t = (HashTable) ((SimBpfMap) m).object;
        int a = 0;
        int b = 1;
        while ((t.hash(ByteBuffer.wrap(u32(b))) & 15) != (t.hash(ByteBuffer.wrap(u32(a))) & 15)) {
            b++;
        }
        m.update(u32(a), u64(1));
        m.update(u32(b), u64(2));
        byte[] cursor = u32(0x5a5a5a5a);
        BpfException e = assertErrno(Errno.ENOSPC,
                () -> m.lookupBatch(null, cursor, new byte[4], new byte[8], 1, 0));
        assertEquals(0, e.batchCount());
        int bucket = t.hash(ByteBuffer.wrap(u32(a))) & 15;
        assertEquals(bucket, Bytes.u32(cursor), "out_batch holds the bucket that did not fit, as 6.18 writes it");
        byte[] keys = new byte[8];
        BatchResult r = m.lookupBatch(null, new byte[4], keys, new byte[16], 2, 0);
        assertEquals(new BatchResult(2, true), r);
        assertEquals(List.of(b, a), keysOf(keys, 2), "newest first within a bucket");
    }

    @Test
    void lookupAndDeleteBatchDeletesWhatItReturns() {
        for (MapType type : new MapType[] {MapType.HASH, MapType.PERCPU_HASH}) {
            BpfMap m = zeroSeedHash(type);
            byte[] out = new byte[4];
            byte[] keys = new byte[3 * 4];
            byte[] values = new byte[3 * m.valueBufferSize()];
            BatchResult r = m.lookupAndDeleteBatch(null, out, keys, values, 3, 0);
            assertEquals(3, r.count());
            assertEquals(List.of(0, 7, 2, 1, 100, 8, 9, 6, 3), Bytes.keys(m));
            assertEquals(1000, Bytes.u64(java.util.Arrays.copyOfRange(values, m.valueBufferSize(),
                    m.valueBufferSize() + 8)));
            List<Integer> all = new ArrayList<>(keysOf(keys, 3));
            while (true) {
                r = m.lookupAndDeleteBatch(out.clone(), out, keys, values, 3, 0);
                all.addAll(keysOf(keys, r.count()));
                if (r.done()) {
                    break;
                }
            }
            assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), all);
            assertTrue(Bytes.keys(m).isEmpty());
        }
    }

    @Test
    void flagsAndPermissions() {
        BpfMap m = zeroSeedHash(MapType.HASH);
        byte[] k = new byte[4];
        byte[] v = new byte[8];
        assertErrno(Errno.EINVAL, () -> m.lookupBatch(null, new byte[4], k, v, 1, UpdateFlags.F_LOCK));
        assertErrno(Errno.EINVAL, () -> m.lookupAndDeleteBatch(null, new byte[4], k, v, 1, UpdateFlags.EXIST));
        assertEquals(1, assertErrno(Errno.EINVAL, () -> m.updateBatch(u32(1), v, 1, UpdateFlags.EXIST)).batchCount());
        assertErrno(Errno.EINVAL, () -> m.updateBatch(u32(1), v, 1, UpdateFlags.NOEXIST));
        assertErrno(Errno.EINVAL, () -> m.deleteBatch(u32(1), 1, UpdateFlags.F_LOCK));
        BpfMap ro = kernel.openById(m.id(), org.bpfmaps.Access.READ_ONLY);
        assertEquals(1, assertErrno(Errno.EPERM, () -> ro.updateBatch(u32(1), v, 1, 0)).batchCount());
        assertErrno(Errno.EPERM, () -> ro.lookupAndDeleteBatch(null, new byte[4], k, v, 1, 0));
        assertEquals(1, ro.lookupBatch(null, new byte[4], new byte[8], new byte[16], 2, 0).count() > 0 ? 1 : 0);
        BpfMap wo = kernel.openById(m.id(), org.bpfmaps.Access.WRITE_ONLY);
        assertErrno(Errno.EPERM, () -> wo.lookupBatch(null, new byte[4], k, v, 1, 0));
        assertEquals(1, wo.updateBatch(u32(1), v, 1, 0));
    }

    @Test
    void updateAndDeleteBatchStopAtTheFirstError() {
        BpfMap arr = kernel.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(4).build());
        byte[] keys = new byte[8];
        System.arraycopy(u32(1), 0, keys, 0, 4);
        System.arraycopy(u32(9), 0, keys, 4, 4);
        BpfException e = assertErrno(Errno.E2BIG, () -> arr.updateBatch(keys, new byte[] {5, 0, 0, 0, 6, 0, 0, 0},
                2, 0));
        assertEquals(1, e.batchCount());
        assertArrayEquals(u32(5), arr.lookup(u32(1)).orElseThrow());
        assertEquals(1, assertErrno(Errno.ENOTSUPP, () -> arr.deleteBatch(keys, 1, 0)).batchCount(),
                "the kernel fails before writing count, which reads back as passed in");
        assertErrno(Errno.ENOTSUPP, () -> arr.lookupAndDeleteBatch(null, new byte[4], new byte[4], new byte[4], 1,
                0));

        BpfMap h = zeroSeedHash(MapType.HASH);
        byte[] del = new byte[12];
        System.arraycopy(u32(500), 0, del, 0, 4);
        System.arraycopy(u32(1), 0, del, 4, 4);
        e = assertErrno(Errno.ENOENT, () -> h.deleteBatch(del, 2, 0));
        assertEquals(0, e.batchCount());
        System.arraycopy(u32(1), 0, del, 0, 4);
        System.arraycopy(u32(2), 0, del, 4, 4);
        System.arraycopy(u32(500), 0, del, 8, 4);
        e = assertErrno(Errno.ENOENT, () -> h.deleteBatch(del, 3, 0));
        assertEquals(2, e.batchCount());
        assertFalse(h.lookup(u32(1)).isPresent());
        assertEquals(2, h.updateBatch(del, new byte[16], 2, 0), "re-insert");
        assertEquals(2, h.updateBatch(del, new byte[16], 2, 0), "existing keys are overwritten");
    }

    @Test
    void arrayKeyCursor() {
        BpfMap m = kernel.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(4).build());
        for (int i = 0; i < 4; i++) {
            m.update(u32(i), u32(i * 10));
        }
        byte[] out = new byte[4];
        byte[] keys = new byte[12];
        byte[] values = new byte[12];
        assertEquals(new BatchResult(3, false), m.lookupBatch(null, out, keys, values, 3, 0));
        assertEquals(List.of(0, 1, 2), keysOf(keys, 3));
        assertEquals(20, Bytes.u32(values, 8));
        assertEquals(2, Bytes.u32(out));
        assertEquals(new BatchResult(1, true), m.lookupBatch(out.clone(), out, keys, values, 3, 0));
        assertEquals(3, Bytes.u32(keys, 0));
        assertEquals(3, Bytes.u32(out));
        out = u32(77);
        assertEquals(new BatchResult(0, true), m.lookupBatch(u32(3), out, keys, values, 3, 0));
        assertEquals(77, Bytes.u32(out), "out_batch untouched when nothing was copied");
    }

    @Test
    void percpuArrayBatchUsesThePerCpuStride() {
        BpfMap m = kernel.create(MapSpec.builder(MapType.PERCPU_ARRAY).keySize(4).valueSize(4).maxEntries(2)
                .build());
        byte[] values = new byte[2 * 16];
        values[0] = 1;
        values[8] = 2;
        values[16] = 3;
        values[24] = 4;
        values[4] = 99; // padding, kept
        byte[] keys = new byte[8];
        System.arraycopy(u32(1), 0, keys, 4, 4);
        assertEquals(2, m.updateBatch(keys, values, 2, 0));
        byte[] got = new byte[32];
        assertEquals(new BatchResult(2, false), m.lookupBatch(null, new byte[4], new byte[8], got, 2, 0),
                "the generic walk stops at count before it sees the end");
        assertArrayEquals(values, got);
    }
}
