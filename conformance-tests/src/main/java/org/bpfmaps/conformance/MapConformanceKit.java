package org.bpfmaps.conformance;

import static org.bpfmaps.conformance.Bytes.concat;
import static org.bpfmaps.conformance.Bytes.filled;
import static org.bpfmaps.conformance.Bytes.hex;
import static org.bpfmaps.conformance.Bytes.u32;
import static org.bpfmaps.conformance.Bytes.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The example-based conformance kit for HASH, ARRAY, PERCPU_HASH and PERCPU_ARRAY: one test per errno or
 * semantic rule of SEMANTICS.md (§1.2 create rules, §2 matrix, §2.2 batch, §3 per-CPU layout, §4.1 hash, §4.3
 * arrays, §5 program view).
 *
 * <p>A backend runs it by subclassing and implementing {@link #newBackend()}; a fresh backend is opened before
 * each test and closed after it. Every expected value is written here from the document (or, where the document
 * was found wrong, from the running 6.18 kernel, said so in the test), never computed by a backend.
 */
public abstract class MapConformanceKit {
    /** Errno numbers used in expectations. */
    protected static final int EPERM = 1;
    protected static final int ENOENT = 2;
    protected static final int E2BIG = 7;
    protected static final int EBADF = 9;
    protected static final int EEXIST = 17;
    protected static final int EINVAL = 22;
    protected static final int ENOSPC = 28;
    protected static final int ENOTSUPP = 524;

    /** The documented zero-seed iteration order for keys 0..9, 100, 1000 in a 16-entry map (§4.1). */
    protected static final int[] ZERO_SEED_KEYS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000};
    protected static final int[] ZERO_SEED_ORDER = {4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3};
    /** The same map after updating keys 2 and 8 (HASH moves them to the head of their bucket). */
    protected static final int[] ZERO_SEED_ORDER_AFTER_UPDATE = {4, 1000, 5, 0, 2, 7, 1, 8, 100, 9, 6, 3};

    /** The backend of the current test. */
    protected MapBackend backend;

    /** Opens a fresh backend: a new simulated kernel, or a handle on the real one. */
    protected abstract MapBackend newBackend();

    @BeforeEach
    void openBackend() {
        backend = newBackend();
    }

    @AfterEach
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** Number of possible CPUs of the backend (per-CPU value slots). */
    protected int cpus() {
        return backend.possibleCpus();
    }

    /** Creates a map of {@code type} with the given sizes and flags. */
    protected BpfMap create(MapType type, int keySize, int valueSize, int maxEntries, MapFlag... flags) {
        return backend.create(MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries)
                .flags(flags).build());
    }

    /** A per-CPU value buffer: CPU i gets {@code slot(i)} ({@code valueSize} bytes) at {@code i*round_up(vs,8)}. */
    protected byte[] perCpu(int valueSize, java.util.function.IntFunction<byte[]> slot) {
        int stride = Bytes.roundUp8(valueSize);
        byte[] out = new byte[stride * cpus()];
        for (int cpu = 0; cpu < cpus(); cpu++) {
            byte[] s = slot.apply(cpu);
            System.arraycopy(s, 0, out, cpu * stride, valueSize);
        }
        return out;
    }

    /** Asserts that {@code action} throws exactly {@code type} with {@code errno}; returns the exception. */
    protected static <T extends BpfException> T assertFails(Class<T> type, int errno, Executable action) {
        BpfException e = assertThrows(BpfException.class, action);
        assertSame(type, e.getClass(), () -> "expected " + type.getSimpleName() + " (errno " + errno + ") but got "
                + e.getClass().getSimpleName() + ": " + e.getMessage());
        assertEquals(errno, e.errno(), () -> "errno of " + e.getMessage());
        return type.cast(e);
    }

    /** {@code data} at {@code offset} in a larger buffer of guard bytes, position/limit around it. */
    protected static ByteBuffer placed(boolean direct, int offset, byte[] data) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(offset + data.length + 4)
                : ByteBuffer.allocate(offset + data.length + 4);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x33);
        }
        b.put(offset, data);
        return b.position(offset).limit(offset + data.length);
    }

    /** Asserts position and limit unchanged and the guard bytes outside them intact. */
    protected static void assertPlaced(ByteBuffer b, int offset, int length) {
        assertEquals(offset, b.position(), "position unchanged");
        assertEquals(offset + length, b.limit(), "limit unchanged");
        ByteBuffer all = b.duplicate().clear();
        for (int i = 0; i < all.capacity(); i++) {
            if (i < offset || i >= offset + length) {
                assertEquals((byte) 0x33, all.get(i), "byte " + i + " outside position..limit untouched");
            }
        }
    }

    /** All keys in get_next_key order starting from null, as u32s (4-byte keys). */
    protected static List<Integer> walkU32(BpfMap map) {
        List<Integer> keys = new ArrayList<>();
        byte[] cur = null;
        byte[] next = new byte[4];
        while (map.nextKey(cur, next)) {
            keys.add(Bytes.u32At(next, 0));
            cur = next.clone();
            if (keys.size() > 10_000) {
                throw new AssertionError("iteration does not end");
            }
        }
        return keys;
    }

    private static List<Integer> list(int... v) {
        List<Integer> l = new ArrayList<>();
        for (int x : v) {
            l.add(x);
        }
        return l;
    }

    private static List<Integer> u32s(byte[] buf, int count) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            l.add(Bytes.u32At(buf, 4 * i));
        }
        return l;
    }

    // ---- rules every one of the four types shares --------------------------------------------------------

    /** Rules of the §2 matrix that HASH, ARRAY, PERCPU_HASH and PERCPU_ARRAY share. */
    abstract class CommonElementRules {
        /** The type under test. */
        abstract MapType type();

        /** Key size the type's maps use here. */
        int keySize() {
            return 4;
        }

        /** Value size (per CPU) used here; 4 keeps padding visible on per-CPU types. */
        int valueSize() {
            return 4;
        }

        BpfMap newMap(MapFlag... flags) {
            return create(type(), keySize(), valueSize(), 4, flags);
        }

        /** A value buffer for this type whose every byte is {@code fill} (padding zero on per-CPU types). */
        byte[] value(int fill) {
            if (type().isPerCpu()) {
                return perCpu(valueSize(), cpu -> filled(valueSize(), fill + cpu));
            }
            return filled(valueSize(), fill);
        }

        @Test
        @DisplayName("update with NOEXIST on an existing key fails with EEXIST; EXIST and ANY succeed")
        void noexistOnExistingIsEexist() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                assertFails(AlreadyExistsException.class, EEXIST, () -> m.update(u32(1), value(2), UpdateFlags.NOEXIST));
                m.update(u32(1), value(3), UpdateFlags.EXIST);
                m.update(u32(1), value(4), UpdateFlags.ANY);
                assertArrayEquals(value(4), m.lookup(u32(1)).orElseThrow());
            }
        }

        @Test
        @DisplayName("update with BPF_F_LOCK on a value without a spin lock fails with EINVAL")
        void updateFlock() {
            try (BpfMap m = newMap()) {
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(u32(1), value(1), UpdateFlags.F_LOCK));
            }
        }

        @Test
        @DisplayName("update flags 8 (BPF_F_CPU), 16 (BPF_F_ALL_CPUS) and 0x20 fail with EINVAL on 6.18")
        void updateUnknownFlags() {
            try (BpfMap m = newMap()) {
                for (long flags : new long[] {8, 16, 0x20}) {
                    assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(u32(1), value(1), flags));
                }
            }
        }

        @Test
        @DisplayName("lookup flags BPF_F_LOCK (no spin lock) and 8 fail with EINVAL")
        void lookupFlags() {
            try (BpfMap m = newMap()) {
                m.update(u32(0), value(1), UpdateFlags.ANY);
                byte[] out = new byte[m.valueBufferSize()];
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookup(u32(0), out, UpdateFlags.F_LOCK));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookup(u32(0), out, 8));
            }
        }

        @Test
        @DisplayName("after freeze, update and delete fail with EPERM while lookups and lookup batches still work")
        void freezeStopsSyscallWrites() {
            try (BpfMap m = newMap()) {
                m.update(u32(0), value(7), UpdateFlags.ANY);
                m.freeze();
                assertFails(PermissionDeniedException.class, EPERM, () -> m.update(u32(0), value(8), UpdateFlags.ANY));
                assertFails(PermissionDeniedException.class, EPERM, () -> m.delete(u32(0)));
                assertArrayEquals(value(7), m.lookup(u32(0)).orElseThrow());
                byte[] next = new byte[keySize()];
                assertTrue(m.nextKey(null, next));
                byte[] keys = new byte[4 * keySize()];
                byte[] values = new byte[4 * m.valueBufferSize()];
                BatchResult r = m.lookupBatch(null, new byte[m.batchCursorSize()], keys, values, 4, 0);
                assertTrue(r.count() >= 1, "lookup batch on a frozen map returns elements");
                assertFails(PermissionDeniedException.class, EPERM,
                        () -> m.updateBatch(u32(0), value(9), 1, 0));
                assertTrue(m.info().frozen(), "info reports the map frozen");
            }
        }

        @Test
        @DisplayName("a second freeze fails with EPERM (not EBUSY) on 6.18")
        void secondFreeze() {
            try (BpfMap m = newMap()) {
                m.freeze();
                assertFails(PermissionDeniedException.class, EPERM, m::freeze);
            }
        }

        @Test
        @DisplayName("lookup_and_delete with BPF_F_LOCK on a frozen map fails with EPERM: permission is checked first")
        void lookupAndDeleteOnFrozenIsEperm() {
            try (BpfMap m = newMap()) {
                m.freeze();
                assertFails(PermissionDeniedException.class, EPERM,
                        () -> m.lookupAndDelete(u32(0), new byte[m.valueBufferSize()], UpdateFlags.F_LOCK));
            }
        }

        @Test
        @DisplayName("a map created BPF_F_RDONLY refuses syscall writes with EPERM but can be read")
        void rdonlyMap() {
            try (BpfMap m = newMap(MapFlag.RDONLY)) {
                assertFails(PermissionDeniedException.class, EPERM, () -> m.update(u32(0), value(1), UpdateFlags.ANY));
                assertFails(PermissionDeniedException.class, EPERM, () -> m.delete(u32(0)));
                m.lookup(u32(0));
                m.nextKey(null, new byte[keySize()]);
            }
        }

        @Test
        @DisplayName("a map created BPF_F_WRONLY refuses lookup and get_next_key with EPERM but can be written")
        void wronlyMap() {
            try (BpfMap m = newMap(MapFlag.WRONLY)) {
                m.update(u32(0), value(1), UpdateFlags.ANY);
                assertFails(PermissionDeniedException.class, EPERM, () -> m.lookup(u32(0)));
                assertFails(PermissionDeniedException.class, EPERM, () -> m.nextKey(null, new byte[keySize()]));
            }
        }

        @Test
        @DisplayName("BPF_F_RDONLY together with BPF_F_WRONLY is refused at create with EINVAL")
        void rdonlyAndWronly() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.RDONLY, MapFlag.WRONLY).close());
        }

        @Test
        @DisplayName("keys, values and next-key buffers of the wrong size fail with EINVAL before the kernel")
        void wrongBufferSizes() {
            try (BpfMap m = newMap()) {
                int vb = m.valueBufferSize();
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(new byte[keySize() - 1], value(1), 0));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(new byte[keySize() + 1], value(1), 0));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(u32(0), new byte[vb + 1], 0));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(u32(0), new byte[vb - 1], 0));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookup(u32(0), new byte[vb + 8]));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookup(new byte[keySize() + 4]));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.delete(new byte[keySize() - 1]));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.nextKey(null, new byte[keySize() + 1]));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.update(null, value(1), 0));
            }
        }

        @Test
        @DisplayName("ByteBuffer forms use the bytes between position and limit, leave both unchanged and write "
                + "nothing outside them (heap and direct buffers); a read-only output buffer is EINVAL")
        void byteBufferForms() {
            for (boolean direct : new boolean[] {false, true}) {
                try (BpfMap m = newMap()) {
                    int vb = m.valueBufferSize();
                    ByteBuffer k = placed(direct, 3, u32(1));
                    ByteBuffer v = placed(direct, 5, value(9));
                    m.update(k, v, UpdateFlags.ANY);
                    assertPlaced(k, 3, 4);
                    assertPlaced(v, 5, vb);
                    ByteBuffer out = placed(direct, 7, new byte[vb]);
                    assertTrue(m.lookup(k, out));
                    assertPlaced(out, 7, vb);
                    byte[] got = new byte[vb];
                    out.get(7, got);
                    assertArrayEquals(value(9), got);
                    ByteBuffer next = placed(direct, 2, new byte[4]);
                    assertTrue(m.nextKey(null, next));
                    assertPlaced(next, 2, 4);
                    assertFails(InvalidArgumentException.class, EINVAL,
                            () -> m.lookup(k, ByteBuffer.allocate(vb).asReadOnlyBuffer()));
                }
            }
        }

        @Test
        @DisplayName("every call on a closed map fails with MapClosedException (EBADF); close is idempotent")
        void closedMap() {
            BpfMap m = newMap();
            m.update(u32(0), value(1), UpdateFlags.ANY);
            m.close();
            m.close();
            assertTrue(m.isClosed());
            byte[] vb = new byte[m.valueBufferSize()];
            assertFails(MapClosedException.class, EBADF, () -> m.lookup(u32(0)));
            assertFails(MapClosedException.class, EBADF, () -> m.lookup(u32(0), vb));
            assertFails(MapClosedException.class, EBADF, () -> m.update(u32(0), value(1), 0));
            assertFails(MapClosedException.class, EBADF, () -> m.delete(u32(0)));
            assertFails(MapClosedException.class, EBADF, () -> m.nextKey(null, new byte[keySize()]));
            assertFails(MapClosedException.class, EBADF, () -> m.lookupAndDelete(u32(0), vb));
            assertFails(MapClosedException.class, EBADF, m::freeze);
            assertFails(MapClosedException.class, EBADF,
                    () -> m.lookupBatch(null, new byte[m.batchCursorSize()], new byte[keySize()], vb, 1, 0));
            assertFails(MapClosedException.class, EBADF, () -> m.updateBatch(u32(0), value(1), 1, 0));
        }

        @Test
        @DisplayName("lookup batch with elem_flags BPF_F_LOCK (no spin lock) fails with EINVAL")
        void lookupBatchFlock() {
            try (BpfMap m = newMap()) {
                m.update(u32(0), value(1), UpdateFlags.ANY);
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookupBatch(null,
                        new byte[m.batchCursorSize()], new byte[4 * keySize()], new byte[4 * m.valueBufferSize()], 4,
                        UpdateFlags.F_LOCK));
            }
        }

        @Test
        @DisplayName("update batch with elem_flags NOEXIST or EXIST fails with EINVAL")
        void updateBatchFlags() {
            try (BpfMap m = newMap()) {
                assertFails(InvalidArgumentException.class, EINVAL,
                        () -> m.updateBatch(u32(0), value(1), 1, UpdateFlags.NOEXIST));
                assertFails(InvalidArgumentException.class, EINVAL,
                        () -> m.updateBatch(u32(0), value(1), 1, UpdateFlags.EXIST));
            }
        }

        @Test
        @DisplayName("create with max_entries 0 or value_size 0 fails with EINVAL")
        void createZeroSizes() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(type(), keySize(), valueSize(), 0).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(type(), keySize(), 0, 4).close());
        }

        @Test
        @DisplayName("create with a flag the type does not take (NO_COMMON_LRU, PRESERVE_ELEMS) fails with EINVAL")
        void createForeignFlags() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.NO_COMMON_LRU).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.PRESERVE_ELEMS).close());
        }

        @Test
        @DisplayName("create with a name holding '-' fails with EINVAL; 15 characters of [A-Za-z0-9_.] are fine")
        void createNames() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> backend.create(MapSpec.builder(type())
                    .keySize(keySize()).valueSize(valueSize()).maxEntries(4).name("bad-name").build()).close());
            try (BpfMap m = backend.create(MapSpec.builder(type()).keySize(keySize()).valueSize(valueSize())
                    .maxEntries(4).name("abc_DEF.0123456").build())) {
                assertEquals("abc_DEF.0123456", m.info().name());
            }
        }

        @Test
        @DisplayName("create with map_extra other than 0 fails with EINVAL")
        void createMapExtra() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> backend.create(MapSpec.builder(type())
                    .keySize(keySize()).valueSize(valueSize()).maxEntries(4).mapExtra(1).build()).close());
        }

        @Test
        @DisplayName("info of a map created BPF_F_RDONLY or BPF_F_WRONLY omits those bits: the kernel keeps only "
                + "the permanent flags (bpf_map_flags_retain_permanent); the creating fd keeps the access")
        void infoOmitsFdFlags() {
            try (BpfMap m = newMap(MapFlag.RDONLY, MapFlag.RDONLY_PROG)) {
                assertEquals(MapFlag.RDONLY_PROG.bit(), m.info().flags());
                assertEquals(org.bpfmaps.Access.READ_ONLY, m.access());
            }
            try (BpfMap m = newMap(MapFlag.WRONLY)) {
                assertEquals(0, m.info().flags());
                assertEquals(org.bpfmaps.Access.WRITE_ONLY, m.access());
            }
        }

        @Test
        @DisplayName("info reports the type, sizes, max_entries and flags the map was created with")
        void info() {
            try (BpfMap m = newMap(MapFlag.RDONLY_PROG)) {
                var info = m.info();
                assertEquals(type(), info.type());
                assertEquals(keySize(), info.keySize());
                assertEquals(valueSize(), info.valueSize());
                assertEquals(4, info.maxEntries());
                assertEquals(MapFlag.RDONLY_PROG.bit(), info.flags());
                assertFalse(info.frozen());
            }
        }
    }

    /** Rules HASH and PERCPU_HASH share (§2 rows, §4.1). */
    abstract class HashRules extends CommonElementRules {
        @Test
        @DisplayName("lookup, delete and get_next_key on an empty map report a miss, not an exception")
        void emptyMap() {
            try (BpfMap m = newMap()) {
                assertEquals(Optional.empty(), m.lookup(u32(0)));
                assertFalse(m.lookup(u32(0), new byte[m.valueBufferSize()]));
                assertFalse(m.delete(u32(0)));
                assertFalse(m.nextKey(null, new byte[4]));
                assertFalse(m.lookupAndDelete(u32(0), new byte[m.valueBufferSize()]));
            }
        }

        @Test
        @DisplayName("update EXIST on a missing key fails with ENOENT; NOEXIST on a missing key creates it")
        void existOnMissing() {
            try (BpfMap m = newMap()) {
                assertFails(NotFoundException.class, ENOENT, () -> m.update(u32(5), value(1), UpdateFlags.EXIST));
                m.update(u32(5), value(2), UpdateFlags.NOEXIST);
                assertArrayEquals(value(2), m.lookup(u32(5)).orElseThrow());
            }
        }

        @Test
        @DisplayName("delete removes the key; a second delete reports a miss (ENOENT)")
        void deleteTwice() {
            try (BpfMap m = newMap()) {
                m.update(u32(3), value(1), UpdateFlags.ANY);
                assertTrue(m.delete(u32(3)));
                assertFalse(m.delete(u32(3)));
                assertEquals(Optional.empty(), m.lookup(u32(3)));
            }
        }

        @Test
        @DisplayName("a full map (4 of 4): new key ANY or NOEXIST -> E2BIG, existing ANY/EXIST ok, NOEXIST EEXIST, "
                + "missing EXIST ENOENT; after a delete a new key fits")
        void fullMap() {
            checkFull(newMap());
            checkFull(newMap(MapFlag.NO_PREALLOC));
        }

        private void checkFull(BpfMap map) {
            try (BpfMap m = map) {
                for (int k = 0; k < 4; k++) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                assertFails(MapFullException.class, E2BIG, () -> m.update(u32(9), value(9), UpdateFlags.ANY));
                assertFails(MapFullException.class, E2BIG, () -> m.update(u32(9), value(9), UpdateFlags.NOEXIST));
                m.update(u32(2), value(20), UpdateFlags.ANY);
                m.update(u32(2), value(21), UpdateFlags.EXIST);
                assertFails(AlreadyExistsException.class, EEXIST, () -> m.update(u32(2), value(22), UpdateFlags.NOEXIST));
                assertFails(NotFoundException.class, ENOENT, () -> m.update(u32(9), value(9), UpdateFlags.EXIST));
                assertArrayEquals(value(21), m.lookup(u32(2)).orElseThrow());
                assertTrue(m.delete(u32(0)));
                m.update(u32(9), value(9), UpdateFlags.NOEXIST);
                assertFails(MapFullException.class, E2BIG, () -> m.update(u32(10), value(9), UpdateFlags.ANY));
                assertEquals(4, walkU32(m).size());
            }
        }

        @Test
        @DisplayName("get_next_key: null gives the first key, the last key gives ENOENT (a miss)")
        void nextKeyEnds() {
            try (BpfMap m = newMap()) {
                m.update(u32(7), value(1), UpdateFlags.ANY);
                byte[] next = new byte[4];
                assertTrue(m.nextKey(null, next));
                assertArrayEquals(u32(7), next);
                assertFalse(m.nextKey(u32(7), next));
            }
        }

        @Test
        @DisplayName("get_next_key from a key that is not in the map restarts at the first key")
        void nextKeyFromUnknownKey() {
            try (BpfMap m = newMap()) {
                m.update(u32(7), value(1), UpdateFlags.ANY);
                byte[] next = new byte[4];
                assertTrue(m.nextKey(filled(4, 0xff), next));
                assertArrayEquals(u32(7), next);
            }
        }

        @Test
        @DisplayName("lookup_and_delete returns the value and removes the key; a missing key is a miss")
        void lookupAndDelete() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(5), UpdateFlags.ANY);
                byte[] out = new byte[m.valueBufferSize()];
                assertTrue(m.lookupAndDelete(u32(1), out));
                assertArrayEquals(value(5), out);
                assertEquals(Optional.empty(), m.lookup(u32(1)));
                assertFalse(m.lookupAndDelete(u32(1), out));
            }
        }

        @Test
        @DisplayName("lookup_and_delete with flags NOEXIST (1) or BPF_F_LOCK (no spin lock) fails with EINVAL")
        void lookupAndDeleteFlags() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(5), UpdateFlags.ANY);
                byte[] out = new byte[m.valueBufferSize()];
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookupAndDelete(u32(1), out, 1));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.lookupAndDelete(u32(1), out, UpdateFlags.F_LOCK));
                assertTrue(m.lookup(u32(1)).isPresent(), "a refused lookup_and_delete deletes nothing");
            }
        }

        @Test
        @DisplayName("with ZERO_SEED, keys 0..9,100,1000 in a 16-entry map iterate as 4 1000 5 0 7 2 1 100 8 9 6 3")
        void zeroSeedOrder() {
            try (BpfMap m = create(type(), 4, valueSize(), 16, MapFlag.ZERO_SEED)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                assertEquals(list(ZERO_SEED_ORDER), walkU32(m));
            }
        }

        @Test
        @DisplayName("with ZERO_SEED and NO_PREALLOC the order is the same")
        void zeroSeedOrderNoPrealloc() {
            try (BpfMap m = create(type(), 4, valueSize(), 16, MapFlag.ZERO_SEED, MapFlag.NO_PREALLOC)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                assertEquals(list(ZERO_SEED_ORDER), walkU32(m));
            }
        }

        @Test
        @DisplayName("batch lookup with ZERO_SEED, 16 entries, 12 keys, count 3: [4 1000 5] ob 8, [0 7 2] ob 11, "
                + "[1 100 8] ob 13, [9 6 3] done ob 16")
        void batchLookupExample() {
            try (BpfMap m = create(type(), 4, valueSize(), 16, MapFlag.ZERO_SEED)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                int[][] expectedKeys = {{4, 1000, 5}, {0, 7, 2}, {1, 100, 8}, {9, 6, 3}};
                int[] expectedCursor = {8, 11, 13, 16};
                byte[] in = null;
                for (int call = 0; call < 4; call++) {
                    byte[] out = filled(4, 0xee);
                    byte[] keys = new byte[12];
                    byte[] values = new byte[3 * m.valueBufferSize()];
                    BatchResult r = m.lookupBatch(in, out, keys, values, 3, 0);
                    assertEquals(3, r.count(), "count of call " + call);
                    assertEquals(call == 3, r.done(), "done of call " + call);
                    assertEquals(list(expectedKeys[call]), u32s(keys, 3), "keys of call " + call);
                    assertArrayEquals(u32(expectedCursor[call]), out, "out_batch of call " + call);
                    for (int i = 0; i < 3; i++) {
                        byte[] v = java.util.Arrays.copyOfRange(values, i * m.valueBufferSize(),
                                (i + 1) * m.valueBufferSize());
                        assertArrayEquals(value(expectedKeys[call][i]), v, "value " + i + " of call " + call);
                    }
                    in = out;
                }
            }
        }

        @Test
        @DisplayName("batch lookup on an empty map reports the end (ENOENT) with count 0")
        void batchLookupEmpty() {
            try (BpfMap m = newMap()) {
                BatchResult r = m.lookupBatch(null, new byte[4], new byte[16], new byte[4 * m.valueBufferSize()], 4, 0);
                assertEquals(new BatchResult(0, true), r);
            }
        }

        @Test
        @DisplayName("batch lookup from a bucket index >= n_buckets reports the end with count 0")
        void batchLookupPastEnd() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                BatchResult r = m.lookupBatch(u32(64), new byte[4], new byte[16], new byte[4 * m.valueBufferSize()],
                        4, 0);
                assertEquals(new BatchResult(0, true), r);
            }
        }

        @Test
        @DisplayName("batch lookup with count 1 when the first bucket holds two keys fails with ENOSPC, count 0")
        void batchLookupEnospc() {
            int[] pair = collidingPair(2);
            try (BpfMap m = create(type(), 4, valueSize(), 2, MapFlag.ZERO_SEED)) {
                m.update(u32(pair[0]), value(1), UpdateFlags.ANY);
                m.update(u32(pair[1]), value(2), UpdateFlags.ANY);
                byte[] out = filled(4, 0x5a);
                byte[] keys = filled(4, 0x5a);
                BpfException e = assertThrows(BpfException.class, () -> m.lookupBatch(null, out, keys,
                        new byte[m.valueBufferSize()], 1, 0));
                assertEquals(ENOSPC, e.errno(), e::getMessage);
                assertArrayEquals(filled(4, 0x5a), keys, "nothing copied");
                // Not in SEMANTICS.md; confirmed with a C probe on 6.18: the kernel writes the bucket it stopped at.
                assertArrayEquals(u32(KernelHash.bucket(u32(pair[0]), 2, 0)), out,
                        "out_batch holds the bucket that did not fit");
            }
        }

        @Test
        @DisplayName("a lookup batch that copies nothing leaves out_batch and the buffers as they were "
                + "(count 0; in_batch >= n_buckets)")
        void emptyBatchWritesNothing() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                byte[] out = filled(4, 0x5a);
                byte[] keys = filled(16, 0x5a);
                assertEquals(new BatchResult(0, false), m.lookupBatch(null, out, keys,
                        new byte[4 * m.valueBufferSize()], 0, 0));
                assertArrayEquals(filled(4, 0x5a), out, "count 0: the kernel returns before writing out_batch");
                assertEquals(new BatchResult(0, true), m.lookupBatch(u32(64), out, keys,
                        new byte[4 * m.valueBufferSize()], 4, 0));
                assertArrayEquals(filled(4, 0x5a), out, "in_batch past the end: out_batch is not written");
                assertArrayEquals(filled(16, 0x5a), keys, "no key copied");
            }
        }

        @Test
        @DisplayName("a batch refused before it starts (WRONLY map: EPERM) writes no buffer; its count reads back as passed in")
        void refusedBatchWritesNothing() {
            try (BpfMap m = newMap(MapFlag.WRONLY)) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                byte[] keys = filled(12, 0x5a);
                byte[] values = filled(3 * m.valueBufferSize(), 0x5a);
                PermissionDeniedException e = assertFails(PermissionDeniedException.class, EPERM,
                        () -> m.lookupBatch(null, new byte[4], keys, values, 3, 0));
                assertArrayEquals(filled(12, 0x5a), keys, "keys untouched");
                assertArrayEquals(filled(3 * m.valueBufferSize(), 0x5a), values, "values untouched");
                assertEquals(3, e.batchCount(), "a refused batch reports count as passed in (the kernel does not "
                        + "write attr.batch.count when it refuses a batch before starting)");
            }
        }

        /** Two small u32 keys in the same bucket of a zero-seed table sized for {@code maxEntries}. */
        private int[] collidingPair(int maxEntries) {
            int n = KernelHash.buckets(maxEntries);
            int first = KernelHash.bucket(u32(0), n, 0);
            for (int k = 1; k < 1000; k++) {
                if (KernelHash.bucket(u32(k), n, 0) == first) {
                    return new int[] {0, k};
                }
            }
            throw new AssertionError("no colliding key");
        }

        @Test
        @DisplayName("lookup_and_delete batch deletes exactly the elements it returns")
        void lookupAndDeleteBatch() {
            try (BpfMap m = create(type(), 4, valueSize(), 16, MapFlag.ZERO_SEED)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                byte[] keys = new byte[12];
                BatchResult r = m.lookupAndDeleteBatch(null, new byte[4], keys, new byte[3 * m.valueBufferSize()],
                        3, 0);
                assertEquals(new BatchResult(3, false), r);
                assertEquals(list(4, 1000, 5), u32s(keys, 3));
                assertEquals(list(0, 7, 2, 1, 100, 8, 9, 6, 3), walkU32(m));
            }
        }

        @Test
        @DisplayName("update batch overwrites existing keys; delete batch stops at a missing key with ENOENT, count 0")
        void updateAndDeleteBatch() {
            try (BpfMap m = create(type(), 4, valueSize(), 8)) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                byte[] keys = concat(u32(1), u32(2), u32(3));
                byte[] values = concat(value(11), value(12), value(13));
                assertEquals(3, m.updateBatch(keys, values, 3, 0));
                assertArrayEquals(value(11), m.lookup(u32(1)).orElseThrow());
                assertArrayEquals(value(13), m.lookup(u32(3)).orElseThrow());
                NotFoundException e = assertFails(NotFoundException.class, ENOENT,
                        () -> m.deleteBatch(concat(u32(500), u32(1)), 2, 0));
                assertEquals(0, e.batchCount());
                assertTrue(m.lookup(u32(1)).isPresent());
                assertEquals(2, m.deleteBatch(concat(u32(1), u32(2)), 2, 0));
                NotFoundException e2 = assertFails(NotFoundException.class, ENOENT,
                        () -> m.deleteBatch(concat(u32(3), u32(1)), 2, 0));
                assertEquals(1, e2.batchCount());
                assertEquals(List.of(), walkU32(m));
            }
        }

        @Test
        @DisplayName("update batch into a full map stops with E2BIG and reports how many were written")
        void updateBatchFull() {
            try (BpfMap m = create(type(), 4, valueSize(), 2)) {
                MapFullException e = assertFails(MapFullException.class, E2BIG, () -> m.updateBatch(
                        concat(u32(1), u32(2), u32(3)), concat(value(1), value(2), value(3)), 3, 0));
                assertEquals(2, e.batchCount());
            }
        }

        @Test
        @DisplayName("delete batch with elem_flags BPF_F_LOCK fails with EINVAL")
        void deleteBatchFlock() {
            try (BpfMap m = newMap()) {
                m.update(u32(1), value(1), UpdateFlags.ANY);
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.deleteBatch(u32(1), 1, UpdateFlags.F_LOCK));
            }
        }

        @Test
        @DisplayName("create: key_size 0 -> EINVAL; ZERO_SEED and NO_PREALLOC accepted; MMAPABLE -> EINVAL")
        void createRules() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(type(), 0, 4, 4).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.MMAPABLE).close());
            newMap(MapFlag.ZERO_SEED, MapFlag.NO_PREALLOC).close();
            create(type(), 7, 3, 1).close();
        }

        @Test
        @DisplayName("create: max_entries >= 2^31 fails with E2BIG")
        void createTooManyEntries() {
            assertFails(BpfException.class, E2BIG, () -> create(type(), 4, 4, 1 << 31).close());
        }

        @Test
        @DisplayName("program view: a program may write a frozen map; its writes are visible to syscall lookups")
        void programWritesFrozenMap() {
            try (BpfMap m = newMap()) {
                m.freeze();
                try (ProgramView p = m.programView(0)) {
                    p.update(u32(3), filled(valueSize(), 0x33), UpdateFlags.ANY);
                    assertArrayEquals(filled(valueSize(), 0x33), p.lookup(u32(3)).orElseThrow());
                    assertTrue(m.lookup(u32(3)).isPresent());
                    assertTrue(p.delete(u32(3)));
                    assertFalse(p.delete(u32(3)));
                }
            }
        }
    }

    // ---- the four types --------------------------------------------------------------------------------------

    @Nested
    @DisplayName("HASH")
    class Hash extends HashRules {
        @Override
        MapType type() {
            return MapType.HASH;
        }

        @Override
        int valueSize() {
            return 8;
        }

        @Test
        @DisplayName("update of an existing key moves it to the head of its bucket: "
                + "after updating 2 and 8 the order is 4 1000 5 0 2 7 1 8 100 9 6 3")
        void updateMovesToBucketHead() {
            try (BpfMap m = create(MapType.HASH, 4, 8, 16, MapFlag.ZERO_SEED)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), u64(k), UpdateFlags.ANY);
                }
                m.update(u32(2), u64(22), UpdateFlags.ANY);
                m.update(u32(8), u64(88), UpdateFlags.EXIST);
                assertEquals(list(ZERO_SEED_ORDER_AFTER_UPDATE), walkU32(m));
            }
        }

        @Test
        @DisplayName("create: key 1 MiB accepted without a 512-byte limit; key of 4 MiB or value of 4 MiB -> E2BIG")
        void createLargeSizes() {
            create(MapType.HASH, 1 << 20, 4, 1).close();
            assertFails(BpfException.class, E2BIG, () -> create(MapType.HASH, 4 << 20, 4, 1).close());
            assertFails(BpfException.class, E2BIG, () -> create(MapType.HASH, 4, 4 << 20, 1).close());
        }

        @Test
        @DisplayName("keys whose size is not a multiple of 4 (jhash rather than jhash2) work as keys")
        void oddKeySize() {
            try (BpfMap m = create(MapType.HASH, 6, 3, 4, MapFlag.ZERO_SEED)) {
                byte[] k1 = Bytes.of(1, 2, 3, 4, 5, 6);
                byte[] k2 = Bytes.of(1, 2, 3, 4, 5, 7);
                m.update(k1, Bytes.of(9, 9, 9), UpdateFlags.ANY);
                m.update(k2, Bytes.of(8, 8, 8), UpdateFlags.ANY);
                assertArrayEquals(Bytes.of(9, 9, 9), m.lookup(k1).orElseThrow());
                assertArrayEquals(Bytes.of(8, 8, 8), m.lookup(k2).orElseThrow());
                assertTrue(m.delete(k1));
                assertFalse(m.lookup(k1).isPresent());
            }
        }
    }

    @Nested
    @DisplayName("PERCPU_HASH")
    class PercpuHash extends HashRules {
        @Override
        MapType type() {
            return MapType.PERCPU_HASH;
        }

        @Test
        @DisplayName("update of an existing key is in place: after updating 2 and 8 the order is unchanged")
        void updateInPlace() {
            try (BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 16, MapFlag.ZERO_SEED)) {
                for (int k : ZERO_SEED_KEYS) {
                    m.update(u32(k), value(k), UpdateFlags.ANY);
                }
                m.update(u32(2), value(22), UpdateFlags.ANY);
                m.update(u32(8), value(88), UpdateFlags.EXIST);
                assertEquals(list(ZERO_SEED_ORDER), walkU32(m));
            }
        }

        @Test
        @DisplayName("value buffers are round_up(value_size, 8) x possible CPUs; each CPU has its own slice")
        void perCpuLayout() {
            try (BpfMap m = create(MapType.PERCPU_HASH, 4, 3, 4)) {
                assertEquals(8 * cpus(), m.valueBufferSize());
                byte[] in = perCpu(3, cpu -> Bytes.of(cpu + 1, 0x10 + cpu, 0x20 + cpu));
                m.update(u32(1), in, UpdateFlags.ANY);
                byte[] out = filled(8 * cpus(), 0xcc);
                assertTrue(m.lookup(u32(1), out));
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    assertArrayEquals(concat(Bytes.of(cpu + 1, 0x10 + cpu, 0x20 + cpu), new byte[5]),
                            java.util.Arrays.copyOfRange(out, 8 * cpu, 8 * cpu + 8),
                            "slot of CPU " + cpu + " with zero padding");
                }
            }
        }

        @Test
        @DisplayName("6.18 stores the padding bytes of a per-CPU value and returns them on lookup "
                + "(SEMANTICS.md §3 says 'ignored on write'; the kernel copies round_up(value_size, 8) per CPU)")
        void perCpuPaddingRoundTrips() {
            try (BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 4)) {
                byte[] in = perCpu(4, cpu -> Bytes.of(1, 2, 3, 4));
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    System.arraycopy(filled(4, 0xa0 + cpu), 0, in, 8 * cpu + 4, 4);
                }
                m.update(u32(1), in, UpdateFlags.ANY);
                assertArrayEquals(in, m.lookup(u32(1)).orElseThrow());
            }
        }

        @Test
        @DisplayName("program view on CPU 1 writes only CPU 1's slot of a new element; CPU 0 reads zero")
        void programViewPerCpu() {
            Assumptions.assumeTrue(cpus() >= 2, "needs 2 possible CPUs");
            try (BpfMap m = create(MapType.PERCPU_HASH, 4, 4, 4)) {
                try (ProgramView p1 = m.programView(1); ProgramView p0 = m.programView(0)) {
                    p1.update(u32(1), u32(7), UpdateFlags.ANY);
                    assertArrayEquals(u32(7), p1.lookup(u32(1)).orElseThrow());
                    assertArrayEquals(u32(0), p0.lookup(u32(1)).orElseThrow());
                }
                byte[] all = m.lookup(u32(1)).orElseThrow();
                assertArrayEquals(u32(0), java.util.Arrays.copyOfRange(all, 0, 4), "CPU 0 slot");
                assertArrayEquals(u32(7), java.util.Arrays.copyOfRange(all, 8, 12), "CPU 1 slot");
            }
        }

        @Test
        @DisplayName("a program update (EXIST) of an element writes value_size bytes of its CPU's slot in place and "
                + "keeps that slot's padding")
        void programUpdateKeepsPadding() {
            try (BpfMap m = create(MapType.PERCPU_HASH, 4, 5, 4)) {
                byte[] in = new byte[8 * cpus()];
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    System.arraycopy(filled(5, 0x20 + cpu), 0, in, 8 * cpu, 5);
                    System.arraycopy(filled(3, 0xb0 + cpu), 0, in, 8 * cpu + 5, 3);
                }
                m.update(u32(9), in, UpdateFlags.ANY);
                try (ProgramView p = m.programView(0)) {
                    p.update(u32(9), filled(5, 0x55), UpdateFlags.EXIST);
                }
                byte[] expected = in.clone();
                System.arraycopy(filled(5, 0x55), 0, expected, 0, 5);
                assertArrayEquals(expected, m.lookup(u32(9)).orElseThrow(), "CPU 0 value replaced, its padding and "
                        + "the other CPUs' slots unchanged");
            }
        }

        @Test
        @DisplayName("create: value_size 32769 fails with E2BIG; 32768 is accepted")
        void createValueLimit() {
            assertFails(BpfException.class, E2BIG, () -> create(MapType.PERCPU_HASH, 4, 32769, 1).close());
            create(MapType.PERCPU_HASH, 4, 32768, 1).close();
        }
    }

    /** Rules ARRAY and PERCPU_ARRAY share (§2 rows, §4.3). */
    abstract class ArrayRules extends CommonElementRules {
        @Test
        @DisplayName("every in-range index exists and reads zero; an index >= max_entries is a miss")
        void zeroInitialised() {
            try (BpfMap m = newMap()) {
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(new byte[m.valueBufferSize()], m.lookup(u32(i)).orElseThrow());
                }
                assertEquals(Optional.empty(), m.lookup(u32(4)));
                assertFalse(m.lookup(u32(-1), new byte[m.valueBufferSize()]));
            }
        }

        @Test
        @DisplayName("update NOEXIST fails with EEXIST even on a never-written index")
        void noexistAlwaysEexist() {
            try (BpfMap m = newMap()) {
                assertFails(AlreadyExistsException.class, EEXIST, () -> m.update(u32(2), value(1), UpdateFlags.NOEXIST));
                m.update(u32(2), value(1), UpdateFlags.EXIST);
                assertArrayEquals(value(1), m.lookup(u32(2)).orElseThrow());
            }
        }

        @Test
        @DisplayName("update of an index >= max_entries fails with E2BIG, whatever the flag")
        void updateOutOfRange() {
            try (BpfMap m = newMap()) {
                assertFails(MapFullException.class, E2BIG, () -> m.update(u32(4), value(1), UpdateFlags.ANY));
                assertFails(MapFullException.class, E2BIG, () -> m.update(u32(1000), value(1), UpdateFlags.EXIST));
            }
        }

        @Test
        @DisplayName("delete fails with EINVAL, in range or not")
        void deleteIsEinval() {
            try (BpfMap m = newMap()) {
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.delete(u32(0)));
                assertFails(InvalidArgumentException.class, EINVAL, () -> m.delete(u32(9)));
            }
        }

        @Test
        @DisplayName("lookup_and_delete fails with ENOTSUPP (524)")
        void lookupAndDeleteNotSupported() {
            try (BpfMap m = newMap()) {
                assertFails(NotSupportedException.class, ENOTSUPP,
                        () -> m.lookupAndDelete(u32(0), new byte[m.valueBufferSize()]));
            }
        }

        @Test
        @DisplayName("get_next_key: null -> 0, i -> i+1, last -> ENOENT, i >= max_entries -> 0")
        void nextKeyRules() {
            try (BpfMap m = newMap()) {
                byte[] next = new byte[4];
                assertTrue(m.nextKey(null, next));
                assertArrayEquals(u32(0), next);
                assertTrue(m.nextKey(u32(2), next));
                assertArrayEquals(u32(3), next);
                assertFalse(m.nextKey(u32(3), next));
                assertTrue(m.nextKey(u32(4), next));
                assertArrayEquals(u32(0), next);
                assertTrue(m.nextKey(filled(4, 0xff), next));
                assertArrayEquals(u32(0), next);
                assertEquals(list(0, 1, 2, 3), walkU32(m));
            }
        }

        @Test
        @DisplayName("batch lookup of a 4-entry array, count 3: keys 0 1 2 with out_batch 2, then 3 with the end")
        void batchLookup() {
            try (BpfMap m = newMap()) {
                for (int i = 0; i < 4; i++) {
                    m.update(u32(i), value(i + 1), UpdateFlags.ANY);
                }
                byte[] out = new byte[4];
                byte[] keys = new byte[12];
                byte[] values = new byte[3 * m.valueBufferSize()];
                assertEquals(new BatchResult(3, false), m.lookupBatch(null, out, keys, values, 3, 0));
                assertEquals(list(0, 1, 2), u32s(keys, 3));
                assertArrayEquals(u32(2), out);
                assertArrayEquals(concat(value(1), value(2), value(3)), values);
                byte[] out2 = new byte[4];
                assertEquals(new BatchResult(1, true), m.lookupBatch(out, out2, keys, values, 3, 0));
                assertEquals(list(3), u32s(keys, 1));
                assertArrayEquals(u32(3), out2);
            }
        }

        @Test
        @DisplayName("lookup_and_delete batch and delete batch fail with ENOTSUPP (524)")
        void deletingBatchesNotSupported() {
            try (BpfMap m = newMap()) {
                assertFails(NotSupportedException.class, ENOTSUPP, () -> m.lookupAndDeleteBatch(null, new byte[4],
                        new byte[16], new byte[4 * m.valueBufferSize()], 4, 0));
                NotSupportedException e = assertFails(NotSupportedException.class, ENOTSUPP,
                        () -> m.deleteBatch(concat(u32(0), u32(1)), 2, 0));
                // The kernel refuses before it starts and leaves attr.batch.count as passed in (2), which is what
                // both backends report, although BpfException#batchCount's javadoc promises "processed" (0).
                assertEquals(2, e.batchCount(), "count of a refused delete batch reads back as passed in");
                assertTrue(m.lookup(u32(0)).isPresent(), "nothing was deleted");
                byte[] keys = filled(12, 0x5a);
                assertFails(NotSupportedException.class, ENOTSUPP, () -> m.lookupAndDeleteBatch(null, new byte[4],
                        keys, new byte[3 * m.valueBufferSize()], 3, 0));
                assertArrayEquals(filled(12, 0x5a), keys, "a refused batch copies no keys");
            }
        }

        @Test
        @DisplayName("update batch [1, 9] on a 4-entry array writes index 1 then fails with E2BIG, count 1")
        void updateBatchOutOfRange() {
            try (BpfMap m = newMap()) {
                MapFullException e = assertFails(MapFullException.class, E2BIG,
                        () -> m.updateBatch(concat(u32(1), u32(9)), concat(value(5), value(6)), 2, 0));
                assertEquals(1, e.batchCount());
                assertArrayEquals(value(5), m.lookup(u32(1)).orElseThrow());
            }
        }

        @Test
        @DisplayName("create: key_size 8 or 0 fails with EINVAL; ZERO_SEED and NO_PREALLOC fail with EINVAL")
        void createRules() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(type(), 8, 4, 4).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(type(), 0, 4, 4).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.ZERO_SEED).close());
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.NO_PREALLOC).close());
        }

        @Test
        @DisplayName("program view: a program may write a frozen array; delete from a program fails with EINVAL")
        void programWritesFrozenArray() {
            try (BpfMap m = newMap()) {
                m.freeze();
                try (ProgramView p = m.programView(0)) {
                    p.update(u32(1), filled(valueSize(), 0x44), UpdateFlags.ANY);
                    assertArrayEquals(filled(valueSize(), 0x44), p.lookup(u32(1)).orElseThrow());
                    assertFalse(p.lookup(u32(4)).isPresent(), "out of range index: the helper returns NULL");
                    assertFails(InvalidArgumentException.class, EINVAL, () -> p.delete(u32(1)));
                }
            }
        }
    }

    @Nested
    @DisplayName("ARRAY")
    class Array extends ArrayRules {
        @Override
        MapType type() {
            return MapType.ARRAY;
        }

        @Test
        @DisplayName("create: MMAPABLE accepted; value_size > INT_MAX fails with E2BIG")
        void createArrayOnly() {
            newMap(MapFlag.MMAPABLE).close();
            assertFails(BpfException.class, E2BIG, () -> create(MapType.ARRAY, 4, -1, 1).close());
        }

        @Test
        @DisplayName("value sizes that are not a multiple of 8 round-trip exactly")
        void oddValueSize() {
            try (BpfMap m = create(MapType.ARRAY, 4, 5, 3)) {
                m.update(u32(2), Bytes.of(1, 2, 3, 4, 5), UpdateFlags.ANY);
                assertArrayEquals(Bytes.of(1, 2, 3, 4, 5), m.lookup(u32(2)).orElseThrow());
                assertEquals(5, m.valueBufferSize());
            }
        }
    }

    @Nested
    @DisplayName("PERCPU_ARRAY")
    class PercpuArray extends ArrayRules {
        @Override
        MapType type() {
            return MapType.PERCPU_ARRAY;
        }

        @Test
        @DisplayName("value buffers are round_up(value_size, 8) x possible CPUs; zero padding is read back zero")
        void perCpuLayout() {
            try (BpfMap m = create(MapType.PERCPU_ARRAY, 4, 12, 2)) {
                assertEquals(16 * cpus(), m.valueBufferSize());
                byte[] out = filled(16 * cpus(), 0xcc);
                assertTrue(m.lookup(u32(1), out));
                assertArrayEquals(new byte[16 * cpus()], out, "fresh slots and their padding read zero");
                byte[] in = perCpu(12, cpu -> filled(12, 0x40 + cpu));
                m.update(u32(1), in, UpdateFlags.ANY);
                assertTrue(m.lookup(u32(1), out));
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    assertArrayEquals(concat(filled(12, 0x40 + cpu), new byte[4]),
                            java.util.Arrays.copyOfRange(out, 16 * cpu, 16 * cpu + 16), "slot of CPU " + cpu);
                }
            }
        }

        @Test
        @DisplayName("6.18 stores the padding bytes of a per-CPU value and returns them on lookup")
        void perCpuPaddingRoundTrips() {
            try (BpfMap m = create(MapType.PERCPU_ARRAY, 4, 4, 4)) {
                byte[] in = perCpu(4, cpu -> Bytes.of(1, 2, 3, 4 + cpu));
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    System.arraycopy(filled(4, 0xb0 + cpu), 0, in, 8 * cpu + 4, 4);
                }
                m.update(u32(0), in, UpdateFlags.ANY);
                assertArrayEquals(in, m.lookup(u32(0)).orElseThrow());
            }
        }

        @Test
        @DisplayName("a program update writes value_size bytes of its CPU's slot and keeps that slot's padding "
                + "(6.18: copy_map_value, not the 8-byte-rounded copy of syscalls)")
        void programUpdateKeepsPadding() {
            try (BpfMap m = create(MapType.PERCPU_ARRAY, 4, 7, 4)) {
                byte[] in = new byte[8 * cpus()];
                for (int cpu = 0; cpu < cpus(); cpu++) {
                    System.arraycopy(filled(7, 0x10 + cpu), 0, in, 8 * cpu, 7);
                    in[8 * cpu + 7] = (byte) (0xa0 + cpu);
                }
                m.update(u32(3), in, UpdateFlags.ANY);
                try (ProgramView p = m.programView(0)) {
                    p.update(u32(3), filled(7, 0x77), UpdateFlags.EXIST);
                }
                byte[] expected = in.clone();
                System.arraycopy(filled(7, 0x77), 0, expected, 0, 7);
                assertArrayEquals(expected, m.lookup(u32(3)).orElseThrow(), "CPU 0 value replaced, its padding "
                        + "byte 0xa0 and the other CPUs' slots unchanged");
            }
        }

        @Test
        @DisplayName("create: MMAPABLE fails with EINVAL; value_size 32769 fails with E2BIG")
        void createPercpuArrayOnly() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> newMap(MapFlag.MMAPABLE).close());
            assertFails(BpfException.class, E2BIG, () -> create(MapType.PERCPU_ARRAY, 4, 32769, 1).close());
        }

        @Test
        @DisplayName("program view on CPU 1 writes CPU 1's slot only")
        void programViewPerCpu() {
            Assumptions.assumeTrue(cpus() >= 2, "needs 2 possible CPUs");
            try (BpfMap m = create(MapType.PERCPU_ARRAY, 4, 4, 2)) {
                try (ProgramView p1 = m.programView(1); ProgramView p0 = m.programView(0)) {
                    p1.update(u32(0), u32(7), UpdateFlags.ANY);
                    assertArrayEquals(u32(0), p0.lookup(u32(0)).orElseThrow());
                    assertArrayEquals(u32(7), p1.lookup(u32(0)).orElseThrow());
                }
                byte[] all = m.lookup(u32(0)).orElseThrow();
                assertArrayEquals(u32(7), java.util.Arrays.copyOfRange(all, 8, 12));
                assertArrayEquals(u32(0), java.util.Arrays.copyOfRange(all, 0, 4));
            }
        }
    }

    @Nested
    @DisplayName("Map creation in general")
    class Creation {
        @Test
        @DisplayName("map type 0 (UNSPEC) fails with EINVAL")
        void unspec() {
            assertFails(InvalidArgumentException.class, EINVAL, () -> create(MapType.UNSPEC, 4, 4, 4).close());
        }

        @Test
        @DisplayName("the backend reports the host's possible CPUs for per-CPU buffers")
        void possibleCpus() {
            assertTrue(cpus() >= 1);
            try (BpfMap m = create(MapType.PERCPU_ARRAY, 4, 1, 1)) {
                assertEquals(cpus(), m.possibleCpus());
                assertEquals(8 * cpus(), m.valueBufferSize());
            }
        }

        @Test
        @DisplayName("ids of new maps are listed by mapIds()")
        void ids() {
            try (BpfMap m = create(MapType.HASH, 4, 4, 4)) {
                assertNotNull(m.info());
                int id = m.id();
                assertTrue(java.util.Arrays.stream(backend.mapIds()).anyMatch(i -> i == id),
                        () -> "id " + id + " missing from " + hex(u32(id)));
            }
        }
    }
}
