package org.bpfmaps;

import java.util.Optional;

/**
 * The helper calls a BPF program would make on one map, executed as if on one CPU.
 *
 * <p>Sizes are those a program sees: keys of {@code key_size} bytes and values of {@code value_size} bytes,
 * also for per-CPU types, where a program reads and writes only its own CPU's slot. Helper return values
 * ({@code 0} or {@code -errno}) become results and exceptions as for the system calls: a missing key is
 * {@code false} or empty, any other negative return a {@link BpfException} with command
 * {@link BpfCommand#PROGRAM_HELPER}. Program calls ignore {@code BPF_MAP_FREEZE}, which stops only system calls.
 */
public interface ProgramView extends AutoCloseable {

    /** The map this view acts on. */
    BpfMap map();

    /** The CPU the helpers run on. */
    int cpu();

    /** {@code bpf_map_lookup_elem}: a copy of the value (this CPU's slot), or empty. */
    Optional<byte[]> lookup(byte[] key);

    /** {@code bpf_map_lookup_elem} into {@code value}; {@code false} when the helper returned NULL. */
    boolean lookup(byte[] key, byte[] value);

    /** {@code bpf_map_update_elem} with {@code flags} ({@link UpdateFlags#ANY}, NOEXIST, EXIST). */
    void update(byte[] key, byte[] value, long flags);

    /** {@code bpf_map_delete_elem}; {@code false} when it returned {@code -ENOENT}. */
    boolean delete(byte[] key);

    /** {@code bpf_map_push_elem} (queue, stack, bloom filter); {@link UpdateFlags#EXIST} overwrites when full. */
    void push(byte[] value, long flags);

    /** {@code bpf_map_pop_elem}; {@code false} when empty. */
    boolean pop(byte[] value);

    /** {@code bpf_map_peek_elem}; {@code false} when empty (bloom filter: when surely absent). */
    boolean peek(byte[] value);

    /**
     * {@code bpf_ringbuf_output}: copies {@code data} as one record.
     *
     * @return {@code true} when written, {@code false} when the ring had no room ({@code -EAGAIN})
     */
    boolean ringbufOutput(byte[] data, long flags);

    /** {@code bpf_ringbuf_reserve} then {@code bpf_ringbuf_submit}; {@code false} when the reserve failed. */
    boolean ringbufReserveSubmit(byte[] data, long flags);

    /** {@code bpf_ringbuf_reserve} of {@code size} bytes then {@code bpf_ringbuf_discard}; {@code false} when the reserve failed. */
    boolean ringbufReserveDiscard(int size, long flags);

    /** {@code bpf_ringbuf_query}: 0 available data, 1 ring size, 2 consumer position, 3 producer position. */
    long ringbufQuery(long flag);

    /**
     * {@code bpf_user_ringbuf_drain} on a USER_RINGBUF: hands each submitted sample, in order, to
     * {@code sample} (a copy), skipping discarded ones.
     *
     * @return the number of samples drained (the helper's return value)
     */
    default int userRingbufDrain(java.util.function.Consumer<byte[]> sample, long flags) {
        throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.ENOTSUPP.number(), map().toString(),
                "bpf_user_ringbuf_drain is not implemented by this backend's program view");
    }

    /** Releases what the view holds. Idempotent. */
    @Override
    void close();
}
