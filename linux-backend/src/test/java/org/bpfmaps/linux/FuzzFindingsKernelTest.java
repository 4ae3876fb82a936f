package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.u32;
import static org.bpfmaps.linux.KernelTests.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Linux-backend bugs the reliability fuzz found (conformance-tests FuzzFindingsTest), one test each. */
class FuzzFindingsKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    private static byte[] filled(int n, int b) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    /** BPF_MAP_LOOKUP_ELEM on a bloom filter takes the value as input and copies nothing back. */
    @Test
    void bloomLookupTestsTheCallersValue() {
        // ZERO_SEED and 3 hashes over a filter sized for 16 values: no collision between these two values.
        try (BpfMap m = backend.create(MapSpec.builder(MapType.BLOOM_FILTER).valueSize(8).maxEntries(16)
                .flags(MapFlag.ZERO_SEED).mapExtra(3).build())) {
            m.update(null, filled(8, 0x95), UpdateFlags.ANY);
            byte[] zeros = new byte[8];
            assertFalse(m.lookup(null, zeros), "zeros were never pushed");
            assertArrayEquals(new byte[8], zeros, "the buffer is input only");
            byte[] pushed = filled(8, 0x95);
            assertTrue(m.lookup(null, pushed));
            assertArrayEquals(filled(8, 0x95), pushed);

            ByteBuffer direct = ByteBuffer.allocateDirect(12);
            direct.position(2).limit(10);
            direct.put(2, filled(8, 0x95));
            assertTrue(m.lookup(null, direct.slice()), "the ByteBuffer form reads from the buffer's position");
            ByteBuffer zeroBuffer = ByteBuffer.allocate(8);
            assertFalse(m.lookup(null, zeroBuffer));
            assertArrayEquals(new byte[8], zeroBuffer.array());
        }
    }

    private static void assertEperm(Executable call, String what) {
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class, call, what);
        assertEquals(Errno.EPERM.number(), e.errno(), what);
        assertEquals(BpfCommand.PROGRAM_HELPER, e.command(), what);
    }

    /** Writes through the program view of a READ_ONLY handle are refused, and nothing reaches the map. */
    @Test
    void programViewOfAReadOnlyHandleRefusesWrites() throws Exception {
        try (BpfMap rw = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4))) {
            rw.update(u32(1), u64(11), UpdateFlags.ANY);
            try (BpfMap ro = backend.openById(rw.id(), Access.READ_ONLY); ProgramView v = ro.programView(0)) {
                assertEquals(Access.READ_ONLY, ro.access());
                assertEperm(() -> v.update(u32(1), u64(99), UpdateFlags.ANY), "update");
                assertEperm(() -> v.update(u32(2), u64(99), UpdateFlags.ANY), "insert");
                assertEperm(() -> v.delete(u32(1)), "delete");
                assertEperm(() -> v.update(new byte[2], u64(99), UpdateFlags.ANY), "access before sizes");
                assertEperm(() -> v.push(u64(99), 0), "access before the type's helpers");
                assertArrayEquals(u64(11), v.lookup(u32(1)).orElseThrow(), "reads are allowed");
            }
            assertArrayEquals(u64(11), rw.lookup(u32(1)).orElseThrow(), "no program wrote");
            assertFalse(rw.lookup(u32(2)).isPresent());
            try (KernelTests.Bpffs fs = new KernelTests.Bpffs()) {
                String path = fs.path("hash").toString();
                rw.pin(path);
                try (BpfMap ro = backend.openPinned(path, Access.READ_ONLY); ProgramView v = ro.programView(0)) {
                    assertEperm(() -> v.delete(u32(1)), "delete through a read-only pin");
                }
            }
            assertArrayEquals(u64(11), rw.lookup(u32(1)).orElseThrow());
        }
        try (BpfMap created = backend.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(8).maxEntries(1)
                .flags(MapFlag.RDONLY).build()); ProgramView v = created.programView(0)) {
            assertEquals(Access.READ_ONLY, created.access());
            assertEperm(() -> v.update(u32(0), u64(5), UpdateFlags.ANY), "update through a BPF_F_RDONLY fd");
            assertArrayEquals(u64(0), v.lookup(u32(0)).orElseThrow(), "no program wrote");
        }
        try (BpfMap q = backend.create(MapSpec.builder(MapType.QUEUE).valueSize(8).maxEntries(4).build())) {
            q.update(null, u64(7), UpdateFlags.ANY);
            try (BpfMap ro = backend.openById(q.id(), Access.READ_ONLY); ProgramView v = ro.programView(0)) {
                assertEperm(() -> v.push(u64(8), 0), "push");
                assertEperm(() -> v.pop(new byte[8]), "pop");
                byte[] peeked = new byte[8];
                assertTrue(v.peek(peeked));
                assertArrayEquals(u64(7), peeked);
            }
            byte[] popped = new byte[8];
            assertTrue(q.lookupAndDelete(null, popped));
            assertArrayEquals(u64(7), popped);
            assertFalse(q.lookupAndDelete(null, popped), "nothing was pushed");
        }
    }

    /** Reads through the program view of a WRITE_ONLY handle are refused; writes work. */
    @Test
    void programViewOfAWriteOnlyHandleRefusesReads() {
        try (BpfMap rw = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4));
             BpfMap wo = backend.openById(rw.id(), Access.WRITE_ONLY); ProgramView v = wo.programView(0)) {
            v.update(u32(1), u64(11), UpdateFlags.ANY);
            assertEperm(() -> v.lookup(u32(1)), "lookup");
            assertEperm(() -> v.lookup(u32(1), new byte[8]), "lookup into a buffer");
            assertEperm(() -> v.lookup(u32(1), new byte[3]), "access before sizes");
            assertArrayEquals(u64(11), rw.lookup(u32(1)).orElseThrow(), "the write went through");
            assertTrue(v.delete(u32(1)));
        }
        try (BpfMap q = backend.create(MapSpec.builder(MapType.QUEUE).valueSize(8).maxEntries(4).build());
             BpfMap wo = backend.openById(q.id(), Access.WRITE_ONLY); ProgramView v = wo.programView(0)) {
            v.push(u64(3), 0);
            assertEperm(() -> v.peek(new byte[8]), "peek");
            assertEperm(() -> v.pop(new byte[8]), "pop");
            byte[] popped = new byte[8];
            assertTrue(q.lookupAndDelete(null, popped), "pop refused before any program ran");
            assertArrayEquals(u64(3), popped);
        }
        try (BpfMap created = backend.create(MapSpec.builder(MapType.BLOOM_FILTER).valueSize(8).maxEntries(4)
                .flags(MapFlag.WRONLY).build()); ProgramView v = created.programView(0)) {
            v.push(u64(1), 0);
            assertEperm(() -> v.peek(u64(1)), "bloom peek through a BPF_F_WRONLY fd");
        }
    }

    /** Names are judged by the kernel, after its type checks; over 15 bytes is still EINVAL, with the reason. */
    @Test
    void createNameChecksComeInTheKernelsOrder() {
        NotSupportedException lru = assertThrows(NotSupportedException.class, () -> backend.create(
                MapSpec.builder(MapType.LRU_HASH).keySize(1).valueSize(16).maxEntries(4).flags(MapFlag.NO_PREALLOC)
                        .name("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9").build()));
        assertEquals(Errno.ENOTSUPP.number(), lru.errno(), "LRU + NO_PREALLOC is refused before the name");
        for (String name : new String[] {"sixteen_chars_xx", "twenty_characters_xx"}) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> backend.create(
                    MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).name(name).build()));
            assertTrue(e.getMessage().contains("at most 15"), e.getMessage());
        }
        try (BpfMap m = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                .name("nul\0x").build())) {
            assertEquals("nul", m.info().name(), "the kernel reads the name up to its NUL");
        }
        try (BpfMap m = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                .name("fifteen_chars_x").build())) {
            assertEquals("fifteen_chars_x", m.info().name());
        }
    }

    /** Closed first, whatever the arguments: view calls, programView and pin of a closed map. */
    @Test
    void closedMapIsClosedBeforeArgumentChecks() {
        BpfMap m = backend.create(KernelTests.spec(MapType.HASH, 4, 8, 4));
        ProgramView v = m.programView(0);
        m.close();
        try {
            for (Executable call : new Executable[] {() -> v.lookup(new byte[2]), () -> v.lookup(u32(1), new byte[3]),
                    () -> v.update(null, u64(1), 0), () -> v.delete(new byte[5]), () -> v.push(new byte[1], 0),
                    () -> v.pop(null), () -> v.peek(new byte[1]), () -> v.ringbufOutput(new byte[1 << 20], 0),
                    () -> v.ringbufReserveDiscard(-1, 0), () -> v.lookup(u32(1))}) {
                MapClosedException e = assertThrows(MapClosedException.class, call);
                assertEquals(BpfCommand.PROGRAM_HELPER, e.command());
            }
        } finally {
            v.close();
        }
        MapClosedException view = assertThrows(MapClosedException.class, () -> m.programView(-1));
        assertEquals(BpfCommand.PROGRAM_HELPER, view.command());
        MapClosedException pin = assertThrows(MapClosedException.class, () -> m.pin("/sys/fs/bpf/a\0b"));
        assertEquals(BpfCommand.BPF_OBJ_PIN, pin.command());
    }
}
