/**
 * {@code BPF_MAP_TYPE_RINGBUF} and {@code BPF_MAP_TYPE_USER_RINGBUF} in the simulator, byte-exact with Linux 6.18.
 *
 * <p>{@link org.bpfmaps.simulator.ringbuf.RingMemory} holds what the kernel's {@code struct bpf_ringbuf} shares
 * with user space: the consumer page, the producer page and the data area, as bytes with the kernel's record
 * headers. {@link org.bpfmaps.simulator.ringbuf.SimRingBuffer} is the kernel-producer ring (the helpers
 * {@code bpf_ringbuf_reserve/submit/discard/output/query}), read by
 * {@link org.bpfmaps.simulator.ringbuf.SimRingBufferReader}; {@link org.bpfmaps.simulator.ringbuf.SimUserRingBuffer}
 * is the user-producer ring, written by {@link org.bpfmaps.simulator.ringbuf.SimUserRingBufferWriter} and drained
 * by {@code bpf_user_ringbuf_drain}. {@link org.bpfmaps.simulator.ringbuf.RingBufMap} is the per-type adapter the
 * simulator's map objects delegate to (create checks, the all-{@code ENOTSUPP} element matrix, memlock).
 */
package org.bpfmaps.simulator.ringbuf;
