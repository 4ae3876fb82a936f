package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.getU32;
import static org.bpfmaps.linux.KernelTests.u32;
import static org.bpfmaps.linux.KernelTests.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HashMapKernelTest {
    private static final int[] EXAMPLE_KEYS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000};

    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    private BpfMap zeroSeedHash(int maxEntries) {
        return backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(maxEntries)
                .flags(MapFlag.ZERO_SEED).build());
    }

    private static void fillExample(BpfMap map) {
        for (int k : EXAMPLE_KEYS) {
            map.update(u32(k), u64(k * 10L));
        }
    }

    @Test
    void updateLookupDeleteRoundTrip() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4))) {
            assertTrue(map.lookup(u32(1)).isEmpty(), "lookup on empty map");
            map.update(u32(1), u64(0x1122334455667788L));
            assertArrayEquals(u64(0x1122334455667788L), map.lookup(u32(1)).orElseThrow());
            assertTrue(map.delete(u32(1)));
            assertFalse(map.delete(u32(1)), "second delete is ENOENT -> false");
            assertTrue(map.lookup(u32(1)).isEmpty());
        }
    }

    @Test
    void updateFlagsFollowTheKernel() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 2))) {
            NotFoundException missing = assertThrows(NotFoundException.class,
                    () -> map.update(u32(1), u64(1), UpdateFlags.EXIST));
            assertEquals(Errno.ENOENT.number(), missing.errno());
            map.update(u32(1), u64(1), UpdateFlags.NOEXIST);
            AlreadyExistsException exists = assertThrows(AlreadyExistsException.class,
                    () -> map.update(u32(1), u64(2), UpdateFlags.NOEXIST));
            assertEquals(BpfCommand.BPF_MAP_UPDATE_ELEM, exists.command());
            map.update(u32(1), u64(3), UpdateFlags.EXIST);
            assertArrayEquals(u64(3), map.lookup(u32(1)).orElseThrow());
            assertThrows(InvalidArgumentException.class, () -> map.update(u32(1), u64(3), 0x20));
            assertThrows(InvalidArgumentException.class, () -> map.update(u32(1), u64(3), UpdateFlags.F_LOCK));
            assertThrows(InvalidArgumentException.class, () -> map.update(u32(1), u64(3), UpdateFlags.F_CPU));
            assertThrows(InvalidArgumentException.class, () -> map.lookup(u32(1), new byte[8], 8));
            map.update(u32(2), u64(2));
            MapFullException full = assertThrows(MapFullException.class, () -> map.update(u32(3), u64(3)));
            assertEquals(Errno.E2BIG.number(), full.errno());
            assertThrows(MapFullException.class, () -> map.update(u32(3), u64(3), UpdateFlags.NOEXIST));
            map.update(u32(2), u64(22), UpdateFlags.ANY);
        }
    }

    @Test
    void iterationOrderWithZeroSeedMatchesTheDocumentedExample() {
        try (BpfMap map = zeroSeedHash(16)) {
            fillExample(map);
            assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), keys(map));
            map.update(u32(2), u64(2));
            map.update(u32(8), u64(8));
            assertEquals(List.of(4, 1000, 5, 0, 2, 7, 1, 8, 100, 9, 6, 3), keys(map),
                    "HASH update moves the key to the head of its bucket");
        }
    }

    @Test
    void nextKeyOfAMissingKeyRestartsFromTheFirst() {
        try (BpfMap map = zeroSeedHash(16)) {
            fillExample(map);
            byte[] next = new byte[4];
            assertTrue(map.nextKey(u32(123456), next));
            assertEquals(4, getU32(next, 0));
            assertFalse(map.nextKey(u32(3), next), "last key -> ENOENT -> false");
        }
    }

    private static List<Integer> keys(BpfMap map) {
        List<Integer> out = new ArrayList<>();
        byte[] key = null;
        byte[] next = new byte[4];
        while (map.nextKey(key, next)) {
            out.add(getU32(next, 0));
            key = next.clone();
        }
        return out;
    }

    @Test
    void lookupBatchWalksWholeBucketsAsDocumented() {
        try (BpfMap map = zeroSeedHash(16)) {
            fillExample(map);
            assertEquals(4, map.batchCursorSize());
            byte[] keys = new byte[3 * 4];
            byte[] values = new byte[3 * 8];
            byte[] in = null;
            byte[] out = new byte[4];
            int[][] expectedKeys = {{4, 1000, 5}, {0, 7, 2}, {1, 100, 8}, {9, 6, 3}};
            int[] expectedCursor = {8, 11, 13, 16};
            for (int step = 0; step < 4; step++) {
                BatchResult r = map.lookupBatch(in, out, keys, values, 3, 0);
                assertEquals(3, r.count(), "count at step " + step);
                assertEquals(step == 3, r.done(), "ENOENT only at the last step " + step);
                int[] got = new int[3];
                for (int i = 0; i < 3; i++) {
                    got[i] = getU32(keys, i * 4);
                    assertEquals(got[i] * 10L, KernelTests.getU64(values, i * 8), "value of key " + got[i]);
                }
                assertArrayEquals(expectedKeys[step], got, "keys at step " + step);
                assertEquals(expectedCursor[step], getU32(out, 0), "out_batch at step " + step);
                in = out.clone();
            }
        }
    }

    @Test
    void batchTooSmallForABucketIsEnospcWithCountZero() {
        try (BpfMap map = zeroSeedHash(16)) {
            fillExample(map);
            // buckets 11 and 12 hold the three keys 1, 100, 8 (cursors 11 -> 13), so one of them holds two
            byte[] keys = new byte[4];
            byte[] values = new byte[8];
            int enospc = 0;
            for (int cursor = 11; cursor < 13; cursor++) {
                try {
                    map.lookupBatch(u32(cursor), new byte[4], keys, values, 1, 0);
                } catch (BpfException e) {
                    assertEquals(Errno.ENOSPC.number(), e.errno(), e.getMessage());
                    assertEquals(BpfCommand.BPF_MAP_LOOKUP_BATCH, e.command());
                    enospc++;
                }
            }
            assertTrue(enospc >= 1, "a bucket among 11, 12 holds two or more keys");
        }
    }

    @Test
    void updateDeleteAndLookupAndDeleteBatches() {
        try (BpfMap map = zeroSeedHash(16)) {
            byte[] keys = new byte[12 * 4];
            byte[] values = new byte[12 * 8];
            for (int i = 0; i < EXAMPLE_KEYS.length; i++) {
                System.arraycopy(u32(EXAMPLE_KEYS[i]), 0, keys, i * 4, 4);
                System.arraycopy(u64(EXAMPLE_KEYS[i] * 10L), 0, values, i * 8, 8);
            }
            assertEquals(12, map.updateBatch(keys, values, 12, 0));
            assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), keys(map));
            BpfException badFlags = assertThrows(InvalidArgumentException.class,
                    () -> map.updateBatch(keys, values, 1, UpdateFlags.NOEXIST));
            assertEquals(Errno.EINVAL.number(), badFlags.errno());

            byte[] del = new byte[8];
            System.arraycopy(u32(4), 0, del, 0, 4);
            System.arraycopy(u32(500), 0, del, 4, 4);
            NotFoundException partial = assertThrows(NotFoundException.class, () -> map.deleteBatch(del, 2, 0));
            assertEquals(1, partial.batchCount(), "key 4 deleted before the missing 500");

            byte[] outKeys = new byte[16 * 4];
            byte[] outValues = new byte[16 * 8];
            BatchResult all = map.lookupAndDeleteBatch(null, new byte[4], outKeys, outValues, 16, 0);
            assertTrue(all.done());
            assertEquals(11, all.count());
            assertEquals(List.of(), keys(map), "lookup_and_delete_batch emptied the map");
        }
    }

    @Test
    void lookupAndDeleteAndFreeze() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4))) {
            map.update(u32(7), u64(70));
            byte[] value = new byte[8];
            assertTrue(map.lookupAndDelete(u32(7), value));
            assertArrayEquals(u64(70), value);
            assertFalse(map.lookupAndDelete(u32(7), value));
            assertThrows(InvalidArgumentException.class, () -> map.lookupAndDelete(u32(7), value, 1));
            map.update(u32(1), u64(1));
            map.freeze();
            assertTrue(map.info().frozen());
            assertThrows(PermissionDeniedException.class, () -> map.update(u32(1), u64(2)));
            assertThrows(PermissionDeniedException.class, () -> map.delete(u32(1)));
            assertArrayEquals(u64(1), map.lookup(u32(1)).orElseThrow(), "lookups still work after freeze");
            PermissionDeniedException again = assertThrows(PermissionDeniedException.class, map::freeze);
            assertEquals(Errno.EPERM.number(), again.errno(), "second freeze is EPERM on 6.18");
        }
    }

    @Test
    void createErrorsComeFromTheKernel() {
        InvalidArgumentException zeroKey = assertThrows(InvalidArgumentException.class,
                () -> backend.create(KernelTests.spec(MapType.HASH, 0, 8, 4)));
        assertEquals(BpfCommand.BPF_MAP_CREATE, zeroKey.command());
        assertThrows(InvalidArgumentException.class, () -> backend.create(MapSpec.builder(MapType.HASH)
                .keySize(4).valueSize(4).maxEntries(4).name("bad-name").build()));
        assertThrows(InvalidArgumentException.class, () -> backend.create(MapSpec.builder(MapType.HASH)
                .keySize(4).valueSize(4).maxEntries(4).name("sixteen_chars_xx").build()));
        assertThrows(InvalidArgumentException.class, () -> backend.create(MapSpec.builder(MapType.HASH)
                .keySize(4).valueSize(4).maxEntries(4).mapExtra(1).build()));
        BpfException big = assertThrows(BpfException.class,
                () -> backend.create(KernelTests.spec(MapType.HASH, 4, 4, Integer.MIN_VALUE)));
        assertEquals(Errno.E2BIG.number(), big.errno());
    }

    @Test
    void wrongBufferSizesAreRefusedBeforeTheKernel() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4))) {
            assertThrows(InvalidArgumentException.class, () -> map.update(new byte[3], u64(1)));
            assertThrows(InvalidArgumentException.class, () -> map.update(u32(1), new byte[4]));
            assertEquals(Arrays.asList(), keys(map));
        }
    }
}
