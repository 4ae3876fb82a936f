package org.bpfmaps.simulator.lru;

import java.util.Arrays;

/**
 * Storage for the nodes of one engine: circular doubly linked lists kept in int arrays,
 * with the same head/tail conventions as the kernel's {@code struct list_head}.
 *
 * <p>Indices {@code 0..nodeCount-1} are nodes; indices from {@code nodeCount} on are list
 * heads (sentinels). "Add" links right after the head, so the first element of a list is
 * the most recently added one and the tail ({@code prev[head]}) the oldest. Not
 * thread-safe; the owning engine's caller serialises access.
 */
final class LruNodes {

    final int nodeCount;
    final int[] next;
    final int[] prev;
    final LruNodeState[] state;
    final int[] cpu;
    final boolean[] ref;
    private int nextHead;

    LruNodes(int nodeCount, int headCount) {
        this.nodeCount = nodeCount;
        int total = Math.addExact(nodeCount, headCount);
        next = new int[total];
        prev = new int[total];
        Arrays.fill(next, -1);
        Arrays.fill(prev, -1);
        state = new LruNodeState[nodeCount];
        cpu = new int[nodeCount];
        ref = new boolean[nodeCount];
        nextHead = nodeCount;
    }

    /** Allocates one list head and makes it an empty list. */
    int newHead() {
        int h = nextHead++;
        next[h] = h;
        prev[h] = h;
        return h;
    }

    boolean isEmpty(int head) {
        return next[head] == head;
    }

    /** Kernel {@code list_add}: links {@code node} right after {@code head}. */
    void addFirst(int node, int head) {
        int first = next[head];
        next[node] = first;
        prev[node] = head;
        prev[first] = node;
        next[head] = node;
    }

    /** Kernel {@code list_del}. */
    void unlink(int node) {
        int p = prev[node];
        int n = next[node];
        next[p] = n;
        prev[n] = p;
        next[node] = -1;
        prev[node] = -1;
    }

    /** Kernel {@code list_move}: unlink, then link right after {@code head}. */
    void moveFirst(int node, int head) {
        unlink(node);
        addFirst(node, head);
    }

    /** The nodes of a list from first (head side) to last (tail side). */
    int[] toArray(int head) {
        int n = 0;
        for (int x = next[head]; x != head; x = next[x]) {
            n++;
        }
        int[] out = new int[n];
        int i = 0;
        for (int x = next[head]; x != head; x = next[x]) {
            out[i++] = x;
        }
        return out;
    }

    /** Checks links and states of one list; returns its length. */
    int verifyList(int head, LruNodeState expected) {
        int n = 0;
        int prevNode = head;
        for (int x = next[head]; x != head; x = next[x]) {
            if (x < 0 || x >= nodeCount || prev[x] != prevNode) {
                throw new IllegalStateException("broken list link at " + x);
            }
            if (state[x] != expected) {
                throw new IllegalStateException("node " + x + " is " + state[x] + " on a " + expected + " list");
            }
            prevNode = x;
            if (++n > nodeCount) {
                throw new IllegalStateException("cycle in " + expected + " list");
            }
        }
        if (prev[head] != prevNode) {
            throw new IllegalStateException("tail link of " + expected + " list");
        }
        return n;
    }

    int length(int head) {
        int n = 0;
        for (int x = next[head]; x != head; x = next[x]) {
            n++;
        }
        return n;
    }
}
