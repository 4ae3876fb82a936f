package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.LruNodeState.ACTIVE;
import static org.bpfmaps.simulator.lru.LruNodeState.FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.INACTIVE;
import static org.bpfmaps.simulator.lru.LruNodeState.LOCAL_FREE;
import static org.bpfmaps.simulator.lru.LruNodeState.LOCAL_PENDING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** List-level behaviour of the engines, node by node. */
class LruEngineTest {

    /** Evictor that records its calls and accepts every node that is marked live. */
    private static final class Recorder implements LruEvictor {
        final List<Integer> calls = new ArrayList<>();
        final boolean[] live;

        Recorder(int n) {
            live = new boolean[n];
        }

        @Override
        public boolean evict(int node) {
            calls.add(node);
            if (!live[node]) {
                return false;
            }
            live[node] = false;
            return true;
        }
    }

    private static int take(LruEngine e, Recorder r, int cpu) {
        int node = e.acquire(cpu);
        if (node >= 0) {
            r.live[node] = true;
        }
        return node;
    }

    @Test
    void targetFreeIsHalfThePerCpuShareClamped() {
        assertEquals(1, ((CommonLruEngine) LruEngine.create(1, 4, false, n -> false)).targetFree());
        assertEquals(1, ((CommonLruEngine) LruEngine.create(4, 2, false, n -> false)).targetFree());
        assertEquals(2, ((CommonLruEngine) LruEngine.create(8, 2, false, n -> false)).targetFree());
        assertEquals(42, ((CommonLruEngine) LruEngine.create(256, 3, false, n -> false)).targetFree());
        assertEquals(128, ((CommonLruEngine) LruEngine.create(100_000, 2, false, n -> false)).targetFree());
    }

    @Test
    void commonPopulateAndFirstRefill() {
        Recorder r = new Recorder(8);
        LruEngine e = LruEngine.create(8, 2, false, r);
        assertArrayEquals(new int[] {7, 6, 5, 4, 3, 2, 1, 0}, e.listNodes(FREE, 0));
        assertEquals(6, take(e, r, 0)); // nodes 7 then 6 move to CPU 0's local free list, head first
        assertArrayEquals(new int[] {7}, e.listNodes(LOCAL_FREE, 0));
        assertArrayEquals(new int[] {6}, e.listNodes(LOCAL_PENDING, 0));
        assertEquals(7, take(e, r, 0));
        assertArrayEquals(new int[] {7, 6}, e.listNodes(LOCAL_PENDING, 0));
        assertEquals(0, e.nodeCpu(7));
        assertEquals(4, take(e, r, 1));
        assertEquals(1, e.nodeCpu(4));
        assertEquals(LOCAL_PENDING, e.state(4));
        // CPU 0's next refill flushes its pending nodes, oldest first, onto the INACTIVE head
        assertEquals(2, take(e, r, 0));
        assertArrayEquals(new int[] {7, 6}, e.listNodes(INACTIVE, 0));
        assertTrue(r.calls.isEmpty());
    }

    @Test
    void releaseOfPendingNodeGoesToItsOwnCpusLocalFreeList() {
        Recorder r = new Recorder(8);
        LruEngine e = LruEngine.create(8, 2, false, r);
        int a = take(e, r, 1);
        e.setRef(a);
        e.release(a);
        assertEquals(LOCAL_FREE, e.state(a));
        assertFalse(e.isRef(a));
        assertEquals(a, e.listNodes(LOCAL_FREE, 1)[0]);
        assertThrows(IllegalStateException.class, () -> e.release(a));
    }

    @Test
    void releaseOfFlushedNodeGoesToGlobalFreeHead() {
        Recorder r = new Recorder(4);
        LruEngine e = LruEngine.create(4, 2, false, r); // target_free 1
        int a = take(e, r, 0);
        take(e, r, 0); // flushes a to INACTIVE
        assertEquals(INACTIVE, e.state(a));
        e.release(a);
        assertEquals(FREE, e.state(a));
        assertEquals(a, e.listNodes(FREE, 0)[0]);
        assertThrows(IllegalStateException.class, () -> e.release(a));
    }

