package org.bpfmaps.simulator.lru;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Test-only LRU hash map: key to node bookkeeping (no values, no bucket order) driven by
 * {@link LruHashFlow} and an {@link LruEngine}, enough to replay kernel scenarios and
 * compare the surviving key sets.
 */
final class RefLruMap implements LruHashFlow.Table<Long> {

    final LruEngine lru;
    final boolean percpuValues;
    private final Map<Long, Integer> keyToNode = new HashMap<>();
    private final long[] nodeKey;
    private final boolean[] live;
    int evictions;

    /**
     * @param maxEntries  requested max_entries (rounded for NO_COMMON_LRU like the kernel)
     * @param percpuValues LRU_PERCPU_HASH instead of LRU_HASH
     */
    RefLruMap(int maxEntries, int nrCpus, boolean noCommonLru, boolean percpuValues) {
        int n = (int) LruEngine.effectiveMaxEntries(maxEntries, nrCpus, noCommonLru);
        this.nodeKey = new long[n];
        this.live = new boolean[n];
        this.percpuValues = percpuValues;
        this.lru = LruEngine.create(n, nrCpus, noCommonLru, this::evictNode);
    }

    private boolean evictNode(int node) {
        if (!live[node]) {
            return false;
        }
        unlink(node);
        evictions++;
        return true;
    }

    @Override
    public int find(Long key) {
        Integer n = keyToNode.get(key);
        return n == null ? -1 : n;
    }

    @Override
    public void insertAtHead(Long key, int node) {
        if (live[node]) {
            throw new AssertionError("node " + node + " handed out while live");
        }
        live[node] = true;
        nodeKey[node] = key;
        keyToNode.put(key, node);
    }

    @Override
    public void unlink(int node) {
        if (!live[node]) {
            throw new AssertionError("unlink of dead node " + node);
        }
        live[node] = false;
        // a replacing update links the new element before unlinking the old one
        keyToNode.remove(nodeKey[node], node);
    }

    @Override
    public void updateInPlace(int node) {
        if (!percpuValues) {
            throw new AssertionError("in-place update on LRU_HASH");
        }
    }

    /** Syscall BPF_MAP_UPDATE_ELEM (or program update) on {@code cpu}: 0 or errno. */
    int update(long key, long flags, int cpu) {
        return percpuValues
                ? LruHashFlow.updateLruPercpuHash(lru, this, key, flags, cpu)
                : LruHashFlow.updateLruHash(lru, this, key, flags, cpu);
    }

    void add(long key, int cpu) {
        int err = update(key, LruHashFlow.BPF_NOEXIST, cpu);
        if (err != 0) {
            throw new AssertionError("NOEXIST update of " + key + " failed: errno " + err);
        }
    }

    /** bpf_map_lookup_elem from a program (sets the reference bit). */
    boolean programLookup(long key) {
        return LruHashFlow.programLookup(lru, this, key) >= 0;
    }

    /** Syscall lookup: no reference bit. */
    boolean syscallLookup(long key) {
        return keyToNode.containsKey(key);
    }

    int delete(long key) {
        return LruHashFlow.delete(lru, this, key);
    }

    TreeSet<Long> keys() {
        return new TreeSet<>(keyToNode.keySet());
    }

    int size() {
        return keyToNode.size();
    }
}
