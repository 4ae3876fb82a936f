package org.bpfmaps.simulator.lru;

import java.util.function.Predicate;

/**
 * The LRU side of an element-based hash table: plugs an {@link LruEngine} into a table that
 * keeps its own buckets and element objects (the simulator's {@code HashTable}), so that
 * LRU_HASH and LRU_PERCPU_HASH evict exactly the keys the kernel evicts.
 *
 * <p>Each element of type {@code E} owns one node for its whole life; the table stores that
 * node index in the element (it is handed out by {@link #acquireForUpdate}) and reports the
 * element's life cycle through the methods below. All calls, and the eviction callback, run
 * under the table's monitor.
 *
 * <p>An update runs in the kernel's order ({@code htab_lru_map_update_elem},
 * {@code __htab_lru_percpu_map_update_elem}):
 * <pre>{@code
 * int node = lru.acquireForUpdate(flags, cpu);        // before the lookup; may evict
 * if (node == LruHtab.NO_MEMORY) return ENOMEM;
 * E old = find(key);
 * int err = checkFlags(old, flags);
 * if (err != 0) { lru.abandon(node); return err; }     // evictions stay done
 * if (old != null && percpuValues) {                  // LRU_PERCPU_HASH: in place
 *     writeValue(old); lru.updatedInPlace(nodeOf(old), node); return 0;
 * }
 * E e = newElement(key, value, node); pushHead(e);    // LRU_HASH: always a new element
 * if (old != null) unlink(old);
 * lru.linked(e, node, old == null ? LruHtab.NONE : nodeOf(old));
 * }</pre>
 * Delete, lookup-and-delete and batch delete call {@link #removed} after unlinking; program
 * lookups call {@link #referenced}; syscall lookups call nothing.
 *
 * @param <E> the table's element type
 */
public final class LruHtab<E> {

    /** "No node": LRU_PERCPU_HASH with {@code BPF_EXIST} acquires none; also "nothing replaced". */
    public static final int NONE = -1;
    /** {@link #acquireForUpdate} found no node: the update fails with ENOMEM. */
    public static final int NO_MEMORY = -2;

    private final LruEngine engine;
    private final Object[] owner;
    private final Predicate<? super E> unlinkIfLinked;
    private final boolean percpuValues;

    /**
     * @param nodeCount      the map's effective max_entries ({@link LruEngine#effectiveMaxEntries})
     * @param cpus           possible CPUs of the simulated kernel
     * @param noCommonLru    {@code BPF_F_NO_COMMON_LRU}
     * @param percpuValues   LRU_PERCPU_HASH (in-place updates, no node for {@code BPF_EXIST})
     * @param unlinkIfLinked the eviction callback: unlinks the element from its bucket and
     *                       answers true, or answers false if it is not linked
     */
    public LruHtab(int nodeCount, int cpus, boolean noCommonLru, boolean percpuValues,
                   Predicate<? super E> unlinkIfLinked) {
        this.owner = new Object[nodeCount];
        this.unlinkIfLinked = unlinkIfLinked;
        this.percpuValues = percpuValues;
        this.engine = LruEngine.create(nodeCount, cpus, noCommonLru, this::evict);
    }

    private boolean evict(int node) {
        @SuppressWarnings("unchecked")
        E e = (E) owner[node];
        if (e == null || !unlinkIfLinked.test(e)) {
            return false;
        }
        owner[node] = null;
        return true;
    }

    /** The engine, for diagnostics and tests. */
    public LruEngine engine() {
        return engine;
    }

    /** The element owning {@code node}, or null. */
    @SuppressWarnings("unchecked")
    public E owner(int node) {
        return (E) owner[node];
    }

    /**
     * First step of every update, before the key is looked up: a node for a possible new
     * element, acquired on {@code cpu} (may evict other elements). LRU_PERCPU_HASH with
     * flags exactly {@code BPF_EXIST} needs none.
     *
     * @param flags the update flags, already validated ({@code <= BPF_EXIST})
     * @return a node, {@link #NONE}, or {@link #NO_MEMORY}
     */
    public int acquireForUpdate(long flags, int cpu) {
        if (percpuValues && flags == LruHashFlow.BPF_EXIST) {
            return NONE;
        }
        int node = engine.acquire(cpu);
        return node < 0 ? NO_MEMORY : node;
    }

    /** The update failed its flag check: the node from {@link #acquireForUpdate} goes back ({@link #NONE} is ignored). */
    public void abandon(int node) {
        if (node >= 0) {
            engine.release(node);
        }
    }

    /**
     * A new element now owns {@code node} and is linked at its bucket head. If it replaced
     * an element (LRU_HASH update of an existing key; the caller has unlinked the old one),
     * the new node is marked referenced and the old node released, as the kernel does.
     *
     * @param replacedNode the old element's node, or {@link #NONE}
     */
    public void linked(E element, int node, int replacedNode) {
        owner[node] = element;
        if (replacedNode >= 0) {
            engine.setRef(node);
            owner[replacedNode] = null;
            engine.release(replacedNode);
        }
    }

    /**
     * LRU_PERCPU_HASH update of an existing element, done in place: the element is marked
     * referenced and the node acquired for the update (if any) goes back.
     */
    public void updatedInPlace(int existingNode, int unusedNode) {
        engine.setRef(existingNode);
        abandon(unusedNode);
    }

    /** The element of {@code node} was unlinked by delete, lookup-and-delete or batch delete. */
    public void removed(int node) {
        owner[node] = null;
        engine.release(node);
    }

    /** A program's lookup found the element of {@code node}. */
    public void referenced(int node) {
        engine.setRef(node);
    }
}
