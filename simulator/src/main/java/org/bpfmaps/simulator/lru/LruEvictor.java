package org.bpfmaps.simulator.lru;

/**
 * Callback through which an {@link LruEngine} removes the element that owns a node from
 * its hash table, the simulator's counterpart of the kernel's {@code del_from_htab}
 * callback ({@code htab_lru_map_delete_node}).
 *
 * <p>The engine calls it while shrinking a list or stealing a pending node. The
 * implementation must unlink the element whose node is {@code node} from its bucket and
 * answer {@code true}, or answer {@code false} when no live element owns that node (the
 * kernel's callback fails the same way when the element is already gone, or when its
 * bucket lock is busy). It must not call back into the engine.
 */
@FunctionalInterface
public interface LruEvictor {

    /**
     * Unlinks the element owning {@code node}.
     *
     * @param node node index, {@code 0 <= node < engine.nodeCount()}
     * @return whether an element was unlinked; on {@code false} the engine leaves the node
     *         where it is and tries the next candidate
     */
    boolean evict(int node);
}
