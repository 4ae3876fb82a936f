package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.LruNodeState.ACTIVE;
import static org.bpfmaps.simulator.lru.LruNodeState.FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.INACTIVE;
import static org.bpfmaps.simulator.lru.LruNodeState.LOCAL_FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.LOCAL_PENDING;

/**
 * The default (common) LRU: one global {@link LruList} plus, per CPU, a LOCAL_FREE and a
 * LOCAL_PENDING list and a {@code next_steal} cursor ({@code struct bpf_common_lru} and
 * {@code struct bpf_lru_locallist}).
 *
 * <p>Acquire on CPU c: take the first LOCAL_FREE node of c; if there is none, refill
 * (flush c's pending nodes into the global lists, rotate, move up to target_free nodes
 * from the global FREE list, shrink for the rest) and try again; if still none, steal
 * round-robin from the CPUs' local lists starting at c's {@code next_steal}. The node is
 * then put at the head of c's LOCAL_PENDING list.
 */
final class CommonLruEngine extends LruEngine {

    private final LruEvictor evictor;
    private final LruList global;
    private final int[] localFreeHead;
    private final int[] localPendingHead;
    private final int[] nextSteal;
    private final int targetFree;

    CommonLruEngine(int nodeCount, int nrCpus, LruEvictor evictor) {
        super(new LruNodes(nodeCount, 3 + 2 * nrCpus), nrCpus);
        this.evictor = evictor;
        this.global = new LruList(nodes, evictor, LOCAL_FREE_TARGET);
        this.localFreeHead = new int[nrCpus];
        this.localPendingHead = new int[nrCpus];
        this.nextSteal = new int[nrCpus];
        for (int c = 0; c < nrCpus; c++) {
            localFreeHead[c] = nodes.newHead();
            localPendingHead[c] = nodes.newHead();
            nextSteal[c] = c;
        }
        // bpf_common_lru_populate: element i is added at the head, so the FREE list runs
        // from the last element to element 0.
        for (int i = 0; i < nodeCount; i++) {
            nodes.state[i] = FREE;
            nodes.ref[i] = false;
            nodes.addFirst(i, global.freeHead);
        }
        this.targetFree = Math.max(1, Math.min((nodeCount / nrCpus) / 2, LOCAL_FREE_TARGET));
    }

    /** {@code lru->target_free} = clamp((nr_elems / num_possible_cpus) / 2, 1, LOCAL_FREE_TARGET). */
    public int targetFree() {
        return targetFree;
    }

    /** The CPU whose local lists the next steal by {@code cpu} starts at. */
    public int nextSteal(int cpu) {
        checkCpu(cpu);
        return nextSteal[cpu];
    }

    @Override
    public boolean perCpu() {
        return false;
    }

    @Override
    public int acquire(int cpu) {
        checkCpu(cpu);
        int node = popLocalFree(cpu);
        if (node < 0) {
            refillLocalFree(cpu);
            node = popLocalFree(cpu);
        }
        if (node >= 0) {
            addPending(cpu, node);
            return node;
        }
        int first = nextSteal[cpu];
        int steal = first;
        do {
            node = popLocalFree(steal);
            if (node < 0) {
                node = popPending(steal);
            }
            steal = (steal + 1) % nrCpus;
        } while (node < 0 && steal != first);
        nextSteal[cpu] = steal;
        if (node >= 0) {
            addPending(cpu, node);
        }
        return node;
    }

    @Override
    public void release(int node) {
        checkNode(node);
        LruNodeState s = nodes.state[node];
        if (s == FREE || s == LOCAL_FREE) {
            throw new IllegalStateException("node " + node + " released twice (" + s + ")");
        }
        if (s == LOCAL_PENDING) {
            nodes.state[node] = LOCAL_FREE;
            nodes.ref[node] = false;
            nodes.moveFirst(node, localFreeHead[nodes.cpu[node]]);
            return;
        }
        global.move(node, FREE);
    }

    @Override
    public int[] listNodes(LruNodeState list, int cpu) {
        switch (list) {
            case ACTIVE:
            case INACTIVE:
            case FREE:
                return nodes.toArray(global.head(list));
            case LOCAL_FREE:
                checkCpu(cpu);
                return nodes.toArray(localFreeHead[cpu]);
            case LOCAL_PENDING:
                checkCpu(cpu);
                return nodes.toArray(localPendingHead[cpu]);
            default:
                throw new IllegalArgumentException(String.valueOf(list));
        }
    }

    @Override
    public void verify() {
        int total = global.verify();
        for (int c = 0; c < nrCpus; c++) {
            total += nodes.verifyList(localFreeHead[c], LOCAL_FREE);
            total += nodes.verifyList(localPendingHead[c], LOCAL_PENDING);
            for (int node : nodes.toArray(localPendingHead[c])) {
                if (nodes.cpu[node] != c) {
                    throw new IllegalStateException("node " + node + " pending on CPU " + c + " says CPU " + nodes.cpu[node]);
                }
            }
        }
        if (total != nodes.nodeCount) {
            throw new IllegalStateException(total + " nodes on lists, " + nodes.nodeCount + " exist");
        }
    }

    /** {@code __local_list_pop_free}: unlinks the first local free node; its state stays LOCAL_FREE until re-listed. */
    private int popLocalFree(int cpu) {
        int head = localFreeHead[cpu];
        if (nodes.isEmpty(head)) {
            return -1;
        }
        int node = nodes.next[head];
        nodes.unlink(node);
        return node;
    }

    /**
     * {@code __local_list_pop_pending}: from the tail (oldest), the first unreferenced
     * node whose element can be evicted; failing that, the first evictable one whatever
     * its reference bit.
     */
    private int popPending(int cpu) {
        int head = localPendingHead[cpu];
        for (int pass = 0; pass < 2; pass++) {
            boolean force = pass == 1;
            for (int node = nodes.prev[head]; node != head; node = nodes.prev[node]) {
                if ((!nodes.ref[node] || force) && evictor.evict(node)) {
                    nodes.unlink(node);
                    return node;
                }
            }
        }
        return -1;
    }

    /** {@code __local_list_add_pending}. */
    private void addPending(int cpu, int node) {
        nodes.cpu[node] = cpu;
        nodes.state[node] = LOCAL_PENDING;
        nodes.ref[node] = false;
        nodes.addFirst(node, localPendingHead[cpu]);
    }

    /** {@code bpf_lru_list_pop_free_to_local}. */
    private void refillLocalFree(int cpu) {
        flushPending(cpu);
        global.rotate();
        int freed = 0;
        int head = global.freeHead;
        int node = nodes.next[head];
        int tmp = nodes.next[node];
        while (node != head) {
            global.moveToFree(node, localFreeHead[cpu], LOCAL_FREE);
            if (++freed == targetFree) {
                break;
            }
            node = tmp;
            tmp = nodes.next[node];
        }
        if (freed < targetFree) {
            global.shrink(targetFree - freed, localFreeHead[cpu], LOCAL_FREE);
        }
    }

    /** {@code __local_list_flush}: pending nodes, oldest first, to the ACTIVE (referenced) or INACTIVE head. */
    private void flushPending(int cpu) {
        int head = localPendingHead[cpu];
        int node = nodes.prev[head];
        int tmp = nodes.prev[node];
        while (node != head) {
            global.moveIn(node, nodes.ref[node] ? ACTIVE : INACTIVE);
            node = tmp;
            tmp = nodes.prev[node];
        }
    }
}
