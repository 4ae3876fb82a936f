package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.LruNodeState.ACTIVE;
import static org.bpfmaps.simulator.lru.LruNodeState.FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.INACTIVE;

/**
 * One {@code struct bpf_lru_list}: ACTIVE, INACTIVE and FREE lists, the ACTIVE/INACTIVE
 * counters and the {@code next_inactive_rotation} cursor, with the kernel's rotate and
 * shrink algorithms ({@code kernel/bpf/bpf_lru_list.c}). A common LRU has one of these
 * (global); a per-CPU LRU has one per CPU.
 *
 * <p>Every move between or within lists clears the node's reference bit, as the kernel
 * does.
 */
final class LruList {

    private final LruNodes nodes;
    private final LruEvictor evictor;
    private final int nrScans;
    final int activeHead;
    final int inactiveHead;
    final int freeHead;
    private int activeCount;
    private int inactiveCount;
    /** A node on the INACTIVE list, or {@link #inactiveHead}. */
    private int nextInactiveRotation;

    LruList(LruNodes nodes, LruEvictor evictor, int nrScans) {
        this.nodes = nodes;
        this.evictor = evictor;
        this.nrScans = nrScans;
        this.activeHead = nodes.newHead();
        this.inactiveHead = nodes.newHead();
        this.freeHead = nodes.newHead();
        this.nextInactiveRotation = inactiveHead;
    }

    int head(LruNodeState s) {
        switch (s) {
            case ACTIVE: return activeHead;
            case INACTIVE: return inactiveHead;
            case FREE: return freeHead;
            default: throw new IllegalArgumentException("not a bpf_lru_list list: " + s);
        }
    }

    int activeCount() {
        return activeCount;
    }

    int inactiveCount() {
        return inactiveCount;
    }

    int nextInactiveRotation() {
        return nextInactiveRotation;
    }

    /**
     * Checks the list structure: every node on a list has that list's state, the counters
     * match the ACTIVE/INACTIVE lengths, and the rotation cursor is on INACTIVE or its head.
     *
     * @return number of nodes on the three lists
     */
    int verify() {
        int total = 0;
        for (LruNodeState s : new LruNodeState[] {ACTIVE, INACTIVE, FREE}) {
            total += nodes.verifyList(head(s), s);
        }
        if (nodes.length(activeHead) != activeCount || nodes.length(inactiveHead) != inactiveCount) {
            throw new IllegalStateException("counts " + activeCount + "/" + inactiveCount + " but lists hold "
                    + nodes.length(activeHead) + "/" + nodes.length(inactiveHead));
        }
        if (nextInactiveRotation != inactiveHead && nodes.state[nextInactiveRotation] != INACTIVE) {
            throw new IllegalStateException("rotation cursor on node " + nextInactiveRotation + " ("
                    + nodes.state[nextInactiveRotation] + ")");
        }
        return total;
    }

    private void countInc(LruNodeState s) {
        if (s == ACTIVE) {
            activeCount++;
        } else if (s == INACTIVE) {
            inactiveCount++;
        }
    }

    private void countDec(LruNodeState s) {
        if (s == ACTIVE) {
            activeCount--;
        } else if (s == INACTIVE) {
            inactiveCount--;
        }
    }

    private void stepCursorIfAt(int node) {
        if (node == nextInactiveRotation) {
            nextInactiveRotation = nodes.prev[nextInactiveRotation];
        }
    }

    /**
     * {@code __bpf_lru_node_move_to_free}: from this list's ACTIVE/INACTIVE/FREE to
     * {@code targetHead}, which is a FREE list (own or a CPU's local one). The reference
     * bit is left as it is, as in the kernel (it is cleared when the node is handed out).
     */
    void moveToFree(int node, int targetHead, LruNodeState targetState) {
        LruNodeState s = nodes.state[node];
        if (s.local()) {
            throw new IllegalStateException("node " + node + " is on a local list: " + s);
        }
        stepCursorIfAt(node);
        countDec(s);
        nodes.state[node] = targetState;
        nodes.moveFirst(node, targetHead);
    }

    /** {@code __bpf_lru_node_move_in}: from a CPU's local list into ACTIVE or INACTIVE. */
    void moveIn(int node, LruNodeState target) {
        LruNodeState s = nodes.state[node];
        if (!s.local() || target.local()) {
            throw new IllegalStateException("move_in of node " + node + " from " + s + " to " + target);
        }
        countInc(target);
        nodes.state[node] = target;
        nodes.ref[node] = false;
        nodes.moveFirst(node, head(target));
    }

