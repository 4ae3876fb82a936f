package org.bpfmaps;

/**
 * Every kernel map type ({@code enum bpf_map_type}, ids 0..33) with the name bpftool prints for it.
 */
public enum MapType {
    /** Id 0: not a map type; creation fails with {@code EINVAL}. */
    UNSPEC(0, "unspec"),
    /** Hash table. */
    HASH(1, "hash"),
    /** Array indexed by a u32. */
    ARRAY(2, "array"),
    /** Array of program fds for tail calls. */
    PROG_ARRAY(3, "prog_array"),
    /** Array of perf event fds. */
    PERF_EVENT_ARRAY(4, "perf_event_array"),
    /** Hash table with one value per possible CPU. */
    PERCPU_HASH(5, "percpu_hash"),
    /** Array with one value per possible CPU. */
    PERCPU_ARRAY(6, "percpu_array"),
    /** Stack traces filled by {@code bpf_get_stackid()}. */
    STACK_TRACE(7, "stack_trace"),
    /** Array of cgroup v2 directory fds. */
    CGROUP_ARRAY(8, "cgroup_array"),
    /** Hash table that evicts old elements when full. */
    LRU_HASH(9, "lru_hash"),
    /** LRU hash table with one value per possible CPU. */
    LRU_PERCPU_HASH(10, "lru_percpu_hash"),
    /** Longest-prefix-match trie. */
    LPM_TRIE(11, "lpm_trie"),
    /** Array whose values are maps. */
    ARRAY_OF_MAPS(12, "array_of_maps"),
    /** Hash table whose values are maps. */
    HASH_OF_MAPS(13, "hash_of_maps"),
    /** Array of network devices for XDP redirect. */
    DEVMAP(14, "devmap"),
    /** Array of sockets. */
    SOCKMAP(15, "sockmap"),
    /** Array of CPUs for XDP redirect. */
    CPUMAP(16, "cpumap"),
    /** Array of AF_XDP sockets. */
    XSKMAP(17, "xskmap"),
    /** Hash table of sockets. */
    SOCKHASH(18, "sockhash"),
    /** Deprecated per-cgroup storage. */
    CGROUP_STORAGE(19, "cgroup_storage"),
    /** Array of SO_REUSEPORT sockets. */
    REUSEPORT_SOCKARRAY(20, "reuseport_sockarray"),
    /** Deprecated per-cgroup, per-CPU storage. */
    PERCPU_CGROUP_STORAGE(21, "percpu_cgroup_storage"),
    /** FIFO queue. */
    QUEUE(22, "queue"),
    /** LIFO stack. */
    STACK(23, "stack"),
    /** Socket-local storage. */
    SK_STORAGE(24, "sk_storage"),
    /** Hash table of network devices for XDP redirect. */
    DEVMAP_HASH(25, "devmap_hash"),
    /** Kernel struct_ops registration. */
    STRUCT_OPS(26, "struct_ops"),
    /** Ring buffer, kernel producer and user-space consumer. */
    RINGBUF(27, "ringbuf"),
    /** Inode-local storage. */
    INODE_STORAGE(28, "inode_storage"),
    /** Task-local storage. */
    TASK_STORAGE(29, "task_storage"),
    /** Bloom filter. */
    BLOOM_FILTER(30, "bloom_filter"),
    /** Ring buffer, user-space producer and kernel consumer. */
    USER_RINGBUF(31, "user_ringbuf"),
    /** Cgroup-local storage. */
    CGRP_STORAGE(32, "cgrp_storage"),
    /** Memory arena shared by programs and user space. */
    ARENA(33, "arena");

    private static final MapType[] BY_ID = values();

    private final int id;
    private final String bpftoolName;

    MapType(int id, String bpftoolName) {
        this.id = id;
        this.bpftoolName = bpftoolName;
    }

    /** The kernel's numeric id of this type. */
    public int id() {
        return id;
    }

    /** The name bpftool uses for this type, e.g. {@code percpu_array}. */
    public String bpftoolName() {
        return bpftoolName;
    }

    /** The type with a kernel id, or {@code null} when the id is not a known type. */
    public static MapType ofId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The type bpftool calls {@code name}, or {@code null}. */
    public static MapType ofBpftoolName(String name) {
        for (MapType t : BY_ID) {
            if (t.bpftoolName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Whether user space sees one value per possible CPU, each {@code round_up(value_size, 8)} bytes apart. */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Whether this type is a kernel {@code htab}: bucketed, with u32 bucket-index batch cursors. */
    public boolean isHashTable() {
        return this == HASH || this == PERCPU_HASH || this == LRU_HASH || this == LRU_PERCPU_HASH
                || this == HASH_OF_MAPS;
    }

    /** Whether this type is one of the two LRU hash tables. */
    public boolean isLru() {
        return this == LRU_HASH || this == LRU_PERCPU_HASH;
    }

    /** Whether this type is a plain or per-CPU array of values (not of fds). */
    public boolean isArray() {
        return this == ARRAY || this == PERCPU_ARRAY;
    }

    /** Whether elements are pushed and popped with a null key (queue, stack, bloom filter). */
    public boolean isKeyless() {
        return this == QUEUE || this == STACK || this == BLOOM_FILTER;
    }

    /** Whether this type is one of the ring buffers. */
    public boolean isRingBuffer() {
        return this == RINGBUF || this == USER_RINGBUF;
    }
}
