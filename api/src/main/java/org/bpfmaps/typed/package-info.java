/**
 * Typed views over raw maps: Java keys and values in, Java keys and values out, through codecs.
 *
 * <p>{@link org.bpfmaps.typed.TypedMap} for maps with one value per key, {@link org.bpfmaps.typed.PerCpuMap}
 * for per-CPU maps, {@link org.bpfmaps.typed.LpmTrie} with {@link org.bpfmaps.typed.LpmKey},
 * {@link org.bpfmaps.typed.BpfQueue}, {@link org.bpfmaps.typed.BpfStack}, {@link org.bpfmaps.typed.BloomFilter},
 * and typed ring buffer readers and writers. Views check sizes when created, reuse their buffers, are not
 * thread-safe (one per thread; the maps underneath are), and behave the same on every backend.
 */
package org.bpfmaps.typed;