    /** {@code __bpf_lru_node_move}: between or within this list's ACTIVE/INACTIVE/FREE, to the head. */
    void move(int node, LruNodeState target) {
        LruNodeState s = nodes.state[node];
        if (s.local() || target.local()) {
            throw new IllegalStateException("move of node " + node + " from " + s + " to " + target);
        }
        if (s != target) {
            countDec(s);
            countInc(target);
            nodes.state[node] = target;
        }
        nodes.ref[node] = false;
        stepCursorIfAt(node);
        nodes.moveFirst(node, head(target));
    }

    /** {@code __bpf_lru_list_rotate}: rotate ACTIVE if INACTIVE is smaller, then always rotate INACTIVE. */
    void rotate() {
        if (inactiveCount < activeCount) {
            rotateActive();
        }
        rotateInactive();
    }

    /**
     * Walks ACTIVE from the tail, at most nr_scans nodes and not past the node that was
     * first when the walk started: referenced nodes go back to the ACTIVE head, the others
     * to the INACTIVE head.
     */
    private void rotateActive() {
        int first = nodes.next[activeHead];
        int node = nodes.prev[activeHead];
        int tmp = nodes.prev[node];
        int scanned = 0;
        while (node != activeHead) {
            move(node, nodes.ref[node] ? ACTIVE : INACTIVE);
            if (++scanned == nrScans || node == first) {
                break;
            }
            node = tmp;
            tmp = nodes.prev[node];
        }
    }

    /**
     * Walks INACTIVE backwards starting at the cursor, wrapping over the list head, for at
     * most nr_scans nodes and stopping at the node after the cursor's start: referenced
     * nodes move to the ACTIVE head, the rest stay. The cursor is left where the walk
     * stopped.
     */
    private void rotateInactive() {
        if (nodes.isEmpty(inactiveHead)) {
            return;
        }
        int last = nodes.next[nextInactiveRotation];
        if (last == inactiveHead) {
            last = nodes.next[last];
        }
        int cur = nextInactiveRotation;
        int after = inactiveHead;
        int scanned = 0;
        while (scanned < nrScans) {
            if (cur == inactiveHead) {
                cur = nodes.prev[cur];
                continue;
            }
            after = nodes.prev[cur];
            if (nodes.ref[cur]) {
                move(cur, ACTIVE);
            }
            if (cur == last) {
                break;
            }
            cur = after;
            scanned++;
        }
        nextInactiveRotation = after;
    }

    /**
     * {@code __bpf_lru_list_shrink_inactive}: walks INACTIVE from the tail for at most
     * nr_scans nodes; referenced nodes move to ACTIVE, the others are evicted through the
     * callback and moved to {@code freeHead} until {@code target} were freed.
     */
    private int shrinkInactive(int target, int targetFreeHead, LruNodeState targetState) {
        int freed = 0;
        int scanned = 0;
        int node = nodes.prev[inactiveHead];
        int tmp = nodes.prev[node];
        while (node != inactiveHead) {
            if (nodes.ref[node]) {
                move(node, ACTIVE);
            } else if (evictor.evict(node)) {
                moveToFree(node, targetFreeHead, targetState);
                if (++freed == target) {
                    break;
                }
            }
            if (++scanned == nrScans) {
                break;
            }
            node = tmp;
            tmp = nodes.prev[node];
        }
        return freed;
    }

    /**
     * {@code __bpf_lru_list_shrink}: shrink INACTIVE; if nothing was freed, force-evict the
     * oldest evictable node of INACTIVE (or of ACTIVE when INACTIVE is empty) regardless of
     * its reference bit.
     *
     * @return number of nodes moved to {@code targetFreeHead}
     */
    int shrink(int target, int targetFreeHead, LruNodeState targetState) {
        int freed = shrinkInactive(target, targetFreeHead, targetState);
        if (freed > 0) {
            return freed;
        }
        int forceHead = nodes.isEmpty(inactiveHead) ? activeHead : inactiveHead;
        int node = nodes.prev[forceHead];
        int tmp = nodes.prev[node];
        while (node != forceHead) {
            if (evictor.evict(node)) {
                moveToFree(node, targetFreeHead, targetState);
                return 1;
            }
            node = tmp;
            tmp = nodes.prev[node];
        }
        return 0;
    }
}