    @Test
    void stealTakesAnotherCpusPendingNodeAndAdvancesNextSteal() {
        Recorder r = new Recorder(1);
        CommonLruEngine e = (CommonLruEngine) LruEngine.create(1, 2, false, r);
        assertEquals(0, take(e, r, 0));
        e.setRef(0); // the second, forced pass ignores the reference bit
        assertEquals(1, e.nextSteal(1));
        assertEquals(0, take(e, r, 1));
        assertEquals(List.of(0), r.calls);
        assertEquals(1, e.nodeCpu(0));
        assertEquals(1, e.nextSteal(1)); // stopped at CPU 0, cursor is the CPU after it
        assertArrayEquals(new int[] {0}, e.listNodes(LOCAL_PENDING, 1));
        assertArrayEquals(new int[0], e.listNodes(LOCAL_PENDING, 0));
    }

    @Test
    void acquireFailsWhenNoElementCanBeEvicted() {
        Recorder r = new Recorder(1);
        CommonLruEngine e = (CommonLruEngine) LruEngine.create(1, 3, false, r);
        assertEquals(0, e.acquire(0)); // handed out but never linked: the evictor refuses it
        assertEquals(-1, e.acquire(2));
        assertEquals(2, e.nextSteal(2)); // wrapped all the way round
        assertEquals(List.of(0, 0), r.calls); // unreferenced pass, then forced pass
    }

    @Test
    void perCpuPopulateDividesNodesInRuns() {
        Recorder r = new Recorder(8);
        LruEngine e = LruEngine.create(8, 2, true, r);
        assertArrayEquals(new int[] {3, 2, 1, 0}, e.listNodes(FREE, 0));
        assertArrayEquals(new int[] {7, 6, 5, 4}, e.listNodes(FREE, 1));
        assertEquals(1, e.nodeCpu(4));
        assertEquals(7, take(e, r, 1));
        assertArrayEquals(new int[] {7}, e.listNodes(INACTIVE, 1));
        assertThrows(IllegalArgumentException.class, () -> LruEngine.create(5, 2, true, r));
    }

    @Test
    void perCpuForceShrinkEvictsOldestWhenEverythingIsReferenced() {
        Recorder r = new Recorder(2);
        LruEngine e = LruEngine.create(2, 1, true, r);
        int a = take(e, r, 0);
        int b = take(e, r, 0);
        e.setRef(a);
        e.setRef(b);
        // rotation moves both to ACTIVE (clearing ref); INACTIVE is empty so the
        // force shrink takes the ACTIVE tail, which is a
        assertEquals(a, take(e, r, 0));
        assertEquals(List.of(a), r.calls);
        assertArrayEquals(new int[] {b}, e.listNodes(ACTIVE, 0));
        assertFalse(e.isRef(b));
        assertArrayEquals(new int[] {a}, e.listNodes(INACTIVE, 0));
    }

    @Test
    void referencedPendingNodesAreFlushedToActive() {
        Recorder r = new Recorder(8);
        LruEngine e = LruEngine.create(8, 2, false, r); // target_free 2
        int a = take(e, r, 0);
        int b = take(e, r, 0);
        e.setRef(b);
        take(e, r, 0);
        assertArrayEquals(new int[] {b}, e.listNodes(ACTIVE, 0));
        assertArrayEquals(new int[] {a}, e.listNodes(INACTIVE, 0));
        assertFalse(e.isRef(b));
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> LruEngine.create(0, 1, false, n -> true));
        assertThrows(IllegalArgumentException.class, () -> LruEngine.create(1, 0, false, n -> true));
        LruEngine e = LruEngine.create(2, 2, false, n -> true);
        assertThrows(IndexOutOfBoundsException.class, () -> e.acquire(2));
        assertThrows(IndexOutOfBoundsException.class, () -> e.setRef(2));
    }
}
