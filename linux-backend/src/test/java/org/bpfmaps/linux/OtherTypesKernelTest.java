package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.getU32;
import static org.bpfmaps.linux.KernelTests.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Generic operations reach the kernel unchanged on types this module has no special code for. */
class OtherTypesKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    @Test
    void queueTakesNullKeys() {
        try (BpfMap q = backend.create(MapSpec.builder(MapType.QUEUE).valueSize(4).maxEntries(2).build())) {
            q.update(null, u32(1));
            q.update(null, u32(2));
            MapFullException full = assertThrows(MapFullException.class, () -> q.update(null, u32(3)));
            assertEquals(Errno.E2BIG.number(), full.errno());
            q.update(null, u32(3), UpdateFlags.EXIST);
            byte[] v = new byte[4];
            assertTrue(q.lookup(null, v));
            assertEquals(2, getU32(v, 0), "peek after the overwrite drops the oldest");
            assertTrue(q.lookupAndDelete(null, v));
            assertTrue(q.lookupAndDelete(null, v));
            assertEquals(3, getU32(v, 0));
            assertFalse(q.lookupAndDelete(null, v), "empty queue pops ENOENT -> false");
            assertThrows(InvalidArgumentException.class, () -> q.nextKey((byte[]) null, null));
        }
    }

    @Test
    void ringbufElementCommandsAreEnotsupp() {
        try (BpfMap rb = backend.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build())) {
            NotSupportedException e = assertThrows(NotSupportedException.class, () -> rb.lookup((byte[]) null, null));
            assertEquals(Errno.ENOTSUPP.number(), e.errno());
            rb.freeze();
            assertTrue(rb.info().frozen());
        }
    }

    @Test
    void lpmTrieLongestPrefixMatch() {
        MapSpec spec = MapSpec.builder(MapType.LPM_TRIE).keySize(8).valueSize(4).maxEntries(4).flags(1).build();
        try (BpfMap lpm = backend.create(spec)) {
            lpm.update(new byte[] {8, 0, 0, 0, 10, 0, 0, 0}, u32(8));
            lpm.update(new byte[] {16, 0, 0, 0, 10, 1, 0, 0}, u32(16));
            assertArrayEquals(u32(16), lpm.lookup(new byte[] {32, 0, 0, 0, 10, 1, 2, 3}).orElseThrow());
            assertArrayEquals(u32(8), lpm.lookup(new byte[] {32, 0, 0, 0, 10, 9, 2, 3}).orElseThrow());
            assertTrue(lpm.lookup(new byte[] {32, 0, 0, 0, 11, 0, 0, 0}).isEmpty());
        }
    }
}
