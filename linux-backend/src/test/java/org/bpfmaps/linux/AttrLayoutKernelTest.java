package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.MapCreateAttr;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.ObjInfoAttr;
import org.bpfmaps.linux.sys.Scratch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code bpf_attr} and {@code bpf_map_info} layouts agree with the running kernel. */
class AttrLayoutKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    @Test
    void kernelBpfMapInfoIsAsLongAsTheLayout() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1))) {
            NativeBuffer info = new NativeBuffer(256);
            try {
                int r = ((LinuxMap) map).withFd(null, fd ->
                        Bpf.objGetInfoByFd(Scratch.get().attr(), fd, info.address(), 256));
                assertEquals(0, r);
                assertEquals(ObjInfoAttr.MAP_INFO_SIZE, Bpf.infoLen(Scratch.get().attr()),
                        "info_len the kernel wrote back");
                // a non-zero byte right after the kernel's struct is refused: the struct ends exactly there
                info.buffer().put(ObjInfoAttr.MAP_INFO_SIZE, (byte) 1);
                int tail = ((LinuxMap) map).withFd(null, fd ->
                        Bpf.objGetInfoByFd(Scratch.get().attr(), fd, info.address(), 256));
                assertEquals(-Errno.E2BIG.number(), tail);
            } finally {
                info.free();
            }
        }
    }

    @Test
    void createFieldsRoundTripThroughInfo() {
        MapSpec spec = MapSpec.builder(MapType.BLOOM_FILTER).valueSize(12).maxEntries(33).name("layout_15chars")
                .mapExtra(7).flags(MapFlag.ZERO_SEED, MapFlag.RDONLY_PROG).build();
        try (BpfMap map = backend.create(spec)) {
            NativeBuffer info = new NativeBuffer(ObjInfoAttr.MAP_INFO_SIZE);
            try {
                int r = ((LinuxMap) map).withFd(null, fd -> Bpf.objGetInfoByFd(Scratch.get().attr(), fd,
                        info.address(), ObjInfoAttr.MAP_INFO_SIZE));
                assertEquals(0, r);
                ByteBuffer b = info.buffer();
                assertEquals(MapType.BLOOM_FILTER.id(), b.getInt(ObjInfoAttr.MAP_INFO_TYPE_OFFSET));
                assertEquals(map.id(), b.getInt(ObjInfoAttr.MAP_INFO_ID_OFFSET));
                assertEquals(0, b.getInt(ObjInfoAttr.MAP_INFO_KEY_SIZE_OFFSET));
                assertEquals(12, b.getInt(ObjInfoAttr.MAP_INFO_VALUE_SIZE_OFFSET));
                assertEquals(33, b.getInt(ObjInfoAttr.MAP_INFO_MAX_ENTRIES_OFFSET));
                assertEquals(spec.flags(), b.getInt(ObjInfoAttr.MAP_INFO_MAP_FLAGS_OFFSET));
                assertEquals(7L, b.getLong(ObjInfoAttr.MAP_INFO_MAP_EXTRA_OFFSET));
                assertTrue(b.getLong(ObjInfoAttr.MAP_INFO_NETNS_DEV_OFFSET) == 0);
                byte[] name = new byte[ObjInfoAttr.MAP_INFO_NAME_LENGTH];
                b.get(ObjInfoAttr.MAP_INFO_NAME_OFFSET, name);
                assertEquals("layout_15chars", new String(name, 0, 14));
                assertEquals(0, name[14]);
            } finally {
                info.free();
            }
            assertEquals("layout_15chars", map.name());
        }
    }

    @Test
    void createAttrBeyondTheSentPrefixIsZeroAndTheNumaFieldIsWhereTheKernelReadsIt() {
        // numa_node is read only with BPF_F_NUMA_NODE: node 5 does not exist here, so the kernel says EINVAL,
        // which proves the offset; without the flag the same field is ignored.
        NativeBuffer attr = Scratch.get().attr();
        int withFlag = Bpf.mapCreate(attr, MapType.HASH.id(), 4, 4, 1, MapFlag.NUMA_NODE.bit(), 0, 5, new byte[0], 0);
        assertEquals(-Errno.EINVAL.number(), withFlag);
        int without = Bpf.mapCreate(attr, MapType.HASH.id(), 4, 4, 1, 0, 0, 5, new byte[0], 0);
        assertTrue(without >= 0, "numa_node ignored without the flag: " + without);
        org.bpfmaps.linux.sys.LibC.close(without);
        assertEquals(72, MapCreateAttr.SIZE);
    }

    @Test
    void nextIdWalksIdsThroughTheIdAttr() {
        try (BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1))) {
            NativeBuffer attr = Scratch.get().attr();
            assertEquals(0, Bpf.mapGetNextId(attr, map.id() - 1));
            int next = Bpf.nextId(attr);
            assertTrue(next <= map.id() && next > 0, "next id after " + (map.id() - 1) + " is " + next);
            assertEquals(-Errno.EINVAL.number(), Bpf.mapGetNextId(attr, Integer.MAX_VALUE));
        }
    }
}
