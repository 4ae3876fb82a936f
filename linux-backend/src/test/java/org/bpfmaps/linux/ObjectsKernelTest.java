package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.u32;
import static org.bpfmaps.linux.KernelTests.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bpfmaps.Access;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.PermissionDeniedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObjectsKernelTest {
    private static KernelTests.Bpffs bpffs;
    private MapBackend backend;

    @BeforeAll
    static void mount() throws Exception {
        KernelTests.backend();
        bpffs = new KernelTests.Bpffs();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (bpffs != null) {
            bpffs.close();
        }
    }

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    @Test
    void infoReportsTheCreatedAttributesAndFdinfo() {
        MapSpec spec = MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).name("demo_h.1")
                .flags(MapFlag.NO_PREALLOC).build();
        try (BpfMap map = backend.create(spec)) {
            MapInfo info = map.info();
            assertEquals(MapType.HASH, info.type());
            assertEquals(map.id(), info.id());
            assertTrue(info.id() > 0);
            assertEquals(4, info.keySize());
            assertEquals(8, info.valueSize());
            assertEquals(4, info.maxEntries());
            assertEquals(MapFlag.NO_PREALLOC.bit(), info.flags());
            assertEquals("demo_h.1", info.name());
            assertEquals("demo_h.1", map.name());
            assertEquals(0L, info.mapExtra());
            assertTrue(info.memlock() > 0, "memlock from fdinfo: " + info.memlock());
            assertFalse(info.frozen());
        }
    }

    @Test
    void infoReportsTheKernelsAdjustedMaxEntriesAndMapExtra() {
        MapSpec lru = MapSpec.builder(MapType.LRU_HASH).keySize(4).valueSize(4).maxEntries(5)
                .flags(MapFlag.NO_COMMON_LRU).build();
        try (BpfMap map = backend.create(lru)) {
            int cpus = backend.possibleCpus();
            int rounded = (5 + cpus - 1) / cpus * cpus;
            assertEquals(rounded, map.maxEntries());
            assertEquals(rounded, map.info().maxEntries());
        }
        MapSpec bloom = MapSpec.builder(MapType.BLOOM_FILTER).valueSize(4).maxEntries(10).mapExtra(3).build();
        try (BpfMap map = backend.create(bloom)) {
            assertEquals(3L, map.info().mapExtra());
        }
    }

    @Test
    void pinOpenPinnedAndAccessModes() throws Exception {
        Path path = bpffs.path("pinned_hash");
        try (BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4))) {
            map.update(u32(1), u64(11));
            map.pin(path.toString());
            try {
                AlreadyExistsException again = assertThrows(AlreadyExistsException.class,
                        () -> map.pin(path.toString()));
                assertEquals(BpfCommand.BPF_OBJ_PIN, again.command());
                assertThrows(NotFoundException.class, () -> map.pin(bpffs.path("no/such/dir").toString()));

                try (BpfMap rw = backend.openPinned(path.toString())) {
                    assertEquals(map.id(), rw.id());
                    assertEquals(Access.READ_WRITE, rw.access());
                    assertArrayEquals(u64(11), rw.lookup(u32(1)).orElseThrow());
                    rw.update(u32(2), u64(22));
                    assertArrayEquals(u64(22), map.lookup(u32(2)).orElseThrow());
                }
                try (BpfMap ro = backend.openPinned(path.toString(), Access.READ_ONLY)) {
                    assertEquals(Access.READ_ONLY, ro.access());
                    assertArrayEquals(u64(11), ro.lookup(u32(1)).orElseThrow());
                    assertTrue(ro.nextKey(null, new byte[4]));
                    PermissionDeniedException denied = assertThrows(PermissionDeniedException.class,
                            () -> ro.update(u32(3), u64(3)));
                    assertEquals(Errno.EPERM.number(), denied.errno());
                    assertThrows(PermissionDeniedException.class, () -> ro.delete(u32(1)));
                }
                try (BpfMap wo = backend.openPinned(path.toString(), Access.WRITE_ONLY)) {
                    assertEquals(Access.WRITE_ONLY, wo.access());
                    assertThrows(PermissionDeniedException.class, () -> wo.lookup(u32(1)));
                    assertThrows(PermissionDeniedException.class, () -> wo.nextKey(null, new byte[4]));
                    wo.update(u32(3), u64(33));
                    assertTrue(wo.delete(u32(3)));
                }
            } finally {
                Files.deleteIfExists(path);
            }
        }
        NotFoundException gone = assertThrows(NotFoundException.class, () -> backend.openPinned(path.toString()));
        assertEquals(BpfCommand.BPF_OBJ_GET, gone.command());
    }

    @Test
    void pinAndOpenOutsideBpffsFail() throws Exception {
        Path dir = Files.createTempDirectory("bpfmaps-not-bpffs");
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1))) {
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                    () -> map.pin(dir.resolve("m").toString()));
            assertEquals(Errno.EPERM.number(), e.errno());
            Path plain = Files.writeString(dir.resolve("plain"), "x");
            PermissionDeniedException acc = assertThrows(PermissionDeniedException.class,
                    () -> backend.openPinned(plain.toString()));
            assertEquals(Errno.EACCES.number(), acc.errno());
        } finally {
            Files.deleteIfExists(dir.resolve("plain"));
            Files.deleteIfExists(dir.resolve("m"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void openByIdAndMapIds() {
        try (BpfMap a = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 2));
             BpfMap b = backend.create(KernelTests.spec(MapType.HASH, 4, 4, 2))) {
            int[] ids = backend.mapIds();
            assertTrue(Arrays.binarySearch(ids, a.id()) >= 0, "id of a listed");
            assertTrue(Arrays.binarySearch(ids, b.id()) >= 0, "id of b listed");
            for (int i = 1; i < ids.length; i++) {
                assertTrue(ids[i - 1] < ids[i], "ascending");
            }
            a.update(u32(1), u32(77));
            try (BpfMap again = backend.openById(a.id())) {
                assertEquals(MapType.ARRAY, again.type());
                assertArrayEquals(u32(77), again.lookup(u32(1)).orElseThrow());
            }
            try (BpfMap ro = backend.openById(b.id(), Access.READ_ONLY)) {
                assertThrows(PermissionDeniedException.class, () -> ro.update(u32(1), u32(1)));
            }
        }
        NotFoundException unknown = assertThrows(NotFoundException.class, () -> backend.openById(Integer.MAX_VALUE - 1));
        assertEquals(BpfCommand.BPF_MAP_GET_FD_BY_ID, unknown.command());
    }

    @Test
    void mapFlagsRestrictAccess() {
        MapSpec rdonly = MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1)
                .flags(MapFlag.RDONLY).build();
        try (BpfMap map = backend.create(rdonly)) {
            assertEquals(Access.READ_ONLY, map.access());
            assertThrows(PermissionDeniedException.class, () -> map.update(u32(0), u32(1)));
            assertTrue(map.lookup(u32(0)).isPresent());
            assertEquals(MapFlag.RDONLY.bit(), map.flags(), "the flags the map was created with");
            assertEquals(0, map.info().flags(), "the kernel keeps RDONLY on the creating fd, not in map_flags");
            try (BpfMap other = backend.openById(map.id())) {
                assertEquals(Access.READ_WRITE, other.access());
                other.update(u32(0), u32(5));
                assertArrayEquals(u32(5), map.lookup(u32(0)).orElseThrow(), "a second fd may write");
            }
        }
        MapSpec both = MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1)
                .flags(MapFlag.RDONLY, MapFlag.WRONLY).build();
        assertThrows(InvalidArgumentException.class, () -> backend.create(both));
    }

    @Test
    void innerMapTemplateIsPassedByFd() {
        try (BpfMap inner = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1))) {
            MapSpec outerSpec = MapSpec.builder(MapType.ARRAY_OF_MAPS).keySize(4).valueSize(4).maxEntries(2)
                    .innerMap(inner).build();
            try (BpfMap outer = backend.create(outerSpec);
                 BpfMap member = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1))) {
                assertNotEquals(inner.id(), outer.id());
                outer.update(u32(0), u32(((LinuxMap) member).fd()));
                assertArrayEquals(u32(member.id()), outer.lookup(u32(0)).orElseThrow(),
                        "a syscall lookup returns the inner map id");
            }
        }
        assertThrows(InvalidArgumentException.class, () -> backend.create(
                MapSpec.builder(MapType.ARRAY_OF_MAPS).keySize(4).valueSize(4).maxEntries(2).build()));
    }
}
