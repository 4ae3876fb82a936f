package org.bpfmaps.simulator.lru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random operation sequences (updates with every flag, deletes, program and syscall lookups,
 * several CPUs) checking the engine's structural invariants after every operation and the
 * kernel's guarantees: never more live keys than max_entries, a node per live key on a
 * non-free list, an LRU update that returns 0 leaves its key present.
 */
class LruRandomizedTest {

    @ParameterizedTest(name = "me={0} cpus={1} noCommon={2} percpu={3}")
    @CsvSource({
        "1, 1, false, false", "1, 4, false, true", "2, 2, false, false", "8, 2, false, false",
        "8, 2, true, false", "8, 2, true, true", "37, 3, false, false", "36, 3, true, false",
        "300, 4, false, true", "300, 4, true, false", "1000, 2, false, false", "64, 8, false, false"})
    void invariantsHold(int maxEntries, int cpus, boolean noCommon, boolean percpu) {
        for (long seed = 1; seed <= 5; seed++) {
            run(maxEntries, cpus, noCommon, percpu, new SplittableRandom(seed * 7919 + maxEntries));
        }
    }

    private static void run(int maxEntries, int cpus, boolean noCommon, boolean percpu, SplittableRandom rnd) {
        RefLruMap m = new RefLruMap(maxEntries, cpus, noCommon, percpu);
        int n = m.lru.nodeCount();
        long keySpace = 3L * n + 2;
        for (int step = 0; step < 4000; step++) {
            long key = rnd.nextLong(keySpace);
            int cpu = rnd.nextInt(cpus);
            int op = rnd.nextInt(10);
            if (op < 5) {
                long flags = rnd.nextInt(3);
                int err = m.update(key, flags, cpu);
                if (err == 0) {
                    assertTrue(m.syscallLookup(key), "key " + key + " present after a successful update");
                } else {
                    assertTrue(err == LruHashFlow.EEXIST || err == LruHashFlow.ENOENT, "errno " + err);
                }
            } else if (op < 7) {
                m.programLookup(key);
            } else if (op < 8) {
                m.syscallLookup(key);
            } else {
                m.delete(key);
            }
            m.lru.verify();
            assertTrue(m.size() <= n, "live " + m.size() + " > " + n);
            List<Integer> liveNodes = new ArrayList<>();
            for (long k : m.keys()) {
                liveNodes.add(m.find(k));
            }
            for (int node : liveNodes) {
                LruNodeState s = m.lru.state(node);
                assertTrue(s == LruNodeState.ACTIVE || s == LruNodeState.INACTIVE || s == LruNodeState.LOCAL_PENDING,
                        "live node " + node + " is " + s);
            }
            assertEquals(liveNodes.size(), liveNodes.stream().distinct().count());
        }
    }
}
