package org.bpfmaps.simulator.lru;

/**
 * Kernel-exact model of the node allocator behind {@code BPF_MAP_TYPE_LRU_HASH} and
 * {@code BPF_MAP_TYPE_LRU_PERCPU_HASH} ({@code kernel/bpf/bpf_lru_list.c}, as of 6.18,
 * including commit d4adf1c9ee77 "bpf: Adjust free target to avoid global starvation of
 * LRU map").
 *
 * <p>Every element of a preallocated LRU hash table owns one node; the engine works on
 * node indices {@code 0..nodeCount()-1} and never sees keys or values. A hash table using
 * it keeps an element array indexed by node, and:
 * <ul>
 *   <li>calls {@link #acquire(int)} at the start of <em>every</em> update that needs a new
 *       element (LRU_HASH: every update, whatever the flags and whether the key exists;
 *       LRU_PERCPU_HASH: every update whose flags are not {@code BPF_EXIST}), before it
 *       looks the key up. Acquiring may evict other elements through the
 *       {@link LruEvictor} given at creation;</li>
 *   <li>calls {@link #release(int)} for a node whose element left the table (delete,
 *       lookup-and-delete, the old element of a replacing LRU_HASH update) and for an
 *       acquired node that was not used (flag check failed, or the LRU_PERCPU_HASH
 *       update happened in place);</li>
 *   <li>calls {@link #setRef(int)} on program-side lookups, on the new node of an
 *       LRU_HASH update that replaced an existing key, and on the existing node of an
 *       LRU_PERCPU_HASH update in place. Syscall lookups do not touch it.</li>
 * </ul>
 * {@link LruHashFlow} packages these rules for a key table, {@link LruHtab} for an
 * element-based hash table.
 *
 * <p><b>Thread safety.</b> None. The kernel protects these lists with per-CPU and
 * global spin locks; in the simulator the caller holds one lock per map across each whole
 * map operation (engine calls and evictor callbacks included), which yields one of the
 * interleavings the kernel allows and makes single-threaded runs deterministic.
 */
public abstract sealed class LruEngine permits CommonLruEngine, PerCpuLruEngine {

    /** {@code LOCAL_FREE_TARGET}: upper bound of the common LRU's refill batch, and its nr_scans. */
    public static final int LOCAL_FREE_TARGET = 128;
    /** {@code PERCPU_FREE_TARGET}: shrink batch and nr_scans of a per-CPU LRU. */
    public static final int PERCPU_FREE_TARGET = 4;

    final LruNodes nodes;
    final int nrCpus;

    LruEngine(LruNodes nodes, int nrCpus) {
        this.nodes = nodes;
        this.nrCpus = nrCpus;
    }

    /**
     * Creates an engine with all nodes free, laid out as {@code bpf_lru_populate} does.
     *
     * @param nodeCount   number of nodes = the map's effective max_entries (for a per-CPU
     *                    LRU already rounded with {@link #effectiveMaxEntries})
     * @param nrCpus      number of possible CPUs of the simulated kernel
     * @param noCommonLru {@code BPF_F_NO_COMMON_LRU}: one LRU per CPU instead of a common one
     * @param evictor     unlinks the element owning a node from the hash table
     */
    public static LruEngine create(int nodeCount, int nrCpus, boolean noCommonLru, LruEvictor evictor) {
        if (nodeCount <= 0) {
            throw new IllegalArgumentException("nodeCount=" + nodeCount);
        }
        if (nrCpus <= 0) {
            throw new IllegalArgumentException("nrCpus=" + nrCpus);
        }
        if (evictor == null) {
            throw new NullPointerException("evictor");
        }
        return noCommonLru
                ? new PerCpuLruEngine(nodeCount, nrCpus, evictor)
                : new CommonLruEngine(nodeCount, nrCpus, evictor);
    }

    /**
     * max_entries as {@code htab_map_alloc} adjusts it: with {@code BPF_F_NO_COMMON_LRU}
     * rounded up to a multiple of the CPU count in u32 arithmetic (rounded down instead if
     * that wraps below the request); otherwise unchanged.
     *
     * @param maxEntries requested max_entries, an unsigned 32-bit value held in a long
     */
    public static long effectiveMaxEntries(long maxEntries, int nrCpus, boolean noCommonLru) {
        if (!noCommonLru) {
            return maxEntries;
        }
        long mask = 0xFFFF_FFFFL;
        // roundup() in u32 arithmetic: the sum may wrap before the division
        long up = (((maxEntries + nrCpus - 1) & mask) / nrCpus * nrCpus) & mask;
        if (up < maxEntries) {
            return maxEntries / nrCpus * nrCpus;
        }
        return up;
    }

    /**
     * {@code bpf_lru_pop_free} run on {@code cpu}: hands out a node for a new element,
     * evicting older elements if the lists require it. The node comes back with its
     * reference bit clear, already on the list the kernel puts it on (the CPU's
     * LOCAL_PENDING list for a common LRU, the head of the CPU's INACTIVE list for a
     * per-CPU LRU).
     *
     * @return the node index, or -1 when no node could be found (the kernel's update then
     *         fails with ENOMEM)
     */
    public abstract int acquire(int cpu);

    /**
     * {@code bpf_lru_push_free}: the element of {@code node} is no longer in the table
     * (deleted, replaced, or never inserted). A node still pending on its CPU goes back to
     * that CPU's local free list; any other node to the FREE list of its
     * {@code bpf_lru_list}.
     *
     * @throws IllegalStateException if the node is already free (the kernel WARNs and
     *                               ignores; here it is a caller bug)
     */
    public abstract void release(int node);

    /** {@code bpf_lru_node_set_ref}: marks the node referenced. */
    public final void setRef(int node) {
        checkNode(node);
        nodes.ref[node] = true;
    }

    /** The node's reference bit. */
    public final boolean isRef(int node) {
        checkNode(node);
        return nodes.ref[node];
    }

    /** The list the node is on. */
    public final LruNodeState state(int node) {
        checkNode(node);
        return nodes.state[node];
    }

    /**
     * The node's {@code cpu} field: for a common LRU the CPU that last acquired it, for a
     * per-CPU LRU the CPU that owns it for ever.
     */
    public final int nodeCpu(int node) {
        checkNode(node);
        return nodes.cpu[node];
    }

    public final int nodeCount() {
        return nodes.nodeCount;
    }

    public final int cpuCount() {
        return nrCpus;
    }

    /** Whether this is a {@code BPF_F_NO_COMMON_LRU} engine. */
    public abstract boolean perCpu();

    /**
     * The nodes of one list, first (most recently added) to last (next candidate for
     * eviction). {@code cpu} selects the CPU for local lists and, for a per-CPU engine, for
     * every list; it is ignored for the global lists of a common engine. For tests and
     * diagnostics.
     */
    public abstract int[] listNodes(LruNodeState list, int cpu);

    /**
     * Checks every list of the engine (links, node states, counters, cursors) and that each
     * node is on exactly one list; throws {@link IllegalStateException} otherwise. For tests.
     */
    public abstract void verify();

    final void checkNode(int node) {
        if (node < 0 || node >= nodes.nodeCount) {
            throw new IndexOutOfBoundsException("node " + node + " of " + nodes.nodeCount);
        }
    }

    final void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= nrCpus) {
            throw new IndexOutOfBoundsException("cpu " + cpu + " of " + nrCpus);
        }
    }
}
