/**
 * Ring buffers on the running kernel: the consumer of {@code RINGBUF} maps ({@link
 * org.bpfmaps.linux.ringbuf.LinuxRingBufferReader}) and the producer of {@code USER_RINGBUF} maps ({@link
 * org.bpfmaps.linux.ringbuf.LinuxUserRingBufferWriter}), both working on the maps' shared memory with the
 * kernel's acquire/release protocol, as libbpf's {@code ring_buffer} and {@code user_ring_buffer} do.
 */
package org.bpfmaps.linux.ringbuf;
