package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;

/**
 * Shared plumbing of the per-type example kits (LPM_TRIE, QUEUE, STACK, BLOOM_FILTER, RINGBUF, USER_RINGBUF):
 * a fresh backend per test, errno assertions, create shortcuts. Expected values in the kits are written from
 * SEMANTICS.md, never computed by a backend.
 */
public abstract class TypeKitSupport {
    protected static final int EPERM = 1;
    protected static final int ENOENT = 2;
    protected static final int E2BIG = 7;
    protected static final int EAGAIN = 11;
    protected static final int EBUSY = 16;
    protected static final int EEXIST = 17;
    protected static final int EINVAL = 22;
    protected static final int ENOSPC = 28;
    protected static final int EOPNOTSUPP = 95;
    protected static final int ENOTSUPP = 524;

    /** The backend of the current test. */
    protected MapBackend backend;

    /** Opens a fresh backend: a new simulated kernel, or a handle on the real one. */
    protected abstract MapBackend newBackend();

    @BeforeEach
    void openTypeBackend() {
        backend = newBackend();
    }

    @AfterEach
    void closeTypeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    /** Creates a map of {@code type}. */
    protected BpfMap create(MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        return backend.create(MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries)
                .flags(flags).build());
    }

    /** Creates a map of {@code type} with {@code map_extra}. */
    protected BpfMap create(MapType type, int keySize, int valueSize, int maxEntries, int flags, long extra) {
        return backend.create(MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries)
                .flags(flags).mapExtra(extra).build());
    }

    /** Asserts that creating this spec fails with {@code errno} (and closes the map if it unexpectedly opens). */
    protected void assertCreateFails(int errno, MapType type, int keySize, int valueSize, int maxEntries, int flags,
                                     long extra) {
        assertErrno(errno, () -> {
            BpfMap m = create(type, keySize, valueSize, maxEntries, flags, extra);
            m.close();
        });
    }

    /** Asserts that creating this spec succeeds (the map is closed again). */
    protected void assertCreates(MapType type, int keySize, int valueSize, int maxEntries, int flags, long extra) {
        create(type, keySize, valueSize, maxEntries, flags, extra).close();
    }

    /** Asserts that {@code action} throws a {@link BpfException} with {@code errno}. */
    protected static BpfException assertErrno(int errno, Executable action) {
        BpfException e = assertThrows(BpfException.class, action);
        assertEquals(errno, e.errno(), () -> "errno of " + e.getMessage());
        return e;
    }

    /** A flag mask. */
    protected static int flags(MapFlag... f) {
        return MapFlag.mask(f);
    }
}
