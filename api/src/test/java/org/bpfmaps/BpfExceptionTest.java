package org.bpfmaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BpfExceptionTest {

    @Test
    void eachErrnoMapsToItsClass() {
        BpfCommand upd = BpfCommand.BPF_MAP_UPDATE_ELEM;
        assertInstanceOf(NotFoundException.class, BpfException.of(upd, 2, "m"));
        assertInstanceOf(AlreadyExistsException.class, BpfException.of(upd, 17, "m"));
        assertInstanceOf(MapFullException.class, BpfException.of(upd, 7, "m"));
        assertInstanceOf(MapFullException.class, BpfException.of(upd, 28, "m"));
        assertInstanceOf(PermissionDeniedException.class, BpfException.of(upd, 1, "m"));
        assertInstanceOf(PermissionDeniedException.class, BpfException.of(upd, 13, "m"));
        assertInstanceOf(InvalidArgumentException.class, BpfException.of(upd, 22, "m"));
        assertInstanceOf(NotSupportedException.class, BpfException.of(upd, 524, "m"));
        assertInstanceOf(NotSupportedException.class, BpfException.of(upd, 95, "m"));
        assertSame(BpfException.class, BpfException.of(upd, 12, "m").getClass());
        assertInstanceOf(MapFullException.class, BpfException.of(BpfCommand.RINGBUF_USER, 28, "ring"));
    }

    @Test
    void tooBigIsNotMapFullOutsideElementWrites() {
        BpfException e = BpfException.of(BpfCommand.BPF_MAP_CREATE, 7, null);
        assertSame(BpfException.class, e.getClass());
        assertEquals(Errno.E2BIG, e.error());
    }

    @Test
    void messageNamesCommandErrnoAndMap() {
        BpfException e = BpfException.of(BpfCommand.BPF_MAP_UPDATE_ELEM, 17, "map 7 'flows' (hash)");
        assertEquals("BPF_MAP_UPDATE_ELEM failed: EEXIST (File exists) on map 7 'flows' (hash)", e.getMessage());
        assertEquals(17, e.errno());
        assertEquals(BpfCommand.BPF_MAP_UPDATE_ELEM, e.command());
        assertEquals(-1, e.batchCount());
    }

    @Test
    void unknownErrnoKeepsItsNumber() {
        BpfException e = BpfException.of(BpfCommand.BPF_MAP_LOOKUP_ELEM, 200, null);
        assertEquals(200, e.errno());
        assertEquals(Errno.UNKNOWN, e.error());
        assertEquals("BPF_MAP_LOOKUP_ELEM failed: errno 200", e.getMessage());
    }

    @Test
    void batchCountIsCarried() {
        assertEquals(3, BpfException.of(BpfCommand.BPF_MAP_DELETE_BATCH, 2, "m", null, 3).batchCount());
    }

    @Test
    void errnoLookupIsTotal() {
        assertEquals(Errno.ENOTSUPP, Errno.of(524));
        assertEquals(Errno.UNKNOWN, Errno.of(0));
        assertEquals(Errno.UNKNOWN, Errno.of(-5));
        assertEquals(Errno.UNKNOWN, Errno.of(100000));
    }

    @Test
    void mapTypesHaveKernelIdsAndBpftoolNames() {
        assertEquals(34, MapType.values().length);
        for (MapType t : MapType.values()) {
            assertSame(t, MapType.ofId(t.id()));
            assertSame(t, MapType.ofBpftoolName(t.bpftoolName()));
        }
        assertEquals(27, MapType.RINGBUF.id());
        assertEquals("lru_percpu_hash", MapType.LRU_PERCPU_HASH.bpftoolName());
        assertEquals(null, MapType.ofId(34));
    }

    @Test
    void specRefusesNamesThatCannotFitTheKernelField() {
        MapSpec ok = MapSpec.builder(MapType.HASH).name("abcdefghijklmno").build();
        assertSame(ok, ok.check());
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> MapSpec.builder(MapType.HASH).name("abcdefghijklmnop").build().check());
        assertEquals(22, e.errno());
    }

    @Test
    void updateFlagsDescribeThemselves() {
        assertEquals("ANY", UpdateFlags.describe(0));
        assertEquals("NOEXIST|F_LOCK", UpdateFlags.describe(5));
        assertEquals("EXIST|0x20", UpdateFlags.describe(0x22));
    }
}
