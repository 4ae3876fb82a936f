/**
 * Kernel-exact LRU for the simulator's {@code LRU_HASH} and {@code LRU_PERCPU_HASH} maps
 * (Linux 6.18: {@code kernel/bpf/bpf_lru_list.c} and the LRU paths of
 * {@code kernel/bpf/hashtab.c}).
 *
 * <p>What is modelled, node for node:
 * <ul>
 *   <li>preallocated nodes, one per element, laid out by {@code bpf_lru_populate} (common: all on
 *       the global FREE list, last element first; per-CPU: consecutive runs per CPU);</li>
 *   <li>common LRU: global ACTIVE/INACTIVE/FREE lists with counters and the
 *       {@code next_inactive_rotation} cursor, per-CPU LOCAL_FREE and LOCAL_PENDING lists, the
 *       {@code next_steal} cursor, refill by {@code target_free = clamp((n / ncpus) / 2, 1, 128)}
 *       (commit d4adf1c9ee77), pending flush, rotation, shrink with forced eviction, round-robin
 *       stealing of free or pending nodes from other CPUs;</li>
 *   <li>per-CPU LRU ({@code BPF_F_NO_COMMON_LRU}): one list set per CPU, max_entries rounded to
 *       a multiple of the CPU count, nodes never change CPU, shrink by 4 with nr_scans 4;</li>
 *   <li>{@code bpf_lru_push_free}: pending nodes back to their CPU's local free list, others to
 *       the FREE list of their list set;</li>
 *   <li>reference bits: set by program lookups, by an LRU_HASH update that replaces a key (on
 *       the new node) and by an LRU_PERCPU_HASH in-place update; cleared by every list move;</li>
 *   <li>the hash-table flows: node acquired before the key lookup (evictions happen even if
 *       the update then fails), unused node released, old node released after replacement,
 *       eviction through a {@code del_from_htab}-style callback that may refuse.</li>
 * </ul>
 *
 * <p>{@link org.bpfmaps.simulator.lru.LruEngine} is the allocator,
 * {@link org.bpfmaps.simulator.lru.LruHashFlow} the flows over a minimal key table, and
 * {@link org.bpfmaps.simulator.lru.LruHtab} the adapter for an element-based hash table.
 * Not thread-safe: the owning map's lock covers every call.
 */
package org.bpfmaps.simulator.lru;
