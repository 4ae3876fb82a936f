package org.bpfmaps;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One open map: the raw, byte-exact contract of the kernel's map commands, through one descriptor.
 *
 * <p><b>Buffers.</b> Keys are exactly {@link #keySize()} bytes. Values are exactly {@link #valueBufferSize()}
 * bytes: {@code value_size}, or for per-CPU types {@code round_up(value_size, 8)} bytes per possible CPU, CPU
 * {@code i} at offset {@code i * round_up(value_size, 8)}. Types without keys (queue, stack, bloom filter, ring
 * buffers) take a {@code null} key. A buffer of the wrong size is refused before anything reaches the kernel,
 * with {@link InvalidArgumentException} ({@code EINVAL}). {@code ByteBuffer} forms read and write the bytes
 * between position and limit, leave position and limit unchanged, and allocate nothing.
 *
 * <p><b>Results.</b> A missing key is a normal result: lookups return {@code false} or empty, {@link #delete}
 * returns {@code false}, {@link #nextKey} returns {@code false} at the end. Every other failure is a
 * {@link BpfException} carrying the kernel's errno.
 *
 * <p><b>Threads.</b> A map may be used from many threads at once; each call is as atomic as the kernel's.
 */
public interface BpfMap extends AutoCloseable {

    /** The map type. */
    MapType type();

    /** Key size in bytes. */
    int keySize();

    /** Value size in bytes as created (per CPU for per-CPU types). */
    int valueSize();

    /** Maximum entries as the kernel reports them. */
    int maxEntries();

    /** The {@code map_flags} the map was created with. */
    int flags();

    /** The map name ({@code ""} when none). */
    String name();

    /** The global map id. */
    int id();

    /**
     * The descriptor number this handle holds: what the kernel takes as a map-in-map value or an
     * {@code inner_map_fd}. On the linux backend it is the process's file descriptor (valid until {@link #close()});
     * on the simulator it is a number from the simulated kernel's own descriptor table, meaningful to that kernel
     * only (allocated lowest-free from 3, as 0 to 2 are taken by files that are not BPF objects).
     *
     * @throws MapClosedException when this handle is closed
     */
    int fd();

    /** The access this descriptor has. */
    Access access();

    /** Number of possible CPUs of the kernel the map lives in. */
    int possibleCpus();

    /** Bytes of a value buffer: {@code value_size}, or {@code round_up(value_size, 8) * possibleCpus()}. */
    int valueBufferSize();

    /** Bytes of a batch cursor ({@code in_batch}/{@code out_batch}): 4 for hash tables, else the key size. */
    int batchCursorSize();

    /** The kernel's current description of this map. */
    MapInfo info();

    /** Looks a key up and returns a copy of its value, or empty when the key is missing. */
    Optional<byte[]> lookup(byte[] key);

    /** Copies the value of {@code key} into {@code value}; {@code false} when the key is missing. */
    boolean lookup(byte[] key, byte[] value);

    /** As {@link #lookup(byte[], byte[])} with element flags ({@code 0} or {@link UpdateFlags#F_LOCK}). */
    boolean lookup(byte[] key, byte[] value, long flags);

    /** Copies the value of {@code key} into {@code value}; {@code false} when the key is missing. */
    boolean lookup(ByteBuffer key, ByteBuffer value);

    /** As {@link #lookup(ByteBuffer, ByteBuffer)} with element flags. */
    boolean lookup(ByteBuffer key, ByteBuffer value, long flags);

    /** Creates or updates an element ({@link UpdateFlags#ANY}). */
    default void update(byte[] key, byte[] value) {
        update(key, value, UpdateFlags.ANY);
    }

    /** Creates or updates an element as {@code flags} ({@link UpdateFlags}) allow. */
    void update(byte[] key, byte[] value, long flags);

    /** Creates or updates an element as {@code flags} allow. */
    void update(ByteBuffer key, ByteBuffer value, long flags);

    /** Deletes an element; {@code false} when the key was missing ({@code ENOENT}). */
    boolean delete(byte[] key);

    /** Deletes an element; {@code false} when the key was missing ({@code ENOENT}). */
    boolean delete(ByteBuffer key);

    /**
     * Writes the key after {@code key} (the first key when {@code key} is null) into {@code nextKey};
     * {@code false} when there is none ({@code ENOENT}).
     */
    boolean nextKey(byte[] key, byte[] nextKey);

    /** As {@link #nextKey(byte[], byte[])}; a null {@code key} asks for the first key. */
    boolean nextKey(ByteBuffer key, ByteBuffer nextKey);

    /** Copies the value of {@code key} into {@code value} and deletes it (queue/stack: pop); {@code false} when missing. */
    default boolean lookupAndDelete(byte[] key, byte[] value) {
        return lookupAndDelete(key, value, 0);
    }

    /** As {@link #lookupAndDelete(byte[], byte[])} with element flags. */
    boolean lookupAndDelete(byte[] key, byte[] value, long flags);

    /** As {@link #lookupAndDelete(byte[], byte[])} with element flags. */
    boolean lookupAndDelete(ByteBuffer key, ByteBuffer value, long flags);

    /** Makes the map read-only for system calls, for good (programs may still write it). */
    void freeze();

    /**
     * {@code BPF_MAP_LOOKUP_BATCH}: copies up to {@code count} elements into {@code keys} and {@code values}
     * (packed at key size and value buffer size strides), continuing from {@code inBatch} (null: from the
     * start) and writing the cursor for the next call into {@code outBatch} ({@link #batchCursorSize()} bytes).
     *
     * @throws BpfException {@code ENOSPC} when not even one hash bucket fits in {@code count}
     */
    BatchResult lookupBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count, long elemFlags);

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}: as {@link #lookupBatch}, deleting exactly what it returns. */
    BatchResult lookupAndDeleteBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                                     long elemFlags);

    /**
     * {@code BPF_MAP_UPDATE_BATCH}: writes the first {@code count} key/value pairs in order.
     *
     * @return {@code count}
     * @throws BpfException at the first failing element; {@link BpfException#batchCount()} tells how many
     *                      elements were written before it
     */
    int updateBatch(byte[] keys, byte[] values, int count, long elemFlags);

    /**
     * {@code BPF_MAP_DELETE_BATCH}: deletes the first {@code count} keys in order.
     *
     * @return {@code count}
     * @throws BpfException at the first failing key (a missing key is {@code ENOENT});
     *                      {@link BpfException#batchCount()} tells how many were deleted before it
     */
    int deleteBatch(byte[] keys, int count, long elemFlags);

    /** Pins the map at {@code path} in a bpf filesystem. */
    void pin(String path);

    /**
     * A view that performs the helper calls a BPF program would make on this map, as if running on
     * {@code cpu}. Close it to free what it holds (on linux, its loaded programs).
     */
    ProgramView programView(int cpu);

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Releases the descriptor; later calls fail with {@link MapClosedException}. Idempotent. */
    @Override
    void close();
}
