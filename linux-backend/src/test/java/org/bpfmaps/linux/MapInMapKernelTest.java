package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.getU32;
import static org.bpfmaps.linux.KernelTests.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * ARRAY_OF_MAPS and HASH_OF_MAPS on the running kernel: the facts the simulator's map-in-map emulation follows
 * (create checks, descriptor values, in-place replacement, batch over empty slots, lifetime, program helpers).
 */
class MapInMapKernelTest {
    private MapBackend backend;

    @BeforeEach
    void open() {
        backend = KernelTests.backend();
    }

    private static BpfException errno(Errno errno, Executable call) {
        BpfException e = assertThrows(BpfException.class, call);
        assertEquals(errno.number(), e.errno(), e::getMessage);
        return e;
    }

    private BpfMap array(int max, MapFlag... flags) {
        return backend.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(max).flags(flags)
                .build());
    }

    private static MapSpec.Builder outer(MapType type, BpfMap template) {
        return MapSpec.builder(type).keySize(4).valueSize(4).maxEntries(4).innerMap(template);
    }

    private boolean alive(int id) {
        return Arrays.stream(backend.mapIds()).anyMatch(x -> x == id);
    }

    /** The kernel may free a released inner map after an RCU grace period or from a work queue. */
    private boolean goneWithin(int id, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(id)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Test
    void createChecks() {
        try (BpfMap t = array(2)) {
            errno(Errno.EINVAL, () -> backend.create(outer(MapType.ARRAY_OF_MAPS, null).build()));
            errno(Errno.EINVAL, () -> backend.create(outer(MapType.HASH_OF_MAPS, t).valueSize(8).build()));
            errno(Errno.EINVAL, () -> backend.create(outer(MapType.ARRAY_OF_MAPS, t).flags(MapFlag.RDONLY_PROG)
                    .build()));
            errno(Errno.EINVAL, () -> backend.create(outer(MapType.ARRAY_OF_MAPS, t).flags(MapFlag.WRONLY_PROG)
                    .build()));
            backend.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.RDONLY_PROG).build()).close();
            errno(Errno.EINVAL, () -> backend.create(outer(MapType.ARRAY_OF_MAPS, t).flags(MapFlag.INNER_MAP)
                    .build()));
            try (BpfMap aom = backend.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
                errno(Errno.EINVAL, () -> backend.create(outer(MapType.HASH_OF_MAPS, aom).build()));
            }
            // inner_map_fd is read by the map-in-map types only
            backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).innerMap(t).build())
                    .close();
        }
        try (BpfMap prog = backend.create(MapSpec.builder(MapType.PROG_ARRAY).keySize(4).valueSize(4).maxEntries(2)
                .build())) {
            errno(Errno.ENOTSUPP, () -> backend.create(outer(MapType.ARRAY_OF_MAPS, prog).build()));
        }
    }

    @Test
    void updateTakesACompatibleMapDescriptor() {
        try (BpfMap t = array(2); BpfMap same = array(2); BpfMap bigger = array(3);
             BpfMap readOnly = array(2, MapFlag.RDONLY);
             BpfMap aom = backend.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            aom.update(u32(0), u32(same.fd()));
            aom.update(u32(1), u32(readOnly.fd())); // BPF_F_RDONLY belongs to the descriptor, not the map
            assertArrayEquals(u32(readOnly.id()), aom.lookup(u32(1)).orElseThrow());
            errno(Errno.EINVAL, () -> aom.update(u32(1), u32(bigger.fd())));
            errno(Errno.EINVAL, () -> aom.update(u32(1), u32(2))); // stderr: open, not a map
            errno(Errno.EBADF, () -> aom.update(u32(1), u32(1 << 20)));
            errno(Errno.EINVAL, () -> aom.update(u32(1), u32(same.fd()), UpdateFlags.NOEXIST));
            errno(Errno.E2BIG, () -> aom.update(u32(4), u32(same.fd())));
            errno(Errno.E2BIG, () -> aom.delete(u32(4)));
            errno(Errno.ENOTSUPP, () -> aom.lookupAndDelete(u32(0), new byte[4]));
        }
        try (BpfMap t = array(2, MapFlag.INNER_MAP); BpfMap bigger = array(3, MapFlag.INNER_MAP);
             BpfMap hom = backend.create(outer(MapType.HASH_OF_MAPS, t).build())) {
            hom.update(u32(7), u32(bigger.fd()), UpdateFlags.NOEXIST);
            errno(Errno.EEXIST, () -> hom.update(u32(7), u32(bigger.fd()), UpdateFlags.NOEXIST));
            errno(Errno.EBADF, () -> hom.update(u32(8), u32(1 << 20), 8)); // the fd before the flags
            errno(Errno.ENOTSUPP, () -> hom.lookupAndDelete(u32(7), new byte[4]));
        }
        // bpf_map_meta_equal compares max_entries only for arrays (array_map_meta_equal): hashes may differ
        try (BpfMap t = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
             BpfMap larger = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(64)
                     .build());
             BpfMap prealloc = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                     .flags(MapFlag.NO_PREALLOC).build());
             BpfMap aom = backend.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            aom.update(u32(0), u32(larger.fd()));
            errno(Errno.EINVAL, () -> aom.update(u32(1), u32(prealloc.fd())));
        }
    }

    @Test
    void aSlotKeepsItsInnerMapUntilReleased() throws InterruptedException {
        try (BpfMap t = array(2); BpfMap aom = backend.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            BpfMap inner = array(2);
            int id = inner.id();
            aom.update(u32(0), u32(inner.fd()));
            inner.close();
            Thread.sleep(20);
            assertTrue(alive(id), "the slot holds the map after its descriptor closed");
            assertTrue(aom.delete(u32(0)));
            assertTrue(goneWithin(id, 3000), "released by the delete");
        }
    }

    /** The keys of {@code m} in iteration order. */
    private static String order(BpfMap m) {
        StringBuilder sb = new StringBuilder();
        byte[] key = null;
        byte[] next = new byte[4];
        while (m.nextKey(key, next)) {
            sb.append(getU32(next, 0)).append(' ');
            key = next.clone();
        }
        return sb.toString();
    }

    @Test
    void hashOfMapsReplacesAnInnerMapInPlace() {
        boolean hashMoved = false;
        try (BpfMap t = array(2); BpfMap x = array(2)) {
            for (int j = 1; j <= 8; j++) {
                try (BpfMap hom = backend.create(outer(MapType.HASH_OF_MAPS, t).maxEntries(2)
                        .flags(MapFlag.ZERO_SEED).build());
                     BpfMap hash = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2)
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
    void arrayOfMapsLookupBatchStepsOverEmptySlots() {
        try (BpfMap t = array(2); BpfMap aom = backend.create(outer(MapType.ARRAY_OF_MAPS, t).build())) {
            aom.update(u32(1), u32(t.fd()));
            aom.update(u32(3), u32(t.fd()));
            byte[] keys = new byte[16];
            byte[] values = new byte[16];
            byte[] out = new byte[4];
            BatchResult r = aom.lookupBatch(null, out, keys, values, 1, 0);
            assertEquals(new BatchResult(1, false), r);
            assertEquals(1, getU32(keys, 0));
            assertEquals(t.id(), getU32(values, 0));
            r = aom.lookupBatch(out, out, keys, values, 4, 0);
            assertEquals(new BatchResult(1, true), r, "slot 2 is stepped over, then the end");
            assertEquals(3, getU32(keys, 0));
            errno(Errno.ENOTSUPP, () -> aom.deleteBatch(u32(1), 1, 0));
        }
    }

    @Test
    void programsMayOnlyLookUp() {
        try (BpfMap t = array(2);
             BpfMap hom = backend.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.WRONLY_PROG).build());
             ProgramView p = hom.programView(0)) {
            hom.update(u32(3), u32(t.fd()));
            byte[] value = {9, 9, 9, 9};
            assertTrue(p.lookup(u32(3), value), "the returned inner map is only tested for NULL");
            assertArrayEquals(new byte[] {9, 9, 9, 9}, value);
            assertFalse(p.lookup(u32(4), value));
            errno(Errno.EINVAL, () -> p.update(u32(3), u32(t.fd()), 0));
            errno(Errno.EINVAL, () -> p.delete(u32(3)));
        }
        try (BpfMap t = array(2);
             BpfMap hom = backend.create(outer(MapType.HASH_OF_MAPS, t).flags(MapFlag.RDONLY_PROG).build());
             ProgramView p = hom.programView(0)) {
            errno(Errno.EACCES, () -> p.update(u32(3), u32(t.fd()), 0));
        }
    }
}
