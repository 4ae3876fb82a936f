package org.bpfmaps.simulator.lru;

/**
 * The list a node is on, mirroring the kernel's {@code enum bpf_lru_list_type}.
 * The first three are lists of a {@code bpf_lru_list} (the global one of a common LRU,
 * or one CPU's own list set with {@code BPF_F_NO_COMMON_LRU}); the last two are the
 * per-CPU local lists that only a common LRU has.
 */
public enum LruNodeState {
    /** Referenced recently; survives shrinking until rotated to the inactive list. */
    ACTIVE,
    /** Candidate for eviction, scanned from the tail. */
    INACTIVE,
    /** Free node on a {@code bpf_lru_list}. */
    FREE,
    /** Free node cached on one CPU's local free list (common LRU only). */
    LOCAL_FREE,
    /** Node handed out recently by one CPU, not yet flushed to the global list (common LRU only). */
    LOCAL_PENDING;

    /** Whether the kernel counts this list ({@code NR_BPF_LRU_LIST_COUNT} covers ACTIVE and INACTIVE). */
    boolean counted() {
        return this == ACTIVE || this == INACTIVE;
    }

    /** Whether this is a per-CPU local list type ({@code IS_LOCAL_LIST_TYPE}). */
    boolean local() {
        return this == LOCAL_FREE || this == LOCAL_PENDING;
    }
}
