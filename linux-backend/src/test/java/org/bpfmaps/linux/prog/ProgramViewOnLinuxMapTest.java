package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.KernelMaps.readU64;
import static org.bpfmaps.linux.prog.KernelMaps.u32;
import static org.bpfmaps.linux.prog.KernelMaps.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import com.sun.jna.Pointer;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.linux.prog.KernelMaps.TestMap;
import org.bpfmaps.linux.sys.LibC;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The program view reached through the backend's own map class ({@code BpfMap.programView(cpu)}), and map
 * types whose helpers only non-sleepable programs may call (LPM trie, bloom filter).
 */
class ProgramViewOnLinuxMapTest {

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    private static MapBackend backend() {
        return BpfMaps.open("linux");
    }

    @Test
    void programViewOfALinuxMap() {
        MapBackend b = backend();
        int last = b.possibleCpus() - 1;
        try (BpfMap m = b.create(MapSpec.builder(MapType.LRU_PERCPU_HASH).keySize(4).valueSize(8).maxEntries(8)
                .build());
             ProgramView v = m.programView(last)) {
            assertEquals(last, v.cpu());
            v.update(u32(3), u64(33), UpdateFlags.ANY);
            byte[] all = m.lookup(u32(3)).orElseThrow();
            assertEquals(8 * b.possibleCpus(), all.length);
            for (int c = 0; c < b.possibleCpus(); c++) {
                assertEquals(c == last ? 33 : 0, readU64(all, 8 * c), "slot " + c);
            }
            assertArrayEquals(u64(33), v.lookup(u32(3)).orElseThrow());
            m.freeze();
            v.update(u32(3), u64(34), UpdateFlags.EXIST);
            assertEquals(34, readU64(m.lookup(u32(3)).orElseThrow(), 8 * last));
        }
    }

    @Test
    void viewOfAClosedMapFailsAsClosed() {
        BpfMap m = backend().create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).build());
        try (ProgramView v = m.programView(0)) {
            v.update(u32(1), u32(1), UpdateFlags.ANY);
            m.close();
            org.bpfmaps.MapClosedException e = assertThrows(org.bpfmaps.MapClosedException.class,
                    () -> v.lookup(u32(1)));
            assertEquals(org.bpfmaps.Errno.EBADF.number(), e.errno());
        } finally {
            m.close();
        }
    }

    @Test
    void lpmTrieFromAProgram() {
        // key: u32 prefixlen + 4 bytes of IPv4 address; NO_PREALLOC required.
        try (BpfMap m = backend().create(MapSpec.builder(MapType.LPM_TRIE).keySize(8).valueSize(4).maxEntries(8)
                .with(MapFlag.NO_PREALLOC).build());
             ProgramView v = m.programView(0)) {
            v.update(lpm(8, 10, 0, 0, 0), u32(8), UpdateFlags.ANY);
            v.update(lpm(16, 10, 1, 0, 0), u32(16), UpdateFlags.ANY);
            assertArrayEquals(u32(16), v.lookup(lpm(32, 10, 1, 2, 3)).orElseThrow());
            assertArrayEquals(u32(8), v.lookup(lpm(32, 10, 2, 2, 3)).orElseThrow());
            assertTrue(v.lookup(lpm(32, 11, 0, 0, 0)).isEmpty());
            assertTrue(v.delete(lpm(16, 10, 1, 0, 0)));
            assertArrayEquals(u32(8), m.lookup(lpm(32, 10, 1, 2, 3)).orElseThrow());
        }
    }

    private static byte[] lpm(int prefix, int a, int b, int c, int d) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(prefix)
                .put((byte) a).put((byte) b).put((byte) c).put((byte) d).array();
    }

    @Test
    void bloomFilterPushAndPeek() {
        try (BpfMap m = backend().create(MapSpec.builder(MapType.BLOOM_FILTER).keySize(0).valueSize(4).maxEntries(100)
                .build());
             ProgramView v = m.programView(0)) {
            byte[] probe = u32(12345);
            assertFalse(v.peek(probe));
            v.push(u32(12345), UpdateFlags.ANY);
            assertTrue(v.peek(probe));
            assertArrayEquals(u32(12345), probe, "peek leaves the probed value alone");
            assertThrows(BpfException.class, () -> v.push(u32(1), UpdateFlags.NOEXIST));
        }
    }

    @Test
    void largeRingbufRecordsAreCopiedWhole() {
        int size = 5000; // above the unrolled-copy limit
        try (TestMap m = new TestMap(MapType.RINGBUF, 0, 0, 16384, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            byte[] data = new byte[size];
            for (int i = 0; i < size; i++) {
                data[i] = (byte) (i * 13 + 1);
            }
            assertTrue(v.ringbufReserveSubmit(data, 0));
            assertTrue(v.ringbufOutput(data, 0));
            long len = 4096 + 2 * 16384;
            long addr = LibC.mmap(0, len, 1, 1, m.fd, 4096);
            assertTrue(addr != -1L, "mmap errno " + LibC.errno());
            try {
                ByteBuffer page = new Pointer(addr).getByteBuffer(0, len).order(ByteOrder.nativeOrder());
                int rec = (size + 8 + 7) & ~7;
                assertEquals(2L * rec, page.getLong(0), "producer_pos");
                for (int r = 0; r < 2; r++) {
                    assertEquals(size, page.getInt(4096 + r * rec), "header len of record " + r);
                    byte[] got = new byte[size];
                    page.get(4096 + r * rec + 8, got);
                    assertArrayEquals(data, got, "record " + r);
                }
            } finally {
                LibC.munmap(addr, len);
            }
        }
    }

    @Test
    void ringbufRecordsAreTheBytesGiven() {
        try (TestMap m = new TestMap(MapType.RINGBUF, 0, 0, 4096, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            assertTrue(v.ringbufOutput(u64(0x1122334455667788L), 0));
            byte[] sixteen = new byte[16];
            for (int i = 0; i < 16; i++) {
                sixteen[i] = (byte) (0xa0 + i);
            }
            assertTrue(v.ringbufReserveSubmit(sixteen, 0));
            assertTrue(v.ringbufReserveDiscard(4, 0));
            // Producer page and data at offset 4096, read-only; data area mapped twice.
            long len = 4096 + 2 * 4096;
            long addr = LibC.mmap(0, len, 1 /* PROT_READ */, 1 /* MAP_SHARED */, m.fd, 4096);
            assertTrue(addr != -1L, "mmap errno " + LibC.errno());
            try {
                ByteBuffer page = new Pointer(addr).getByteBuffer(0, len).order(ByteOrder.nativeOrder());
                assertEquals(8 + 8 + 8 + 16 + 8 + 8, page.getLong(0), "producer_pos");
                ByteBuffer data = page.slice(4096, 4096).order(ByteOrder.nativeOrder());
                assertEquals(8, data.getInt(0), "first header len");
                assertEquals(0x1122334455667788L, data.getLong(8));
                assertEquals(16, data.getInt(16), "second header len");
                byte[] got = new byte[16];
                data.get(24, got);
                assertArrayEquals(sixteen, got);
                assertEquals(4 | (1 << 30), data.getInt(40), "discarded record: DISCARD bit set");
            } finally {
                LibC.munmap(addr, len);
            }
        }
    }
}
