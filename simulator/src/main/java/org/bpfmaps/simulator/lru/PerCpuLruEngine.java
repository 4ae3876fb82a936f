package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.LruNodeState.FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.INACTIVE;

/**
 * {@code BPF_F_NO_COMMON_LRU}: one {@link LruList} per CPU, nodes divided evenly between
 * CPUs at creation and never moving between them. Acquire on CPU c rotates c's list,
 * shrinks it by {@link #PERCPU_FREE_TARGET} if its FREE list is empty, and moves the first
 * FREE node to the head of c's INACTIVE list. nr_scans is {@link #PERCPU_FREE_TARGET}.
 */
final class PerCpuLruEngine extends LruEngine {

    private final LruList[] lists;

    PerCpuLruEngine(int nodeCount, int nrCpus, LruEvictor evictor) {
        super(new LruNodes(nodeCount, 3 * nrCpus), nrCpus);
        if (nodeCount % nrCpus != 0) {
            throw new IllegalArgumentException("nodeCount " + nodeCount
                    + " is not a multiple of the CPU count " + nrCpus + " (see effectiveMaxEntries)");
        }
        lists = new LruList[nrCpus];
        for (int c = 0; c < nrCpus; c++) {
            lists[c] = new LruList(nodes, evictor, PERCPU_FREE_TARGET);
        }
        // bpf_percpu_lru_populate: consecutive runs of nodeCount/nrCpus elements per CPU,
        // each added at the head of that CPU's FREE list.
        int perCpu = nodeCount / nrCpus;
        int i = 0;
        for (int c = 0; c < nrCpus; c++) {
            for (int k = 0; k < perCpu; k++, i++) {
                nodes.cpu[i] = c;
                nodes.state[i] = FREE;
                nodes.ref[i] = false;
                nodes.addFirst(i, lists[c].freeHead);
            }
        }
    }

    @Override
    public boolean perCpu() {
        return true;
    }

    @Override
    public int acquire(int cpu) {
        checkCpu(cpu);
        LruList l = lists[cpu];
        l.rotate();
        if (nodes.isEmpty(l.freeHead)) {
            l.shrink(PERCPU_FREE_TARGET, l.freeHead, FREE);
        }
        if (nodes.isEmpty(l.freeHead)) {
            return -1;
        }
        int node = nodes.next[l.freeHead];
        nodes.ref[node] = false;
        l.move(node, INACTIVE);
        return node;
    }

    @Override
    public void release(int node) {
        checkNode(node);
        if (nodes.state[node] == FREE) {
            throw new IllegalStateException("node " + node + " released twice");
        }
        lists[nodes.cpu[node]].move(node, FREE);
    }

    @Override
    public void verify() {
        int total = 0;
        for (int c = 0; c < nrCpus; c++) {
            total += lists[c].verify();
            for (LruNodeState s : new LruNodeState[] {LruNodeState.ACTIVE, INACTIVE, FREE}) {
                for (int node : nodes.toArray(lists[c].head(s))) {
                    if (nodes.cpu[node] != c) {
                        throw new IllegalStateException("node " + node + " of CPU " + nodes.cpu[node] + " on CPU " + c);
                    }
                }
            }
        }
        if (total != nodes.nodeCount) {
            throw new IllegalStateException(total + " nodes on lists, " + nodes.nodeCount + " exist");
        }
    }

    @Override
    public int[] listNodes(LruNodeState list, int cpu) {
        checkCpu(cpu);
        return nodes.toArray(lists[cpu].head(list));
    }
}
