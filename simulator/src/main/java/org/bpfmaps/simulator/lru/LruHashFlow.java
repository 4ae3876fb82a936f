package org.bpfmaps.simulator.lru;

/**
 * The element-operation flows of the kernel's LRU hash maps ({@code kernel/bpf/hashtab.c}),
 * written against a minimal {@link Table} so that any hash-table implementation can reuse
 * them: the order of node acquisition, flag checks, linking, reference marking and node
 * release is what decides which keys an LRU map evicts.
 *
 * <p>Results are 0 or a positive errno. The caller holds the map's lock for the whole call
 * (see {@link LruEngine}); unknown-flag and {@code BPF_F_LOCK} validation that the table
 * performs before reaching the kernel's update function is the caller's business, except
 * that flags above {@code BPF_EXIST} are rejected here with EINVAL before any node is
 * acquired, as {@code htab_lru_map_update_elem} does.
 */
public final class LruHashFlow {

    public static final int BPF_ANY = 0;
    public static final int BPF_NOEXIST = 1;
    public static final int BPF_EXIST = 2;

    public static final int ENOENT = 2;
    public static final int ENOMEM = 12;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;

    private LruHashFlow() {
    }

    /**
     * The hash-table side of an LRU map, indexed by node: element {@code n} of the
     * preallocated element array belongs to node {@code n}.
     *
     * @param <K> key representation
     */
    public interface Table<K> {

        /** Node of the live element with this key, or -1. */
        int find(K key);

        /**
         * Fills element {@code node} with the key and the value of the update in progress
         * (for per-CPU maps: initialises every CPU slot the way the update asks) and links it
         * at the head of its bucket.
         */
        void insertAtHead(K key, int node);

        /** Unlinks the live element of {@code node} from its bucket (value may be discarded). */
        void unlink(int node);

        /** LRU_PERCPU_HASH only: writes the update's value into the existing element, in place. */
        default void updateInPlace(int node) {
            throw new UnsupportedOperationException("in-place update is only used by LRU_PERCPU_HASH");
        }
    }

    /**
     * {@code htab_lru_map_update_elem} (LRU_HASH) on CPU {@code cpu}: acquire a node first
     * (may evict, even if the update then fails), look the key up, check the flags
     * (failure releases the new node), link the new element at the bucket head, and for an
     * existing key mark the new node referenced, unlink the old element and release its
     * node.
     */
    public static <K> int updateLruHash(LruEngine lru, Table<K> table, K key, long flags, int cpu) {
        if (flags < 0 || flags > BPF_EXIST) {
            return EINVAL;
        }
        int node = lru.acquire(cpu);
        if (node < 0) {
            return ENOMEM;
        }
        int old = table.find(key);
        int err = checkFlags(old, flags);
        if (err != 0) {
            lru.release(node);
            return err;
        }
        table.insertAtHead(key, node);
        if (old >= 0) {
            lru.setRef(node);
            table.unlink(old);
            lru.release(old);
        }
        return 0;
    }

    /**
     * {@code __htab_lru_percpu_map_update_elem} (LRU_PERCPU_HASH) on CPU {@code cpu}: unless
     * the flags are exactly {@code BPF_EXIST}, acquire a node first (may evict); look the key
     * up and check the flags; an existing element is marked referenced and updated in place
     * (the acquired node is released), a missing one is created from the acquired node.
     */
    public static <K> int updateLruPercpuHash(LruEngine lru, Table<K> table, K key, long flags, int cpu) {
        if (flags < 0 || flags > BPF_EXIST) {
            return EINVAL;
        }
        int node = -1;
        if (flags != BPF_EXIST) {
            node = lru.acquire(cpu);
            if (node < 0) {
                return ENOMEM;
            }
        }
        int old = table.find(key);
        int err = checkFlags(old, flags);
        if (err == 0) {
            if (old >= 0) {
                lru.setRef(old);
                table.updateInPlace(old);
            } else {
                table.insertAtHead(key, node);
                node = -1;
            }
        }
        if (node >= 0) {
            lru.release(node);
        }
        return err;
    }

    /** {@code htab_lru_map_delete_elem} / lookup-and-delete: unlink, then release the node. */
    public static <K> int delete(LruEngine lru, Table<K> table, K key) {
        int node = table.find(key);
        if (node < 0) {
            return ENOENT;
        }
        table.unlink(node);
        lru.release(node);
        return 0;
    }

    /**
     * Lookup from a BPF program ({@code htab_lru_map_lookup_elem} and its inlined form):
     * marks the node referenced. Syscall lookups use the table directly and mark nothing.
     *
     * @return the node of the element found, or -1
     */
    public static <K> int programLookup(LruEngine lru, Table<K> table, K key) {
        int node = table.find(key);
        if (node >= 0) {
            lru.setRef(node);
        }
        return node;
    }

    private static int checkFlags(int old, long flags) {
        if (old >= 0 && flags == BPF_NOEXIST) {
            return EEXIST;
        }
        if (old < 0 && flags == BPF_EXIST) {
            return ENOENT;
        }
        return 0;
    }
}
