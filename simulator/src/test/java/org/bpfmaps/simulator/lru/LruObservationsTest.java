package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.Keys.of;
import static org.bpfmaps.simulator.lru.Keys.range;
import static org.bpfmaps.simulator.lru.Keys.union;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_ANY;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_EXIST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The behaviours measured on the 6.18 kernel and recorded in SEMANTICS.md section 4.2
 * (2 possible CPUs, process pinned to CPU 0), replayed on the engine.
 */
class LruObservationsTest {

    private static final int CPUS = 2;

    private static RefLruMap common(int maxEntries) {
        return new RefLruMap(maxEntries, CPUS, false, false);
    }

    private static void fill(RefLruMap m, long from, long to) {
        for (long k = from; k <= to; k++) {
            m.add(k, 0);
        }
    }

    @Test
    void commonFourEntriesEvictsOneAtATimeInInsertionOrder() {
        RefLruMap m = common(4);
        assertEquals(1, ((CommonLruEngine) m.lru).targetFree());
        fill(m, 1, 4);
        assertEquals(of(1, 2, 3, 4), m.keys());
        m.add(5, 0);
        assertEquals(of(2, 3, 4, 5), m.keys());
        m.add(6, 0);
        assertEquals(of(3, 4, 5, 6), m.keys());
        m.add(7, 0);
        assertEquals(of(4, 5, 6, 7), m.keys());
    }

    @Test
    void commonEightEntriesEvictsTwoAtATime() {
        RefLruMap m = common(8);
        assertEquals(2, ((CommonLruEngine) m.lru).targetFree());
        fill(m, 1, 8);
        m.add(9, 0);
        assertEquals(range(3, 9), m.keys());
        assertEquals(7, m.size());
        m.add(10, 0);
        assertEquals(range(3, 10), m.keys());
        m.add(11, 0);
        assertEquals(range(5, 11), m.keys());
    }

    @Test
    void updateOfExistingKeyInFullMapEvictsOtherKeys() {
        RefLruMap m = common(8);
        fill(m, 1, 8);
        assertEquals(0, m.update(3, BPF_ANY, 0));
        assertEquals(range(3, 8), m.keys());
        assertEquals(6, m.size());
    }

    @Test
    void existUpdateOfOldestKeyFailsBecauseItsOwnAcquireEvictedIt() {
        RefLruMap m = common(8);
        fill(m, 1, 8);
        assertEquals(LruHashFlow.ENOENT, m.update(1, BPF_EXIST, 0));
        assertEquals(range(3, 8), m.keys());
    }

    @Test
    void noCommonLruSingleCpuHoldsOnlyItsShareAndShrinksByFour() {
        RefLruMap m = new RefLruMap(8, CPUS, true, false);
        fill(m, 1, 4);
        assertEquals(range(1, 4), m.keys());
        m.add(5, 0);
        assertEquals(of(5), m.keys());
    }

    @Test
    void noCommonLruOtherCpuHasItsOwnShare() {
        RefLruMap m = new RefLruMap(8, CPUS, true, false);
        fill(m, 1, 4);
        for (long k = 5; k <= 8; k++) {
            m.add(k, 1);
        }
        assertEquals(range(1, 8), m.keys());
        m.add(9, 1);
        assertEquals(union(range(1, 4), of(9)), m.keys());
    }

    @Test
    void noCommonLruRoundsMaxEntriesUpToCpuMultiple() {
        assertEquals(6, LruEngine.effectiveMaxEntries(5, 2, true));
        assertEquals(5, LruEngine.effectiveMaxEntries(5, 2, false));
        assertEquals(0xFFFF_FFFCL, LruEngine.effectiveMaxEntries(0xFFFF_FFFFL, 4, true));
        // u32 wrap: 0xFFFFFFFE + 2 wraps to 0, so the kernel rounds down to 0xFFFFFFFC
        assertEquals(0xFFFF_FFFCL, LruEngine.effectiveMaxEntries(0xFFFF_FFFEL, 3, true));
        assertEquals(0xFFFF_FFFFL, LruEngine.effectiveMaxEntries(0xFFFF_FFFDL, 3, true));
        assertEquals(6, new RefLruMap(5, 2, true, false).lru.nodeCount());
    }

    private static RefLruMap fullEightThenLookups(int lookupKind) {
        RefLruMap m = common(8);
        fill(m, 1, 8);
        for (long k = 1; k <= 4; k++) {
            if (lookupKind == 1) {
                m.syscallLookup(k);
            } else if (lookupKind == 2) {
                m.programLookup(k);
            }
        }
        fill(m, 9, 12);
        return m;
    }

    @Test
    void withoutLookupsTheOldestAreEvicted() {
        assertEquals(range(5, 12), fullEightThenLookups(0).keys());
    }

    @Test
    void syscallLookupsDoNotProtect() {
        assertEquals(range(5, 12), fullEightThenLookups(1).keys());
    }

    @Test
    void programLookupsProtect() {
        assertEquals(of(1, 2, 3, 4, 9, 10, 11, 12), fullEightThenLookups(2).keys());
    }

    @Test
    void lruNeverFailsNewKeyWithNoexistWhenFull() {
        for (boolean percpu : new boolean[] {false, true}) {
            RefLruMap m = new RefLruMap(4, CPUS, false, percpu);
            fill(m, 1, 4);
            assertEquals(0, m.update(100, LruHashFlow.BPF_NOEXIST, 0));
            assertEquals(4, m.size());
        }
    }
}
