package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.Keys.of;
import static org.bpfmaps.simulator.lru.Keys.range;
import static org.bpfmaps.simulator.lru.Keys.union;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_EXIST;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_NOEXIST;
import static org.bpfmaps.simulator.lru.LruHashFlow.EEXIST;
import static org.bpfmaps.simulator.lru.LruHashFlow.EINVAL;
import static org.bpfmaps.simulator.lru.LruHashFlow.ENOENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sanity scenarios of the kernel selftest {@code tools/testing/selftests/bpf/test_lru_map.c}
 * in the form they have after commit d4adf1c9ee77 and its follow-up 5e9388f7984a (map sizes
 * derived from target_free), replayed on the engine for LRU_HASH and LRU_PERCPU_HASH, common
 * and per-CPU LRU, and several CPU counts. As in the selftest, every operation runs on CPU 0
 * except where the scenario moves between CPUs.
 *
 * <p>The explicit tests pin the expected survivors for 2 CPUs; the parameterised ones check the
 * selftest's own expectation formula for 1 to 8 CPUs.
 */
class LruSelftestScenariosTest {

    private static final int LOCAL_FREE_TARGET = 128;
    private static final int PERCPU_FREE_TARGET = 4;

    static Stream<Arguments> all() {
        List<Arguments> out = new ArrayList<>();
        for (int cpus : new int[] {1, 2, 3, 4, 8}) {
            for (boolean percpuValues : new boolean[] {false, true}) {
                for (boolean noCommon : new boolean[] {false, true}) {
                    out.add(Arguments.of(cpus, percpuValues, noCommon));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> common() {
        return all().filter(a -> !(Boolean) a.get()[2]);
    }

    static Stream<Arguments> noCommon() {
        return all().filter(a -> (Boolean) a.get()[2]);
    }

    private static void addRange(RefLruMap m, long from, long to) {
        for (long k = from; k <= to; k++) {
            m.add(k, 0);
        }
    }

    /** Selftest {@code __map_size}: inverse of how target_free is derived from the map size. */
    private static int mapSizeFor(int tgtFree, int cpus) {
        return tgtFree * cpus * 2;
    }

    /** Selftest {@code __tgt_size}. */
    private static int tgtSize(int mapSize, int cpus) {
        return (mapSize / cpus) / 2;
    }

    // ---- sanity0 ---------------------------------------------------------------------------

    private static TreeSet<Long> runSanity0(int cpus, boolean percpuValues, boolean noCommon) {
        RefLruMap m = new RefLruMap(noCommon ? 2 * cpus : 2, cpus, noCommon, percpuValues);
        assertEquals(0, m.update(1, BPF_NOEXIST, 0));
        assertEquals(EEXIST, m.update(1, BPF_NOEXIST, 0));
        assertEquals(EINVAL, m.update(1, -1, 0));
        assertFalse(m.syscallLookup(2));
        assertEquals(ENOENT, m.update(2, BPF_EXIST, 0));
        assertEquals(0, m.update(2, BPF_NOEXIST, 0));
        assertFalse(m.syscallLookup(3));
        assertTrue(m.programLookup(1));
        assertEquals(0, m.update(3, BPF_NOEXIST, 0));
        assertFalse(m.syscallLookup(2));
        TreeSet<Long> before = m.keys();
        assertEquals(0, m.delete(1)); // lookup_and_delete
        assertEquals(of(1, 3), before);
        return m.keys();
    }

    @ParameterizedTest(name = "cpus={0} percpu={1} noCommon={2}")
    @MethodSource("all")
    void sanity0(int cpus, boolean percpuValues, boolean noCommon) {
        assertEquals(of(3), runSanity0(cpus, percpuValues, noCommon));
    }

    // ---- sanity1 (common only) -----------------------------------------------------------------

    private static TreeSet<Long> sanity1(int cpus, boolean percpuValues) {
        int tgt = LOCAL_FREE_TARGET;
        int batch = tgt / 2;
        int base = mapSizeFor(tgt, cpus);
        RefLruMap m = new RefLruMap(base + batch, cpus, false, percpuValues);
        addRange(m, 1, base);
        for (long k = 1; k <= batch; k++) {
            assertTrue(m.programLookup(k));
        }
        addRange(m, base + 1, 2L * base);
        return m.keys();
    }

    @Test
    void sanity1TwoCpus() {
        // map 576 entries, target_free 128: keys 1..512, reference 1..64, add 513..1024
        TreeSet<Long> expected = union(range(1, 64), range(513, 1024));
        assertEquals(expected, sanity1(2, false));
        assertEquals(expected, sanity1(2, true));
    }

    @ParameterizedTest(name = "cpus={0} percpu={1}")
    @MethodSource("common")
    void sanity1(int cpus, boolean percpuValues, boolean noCommon) {
        int base = mapSizeFor(LOCAL_FREE_TARGET, cpus);
        assertEquals(union(range(1, LOCAL_FREE_TARGET / 2), range(base + 1, 2L * base)), sanity1(cpus, percpuValues));
    }

    // ---- sanity2 (common only) -----------------------------------------------------------------

    private static TreeSet<Long> sanity2(int cpus, boolean percpuValues) {
        int tgt = LOCAL_FREE_TARGET;
        int batch = tgt / 2;
        int base = mapSizeFor(tgt, cpus);
        RefLruMap m = new RefLruMap(base + batch, cpus, false, percpuValues);
        addRange(m, 1, base);
        if (percpuValues) {
            assertEquals(0, m.update(1, BPF_NOEXIST, 0));
            assertEquals(0, m.delete(1));
        } else {
            // the update's own node acquisition shrinks the oldest keys, key 1 included
            assertNotEquals(0, m.update(1, BPF_EXIST, 0));
        }
        for (long k = 1; k <= batch; k++) {
            assertFalse(m.syscallLookup(k));
            assertEquals(0, m.update(k, BPF_NOEXIST, 0));
            assertTrue(m.programLookup(k));
        }
        long key = base + 1;
        long end = key + batch;
        for (; key < end; key++) {
            m.add(key, 0);
        }
        end += base;
        for (; key < end; key++) {
            m.add(key, 0);
        }
        return m.keys();
    }

    @Test
    void sanity2TwoCpus() {
        // map 576: keys 1..512; 1..64 re-added and referenced; 513..576 unreferenced; 577..1088
        TreeSet<Long> expected = union(range(1, 64), range(577, 1088));
        assertEquals(expected, sanity2(2, false));
        assertEquals(expected, sanity2(2, true));
    }

    @ParameterizedTest(name = "cpus={0} percpu={1}")
    @MethodSource("common")
    void sanity2(int cpus, boolean percpuValues, boolean noCommon) {
        int batch = LOCAL_FREE_TARGET / 2;
        int base = mapSizeFor(LOCAL_FREE_TARGET, cpus);
        assertEquals(union(range(1, batch), range(base + batch + 1, 2L * base + batch)), sanity2(cpus, percpuValues));
    }

    // ---- sanity3 (common only) -----------------------------------------------------------------

    private static TreeSet<Long> sanity3(int cpus, boolean percpuValues) {
        int tgt = LOCAL_FREE_TARGET;
        int batch = tgtSize(tgt, cpus);
        int mapSize = tgt * 2;
        RefLruMap m = new RefLruMap(mapSize, cpus, false, percpuValues);
        addRange(m, 1, mapSize);
        for (long k = 1; k <= mapSize - batch; k++) {
            assertTrue(m.programLookup(k));
        }
        addRange(m, 2L * tgt + 1, 2L * tgt + batch);
        return m.keys();
    }

    @Test
    void sanity3TwoCpus() {
        // map 256, target_free 64, batch 32: reference 1..224, add 257..288
        TreeSet<Long> expected = union(range(1, 224), range(257, 288));
        assertEquals(expected, sanity3(2, false));
        assertEquals(expected, sanity3(2, true));
    }

    /** sanity3 assumes the fill evicts nothing, which holds only when target_free divides 256. */
    static Stream<Arguments> commonPowerOfTwoCpus() {
        return common().filter(a -> Integer.bitCount((Integer) a.get()[0]) == 1);
    }

    @ParameterizedTest(name = "cpus={0} percpu={1}")
    @MethodSource("commonPowerOfTwoCpus")
    void sanity3(int cpus, boolean percpuValues, boolean noCommon) {
        int batch = tgtSize(LOCAL_FREE_TARGET, cpus);
        int mapSize = 2 * LOCAL_FREE_TARGET;
        assertEquals(union(range(1, mapSize - batch), range(mapSize + 1, mapSize + batch)), sanity3(cpus, percpuValues));
    }

    @Test
    void fillOnThreeCpusEvictsBeforeTheMapIsFull() {
        // target_free = (256 / 3) / 2 = 42; the 7th refill (key 253) finds 4 free nodes and
        // shrinks the 38 oldest keys: the kernel selftest's sanity3 cannot pass with 3 CPUs
        RefLruMap m = new RefLruMap(256, 3, false, false);
        assertEquals(42, ((CommonLruEngine) m.lru).targetFree());
        addRange(m, 1, 252);
        assertEquals(range(1, 252), m.keys());
        m.add(253, 0);
        assertEquals(range(39, 253), m.keys());
        addRange(m, 254, 256);
        assertEquals(range(39, 256), m.keys());
    }

    // ---- sanity4 -------------------------------------------------------------------------------

    private static TreeSet<Long> runSanity4(int cpus, boolean percpuValues, boolean noCommon) {
        int tgt = noCommon ? PERCPU_FREE_TARGET : LOCAL_FREE_TARGET;
        int size = noCommon ? 3 * tgt * cpus : 3 * mapSizeFor(tgt, cpus);
        RefLruMap m = new RefLruMap(size, cpus, noCommon, percpuValues);
        addRange(m, 1, 2L * tgt);
        assertNotEquals(0, m.update(1, BPF_NOEXIST, 0));
        long key = 1;
        for (; key <= tgt; key++) {
            assertTrue(m.programLookup(key));
        }
        for (; key <= 2L * tgt; key++) {
            assertEquals(0, m.delete(key));
            assertNotEquals(0, m.delete(key));
        }
        long end = key + 2L * tgt;
        for (; key < end; key++) {
            m.add(key, 0);
        }
        return m.keys();
    }

    @Test
    void sanity4TwoCpus() {
        assertEquals(union(range(1, 128), range(257, 512)), runSanity4(2, false, false));
        assertEquals(union(range(1, 128), range(257, 512)), runSanity4(2, true, false));
        assertEquals(union(range(1, 4), range(9, 16)), runSanity4(2, false, true));
        assertEquals(union(range(1, 4), range(9, 16)), runSanity4(2, true, true));
    }

    @ParameterizedTest(name = "cpus={0} percpu={1} noCommon={2}")
    @MethodSource("all")
    void sanity4(int cpus, boolean percpuValues, boolean noCommon) {
        long tgt = noCommon ? PERCPU_FREE_TARGET : LOCAL_FREE_TARGET;
        assertEquals(union(range(1, tgt), range(2 * tgt + 1, 4 * tgt)), runSanity4(cpus, percpuValues, noCommon));
    }

    // ---- sanity5 (common only): a one-element map used from every CPU in turn ----------------

    @ParameterizedTest(name = "cpus={0} percpu={1}")
    @MethodSource("common")
    void sanity5(int cpus, boolean percpuValues, boolean noCommon) {
        RefLruMap m = new RefLruMap(1, cpus, false, percpuValues);
        long key = 0;
        m.add(key, 0);
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertTrue(m.programLookup(key), "last key on cpu " + cpu);
            m.add(key + 1, cpu);
            assertTrue(m.programLookup(key + 1));
            assertFalse(m.syscallLookup(key), "previous key evicted on cpu " + cpu);
            assertEquals(of(key + 1), m.keys());
            key++;
        }
    }

    // ---- sanity6 (per-CPU LRU only) ------------------------------------------------------------

    private static TreeSet<Long> sanity6(int cpus, boolean percpuValues) {
        int tgt = PERCPU_FREE_TARGET;
        int mapSize = tgt * 2;
        RefLruMap m = new RefLruMap(mapSize * cpus, cpus, true, percpuValues);
        long key = 1;
        for (; key <= tgt; key++) {
            m.add(key, 0);
        }
        for (; key <= 2L * tgt; key++) {
            for (long stable = 1; stable <= tgt; stable++) {
                assertTrue(m.programLookup(stable));
            }
            m.add(key, 0);
        }
        for (; key <= 3L * tgt; key++) {
            m.add(key, 0);
        }
        return m.keys();
    }

    @Test
    void sanity6TwoCpus() {
        assertEquals(union(range(1, 4), range(9, 12)), sanity6(2, false));
        assertEquals(union(range(1, 4), range(9, 12)), sanity6(2, true));
    }

    @ParameterizedTest(name = "cpus={0} percpu={1}")
    @MethodSource("noCommon")
    void sanity6(int cpus, boolean percpuValues, boolean noCommon) {
        assertEquals(union(range(1, 4), range(9, 12)), sanity6(cpus, percpuValues));
    }

    // ---- sanity7 / sanity8: program lookup sets the reference bit, syscall lookup does not ----

    private static TreeSet<Long> sanity78(int cpus, boolean percpuValues, boolean noCommon, boolean programLooksUpFirst) {
        RefLruMap m = new RefLruMap(noCommon ? 2 * cpus : 2, cpus, noCommon, percpuValues);
        assertEquals(0, m.update(1, BPF_NOEXIST, 0));
        assertEquals(EEXIST, m.update(1, BPF_NOEXIST, 0));
        assertFalse(m.syscallLookup(2));
        assertEquals(ENOENT, m.update(2, BPF_EXIST, 0));
        assertEquals(0, m.update(2, BPF_NOEXIST, 0));
        assertFalse(m.syscallLookup(3));
        if (programLooksUpFirst) {
            assertTrue(m.programLookup(1));
            assertTrue(m.syscallLookup(2));
        } else {
            assertTrue(m.syscallLookup(1));
            assertTrue(m.programLookup(2));
        }
        assertEquals(0, m.update(3, BPF_NOEXIST, 0));
        return m.keys();
    }

    @ParameterizedTest(name = "cpus={0} percpu={1} noCommon={2}")
    @MethodSource("all")
    void sanity7(int cpus, boolean percpuValues, boolean noCommon) {
        assertEquals(of(1, 3), sanity78(cpus, percpuValues, noCommon, true));
    }

    @ParameterizedTest(name = "cpus={0} percpu={1} noCommon={2}")
    @MethodSource("all")
    void sanity8(int cpus, boolean percpuValues, boolean noCommon) {
        assertEquals(of(2, 3), sanity78(cpus, percpuValues, noCommon, false));
    }
}
