package org.bpfmaps;

import java.util.function.Supplier;

/**
 * A kernel to create and open maps in: the real one ({@code linux}) or a simulated one ({@code simulator}).
 *
 * <p>Get one from {@link BpfMaps#open()}. A simulator backend is a whole simulated kernel with its own map ids,
 * bpf filesystem and CPUs; closing it closes every map it created. Closing a linux backend closes nothing
 * that user code still holds.
 */
public interface MapBackend extends AutoCloseable {

    /** The backend's short name: {@code simulator} or {@code linux}. */
    String name();

    /** Creates a map ({@code BPF_MAP_CREATE}); the spec is refused with the kernel's errno when invalid. */
    BpfMap create(MapSpec spec);

    /** Opens a pinned map read-write ({@code BPF_OBJ_GET}). */
    default BpfMap openPinned(String path) {
        return openPinned(path, Access.READ_WRITE);
    }

    /** Opens a pinned map with the given access. */
    BpfMap openPinned(String path, Access access);

    /**
     * Opens a pinned map to reuse it as {@code expected} describes, checking that it is compatible
     * ({@link MapSpec#differences}).
     *
     * @throws InvalidArgumentException ({@code EINVAL}, as libbpf answers) naming every field that differs and
     *                                  the path; the opened descriptor is closed first
     * @throws NotFoundException        when nothing is pinned at {@code path}
     */
    default BpfMap openPinned(String path, MapSpec expected, Access access) {
        BpfMap map = openPinned(path, access);
        java.util.List<String> diffs;
        try {
            diffs = expected.differences(map.info(), possibleCpus());
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        if (!diffs.isEmpty()) {
            map.close();
            throw BpfException.of(BpfCommand.BPF_OBJ_GET, Errno.EINVAL.number(), "pinned map " + path,
                    "it does not match the spec " + expected + ": " + String.join("; ", diffs));
        }
        return map;
    }

    /**
     * Removes a pin: unlinks {@code path} from the bpf filesystem (bpftool has no command for this; people
     * {@code rm} the file). The map goes away when no descriptor or other pin refers to it.
     *
     * @throws NotFoundException when nothing is pinned at {@code path}
     */
    default void unpin(String path) {
        throw BpfException.of(BpfCommand.BPF_OBJ_PIN, Errno.ENOTSUPP.number(), name() + " backend",
                "unpinning is not implemented by this backend");
    }

    /** Opens a map by its id read-write ({@code BPF_MAP_GET_FD_BY_ID}). */
    default BpfMap openById(int id) {
        return openById(id, Access.READ_WRITE);
    }

    /** Opens a map by its id with the given access. */
    BpfMap openById(int id, Access access);

    /** The ids of all maps in this kernel, ascending ({@code BPF_MAP_GET_NEXT_ID}). */
    int[] mapIds();

    /** Whether this backend can create maps of {@code type} (on linux: a probe of the running kernel). */
    boolean isSupported(MapType type);

    /** Number of possible CPUs: the length of per-CPU values. */
    int possibleCpus();

    /**
     * Runs {@code action} with its system calls issued from {@code cpu}. On linux the calling thread is pinned
     * to that CPU for the duration; on the simulator the calls are attributed to it. Outside this method the
     * simulator attributes user-space calls to CPU 0 and linux runs them wherever the thread is.
     */
    <T> T onCpu(int cpu, Supplier<T> action);

    /** Runs {@code action} with its system calls issued from {@code cpu}; see {@link #onCpu(int, Supplier)}. */
    default void onCpu(int cpu, Runnable action) {
        onCpu(cpu, () -> {
            action.run();
            return null;
        });
    }

    /**
     * A reader over one or more {@link MapType#RINGBUF} maps of this backend.
     *
     * @throws InvalidArgumentException when a map is not a RINGBUF of this backend
     */
    default RingBufferReader ringBufferReader(BpfMap... rings) {
        throw BpfException.of(BpfCommand.RINGBUF_USER, Errno.ENOTSUPP.number(), name() + " backend",
                "ring buffer readers are not implemented by this backend");
    }

    /**
     * A writer for a {@link MapType#USER_RINGBUF} map of this backend.
     *
     * @throws InvalidArgumentException when the map is not a USER_RINGBUF of this backend
     */
    default UserRingBufferWriter userRingBufferWriter(BpfMap ring) {
        throw BpfException.of(BpfCommand.RINGBUF_USER, Errno.ENOTSUPP.number(), name() + " backend",
                "user ring buffer writers are not implemented by this backend");
    }

    /** Releases the backend. Idempotent. */
    @Override
    void close();
}
