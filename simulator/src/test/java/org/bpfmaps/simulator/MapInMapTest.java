package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ARRAY_OF_MAPS and HASH_OF_MAPS: create checks, descriptor values, ids, lifetime, batches, program view. */
class MapInMapTest {
    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private BpfMap array(int max, MapFlag... flags) {
        return kernel.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(max).flags(flags)
                .build());
    }

    private MapSpec.Builder outer(MapType type, BpfMap template) {
        return MapSpec.builder(type).keySize(4).valueSize(4).maxEntries(4).innerMap(template);
    }

    private boolean alive(BpfMap m) {
        return Arrays.stream(kernel.mapIds()).anyMatch(id -> id == m.id());
    }

    @Test
    void createChecks() {
        try (BpfMap t = array(2)) {
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, null).build()));
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.HASH_OF_MAPS, t).valueSize(8).build()));
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, t).keySize(8).build()));
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, t).maxEntries(0).build()));
            // fd_array_map_alloc_check: no program access flags on an array of maps; a hash of maps takes them
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, t)
                    .flags(MapFlag.RDONLY_PROG).build()));
            kernel.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.RDONLY_PROG).build()).close();
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, t)
                    .flags(MapFlag.INNER_MAP).build()));
            assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.HASH_OF_MAPS, t)
                    .flags(MapFlag.INNER_MAP).build()));
            // inner_map_fd is read by the map-in-map types only
            kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).innerMap(t).build())
                    .close();
            try (BpfMap aom = kernel.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
                assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.HASH_OF_MAPS, aom).build()));
                assertEquals(MapType.ARRAY_OF_MAPS, aom.info().type());
                assertEquals(4, aom.info().valueSize());
            }
            try (SimulatedKernel other = SimulatedKernel.builder().cpus(2).build();
                 BpfMap foreign = other.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2)
                         .build())) {
                assertErrno(Errno.EINVAL, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, foreign).build()));
            }
        }
        BpfMap closed = array(2);
        closed.close();
        assertThrows(MapClosedException.class, () -> kernel.create(outer(MapType.ARRAY_OF_MAPS, closed).build()));
    }

    @Test
    void updateResolvesDescriptorsAndComparesWithTheTemplate() {
        try (BpfMap t = array(2); BpfMap same = array(2); BpfMap bigger = array(3);
             BpfMap readOnly = array(2, MapFlag.RDONLY);
             BpfMap hash = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).build());
             BpfMap aom = kernel.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            aom.update(u32(0), u32(same.fd()));
            assertArrayEquals(u32(same.id()), aom.lookup(u32(0)).orElseThrow(), "lookup answers the inner id");
            aom.update(u32(1), u32(readOnly.fd()), UpdateFlags.ANY); // BPF_F_RDONLY is not a map flag
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(bigger.fd())));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(hash.fd())));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(aom.fd())));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(1))); // stdout: open, but not a map
            assertErrno(Errno.EBADF, () -> aom.update(u32(1), u32(1000)));
            assertErrno(Errno.EBADF, () -> aom.update(u32(1), u32(-1)));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(same.fd()), UpdateFlags.NOEXIST));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(same.fd()), UpdateFlags.EXIST));
            assertErrno(Errno.E2BIG, () -> aom.update(u32(4), u32(same.fd())));
            assertTrue(aom.delete(u32(1)));
            assertFalse(aom.delete(u32(1)));
            assertErrno(Errno.E2BIG, () -> aom.delete(u32(4)));
            assertTrue(aom.lookup(u32(1)).isEmpty());
            assertTrue(aom.lookup(u32(9)).isEmpty());
            assertErrno(Errno.ENOTSUPP, () -> aom.lookupAndDelete(u32(0), new byte[4]));
            byte[] next = new byte[4];
            assertTrue(aom.nextKey(null, next));
            assertEquals(0, u32(next, 0));
        }
        try (BpfMap t = array(2, MapFlag.INNER_MAP); BpfMap bigger = array(3, MapFlag.INNER_MAP);
             BpfMap plain = array(3);
             BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.ZERO_SEED).build())) {
            hom.update(u32(7), u32(bigger.fd()), UpdateFlags.NOEXIST); // BPF_F_INNER_MAP: max_entries may differ
            assertErrno(Errno.EEXIST, () -> hom.update(u32(7), u32(bigger.fd()), UpdateFlags.NOEXIST));
            assertErrno(Errno.ENOENT, () -> hom.update(u32(8), u32(bigger.fd()), UpdateFlags.EXIST));
            assertErrno(Errno.EINVAL, () -> hom.update(u32(8), u32(plain.fd()))); // flags differ
            // the descriptor is resolved before the flags are looked at
            assertErrno(Errno.EBADF, () -> hom.update(u32(8), u32(999), 8));
            assertErrno(Errno.ENOTSUPP, () -> hom.lookupAndDelete(u32(7), new byte[4]));
            assertArrayEquals(u32(bigger.id()), hom.lookup(u32(7)).orElseThrow());
        }
        // bpf_map_meta_equal compares max_entries only for arrays (array_map_meta_equal): hashes may differ
        try (BpfMap t = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
             BpfMap larger = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(64)
                     .build());
             BpfMap prealloc = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                     .flags(MapFlag.NO_PREALLOC).build());
             BpfMap aom = kernel.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            aom.update(u32(0), u32(larger.fd()));
            assertErrno(Errno.EINVAL, () -> aom.update(u32(1), u32(prealloc.fd())));
        }
    }

    @Test
    void slotsKeepInnerMapsAlive() {
        BpfMap t = array(2);
        BpfMap inner = array(2);
        BpfMap aom = kernel.create(outer(MapType.ARRAY_OF_MAPS, t).build());
        BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).build());
        aom.update(u32(0), u32(inner.fd()));
        aom.update(u32(1), u32(inner.fd()));
        hom.update(u32(5), u32(inner.fd()));
        inner.close();
        assertTrue(alive(inner), "three slots hold it");
        aom.delete(u32(0));
        aom.update(u32(1), u32(t.fd())); // replaced
        assertTrue(alive(inner), "the hash slot still holds it");
        hom.close();
        assertFalse(alive(inner), "destroying the last outer released it");
        t.close();
        assertTrue(alive(t), "the array slot holds the template");
        byte[] keys = new byte[16];
        byte[] values = new byte[16];
        BatchResult r = aom.lookupBatch(null, new byte[4], keys, values, 4, 0);
        assertEquals(new BatchResult(1, true), r, "the empty slot 0 is stepped over");
        assertEquals(1, u32(keys, 0));
        assertEquals(t.id(), u32(values, 0));
        assertErrno(Errno.ENOTSUPP, () -> aom.deleteBatch(u32(1), 1, 0));
        aom.close();
        assertFalse(alive(t));
        assertEquals(0, kernel.mapIds().length);
    }

    @Test
    void hashOfMapsBatchesReleaseWhatTheyDelete() {
        try (BpfMap t = array(2);
             BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.ZERO_SEED).build())) {
            BpfMap a = array(2);
            BpfMap b = array(2);
            byte[] keys = new byte[8];
            System.arraycopy(u32(1), 0, keys, 0, 4);
            System.arraycopy(u32(2), 0, keys, 4, 4);
            byte[] values = new byte[8];
            System.arraycopy(u32(a.fd()), 0, values, 0, 4);
            System.arraycopy(u32(b.fd()), 0, values, 4, 4);
            assertEquals(2, hom.updateBatch(keys, values, 2, 0));
            a.close();
            b.close();
            assertTrue(alive(a) && alive(b));
            byte[] outKeys = new byte[16];
            byte[] outValues = new byte[16];
            BatchResult r = hom.lookupAndDeleteBatch(null, new byte[4], outKeys, outValues, 4, 0);
            assertEquals(2, r.count());
            assertFalse(alive(a) || alive(b));
        }
    }

    /** The keys of {@code m} in iteration order. */
    private static String order(BpfMap m) {
        StringBuilder sb = new StringBuilder();
        byte[] key = null;
        byte[] next = new byte[4];
        while (m.nextKey(key, next)) {
            sb.append(u32(next, 0)).append(' ');
            key = next.clone();
        }
        return sb.toString();
    }

    @Test
    void hashOfMapsUpdatesAnExistingKeyInPlace() {
        // htab_map_update_elem_in_place: replacing the inner map of an existing key keeps the element where it is
        // in its bucket; a HASH links the new element at the head, which shows when both keys share a bucket.
        boolean hashMoved = false;
        try (BpfMap t = array(2); BpfMap x = array(2)) {
            for (int j = 1; j <= 8; j++) {
                try (BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).maxEntries(2)
                        .flags(MapFlag.ZERO_SEED).build());
                     BpfMap hash = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2)
                             .flags(MapFlag.ZERO_SEED).build())) {
                    for (BpfMap m : new BpfMap[] {hom, hash}) {
                        m.update(u32(0), u32(t.fd()));
                        m.update(u32(j), u32(t.fd()));
                    }
                    String before = order(hom);
                    hom.update(u32(0), u32(x.fd()), UpdateFlags.EXIST);
                    assertEquals(before, order(hom), "key " + j);
                    String hashBefore = order(hash);
                    hash.update(u32(0), u32(x.fd()), UpdateFlags.EXIST);
                    hashMoved |= !hashBefore.equals(order(hash));
                }
            }
        }
        assertTrue(hashMoved, "some key shared key 0's bucket, where a HASH update moves the element");
    }

    @Test
    void programViewLooksUpPresenceOnly() {
        try (BpfMap t = array(2); BpfMap inner = array(2);
             BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.WRONLY_PROG).build());
             ProgramView p = hom.programView(1)) {
            hom.update(u32(3), u32(inner.fd()));
            byte[] value = {9, 9, 9, 9};
            assertTrue(p.lookup(u32(3), value), "WRONLY_PROG does not matter: the program only tests for NULL");
            assertArrayEquals(new byte[] {9, 9, 9, 9}, value, "the inner map cannot be copied out");
            assertFalse(p.lookup(u32(4), value));
            assertErrno(Errno.EINVAL, () -> p.update(u32(3), u32(inner.fd()), 0));
            assertErrno(Errno.EINVAL, () -> p.delete(u32(3)));
        }
        try (BpfMap t = array(2);
             BpfMap hom = kernel.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.RDONLY_PROG).build());
             ProgramView p = hom.programView(0)) {
            assertErrno(Errno.EACCES, () -> p.update(u32(3), u32(t.fd()), 0)); // record_func_map comes first
        }
    }

    private static SimulatedKernel persisted(Path dir) {
        return SimulatedKernel.builder().cpus(2).stateDirectory(dir).stateSync(false).build();
    }

    @Test
    void pinnedOutersComeBackWithTheirSlots() throws Exception {
        Path base = Files.createTempDirectory("bpfmaps-mim");
        Path dir = base.resolve("state");
        try {
            int[] ids = new int[5];
            try (SimulatedKernel k = persisted(dir)) {
                assertTrue(k.isSupported(MapType.ARRAY_OF_MAPS));
                BpfMap t = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
                BpfMap a = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
                BpfMap b = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
                BpfMap gone = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
                a.update(u32(1), u32(11));
                b.update(u32(0), u32(22));
                BpfMap aom = k.create(outer(MapType.ARRAY_OF_MAPS, t).build());
                BpfMap hom = k.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.ZERO_SEED).build());
                BpfMap unpinned = k.create(outer(MapType.HASH_OF_MAPS, t).build());
                aom.update(u32(0), u32(gone.fd()));
                aom.update(u32(0), u32(a.fd())); // replaces: gone is released
                aom.update(u32(3), u32(b.fd()));
                assertErrno(Errno.EBADF, () -> aom.update(u32(2), u32(500)));
                byte[] keys = new byte[8];
                System.arraycopy(u32(5), 0, keys, 0, 4);
                System.arraycopy(u32(6), 0, keys, 4, 4);
                byte[] values = new byte[8];
                System.arraycopy(u32(b.fd()), 0, values, 0, 4);
                System.arraycopy(u32(a.fd()), 0, values, 4, 4);
                hom.updateBatch(keys, values, 2, 0);
                unpinned.update(u32(9), u32(gone.fd()));
                BpfMap late = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build());
                hom.update(u32(7), u32(late.fd())); // an inner map with a higher id than its outer
                aom.pin(k.bpffsRoot() + "/aom");
                hom.pin(k.bpffsRoot() + "/hom");
                ids = new int[] {a.id(), b.id(), gone.id(), unpinned.id(), late.id()};
                // no handle or pin holds a or b: only the pinned outers' slots keep them
            }
            for (int round = 0; round < 2; round++) {
                try (SimulatedKernel k = persisted(dir);
                     BpfMap aom = k.openPinned(k.bpffsRoot() + "/aom");
                     BpfMap hom = k.openPinned(k.bpffsRoot() + "/hom")) {
                    assertArrayEquals(u32(ids[0]), aom.lookup(u32(0)).orElseThrow());
                    assertArrayEquals(u32(ids[1]), aom.lookup(u32(3)).orElseThrow());
                    assertTrue(aom.lookup(u32(2)).isEmpty());
                    assertArrayEquals(u32(ids[1]), hom.lookup(u32(5)).orElseThrow());
                    assertArrayEquals(u32(ids[0]), hom.lookup(u32(6)).orElseThrow());
                    assertArrayEquals(u32(ids[4]), hom.lookup(u32(7)).orElseThrow());
                    java.util.Set<Integer> live = new java.util.HashSet<>();
                    for (int id : k.mapIds()) {
                        live.add(id);
                    }
                    assertTrue(live.contains(ids[0]) && live.contains(ids[1]), live.toString());
                    assertFalse(live.contains(ids[2]), "released before the kernel closed");
                    assertFalse(live.contains(ids[3]), "an unpinned outer is gone with its process");
                    try (BpfMap a = k.openById(ids[0])) {
                        assertArrayEquals(u32(11), a.lookup(u32(1)).orElseThrow(), "the inner map kept its data");
                        aom.update(u32(1), u32(a.fd())); // descriptors of this process work as values
                    }
                    assertArrayEquals(u32(ids[0]), aom.lookup(u32(1)).orElseThrow());
                    aom.delete(u32(1));
                    if (round == 0) {
                        k.compactState(); // the next round loads the compacted journal
                    }
                }
            }
        } finally {
            try (var files = Files.walk(base)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
