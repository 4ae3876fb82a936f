package org.bpfmaps.conformance.lru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * All CPUs on one LRU map at once, where the kernel's survivors depend on the interleaving: the invariants of
 * {@link LruConcurrentInvariants} on the simulator (real threads attributed to CPUs) and on the kernel.
 */
class LruConcurrentInvariantsTest {
    private static final int OPS_PER_THREAD = 20_000;

    private static LruConcurrentInvariants.Report check(MapBackend backend, MapType type, boolean noCommon,
                                                        int maxEntries) {
        long seed = System.nanoTime();
        LruConcurrentInvariants.Report r = LruConcurrentInvariants.run(backend, type, noCommon, maxEntries,
                OPS_PER_THREAD, seed);
        System.out.printf("LRU concurrent invariants %s %s %s max_entries %d: %,d ops, %,d evictions observed, %,d"
                + " ENOMEM updates, %,d recycled reads, %d survivors (seed %d)%n", backend.name(), type,
                noCommon ? "NO_COMMON_LRU" : "common", maxEntries, r.ops(), r.evictionsObserved(), r.enomemUpdates(),
                r.recycledReads(), r.survivors(), seed);
        assertTrue(r.survivors() <= r.maxEntries());
        return r;
    }

    @ParameterizedTest(name = "simulator {0} noCommon={1} max_entries={2}")
    @CsvSource({"LRU_HASH,false,7", "LRU_HASH,true,8", "LRU_PERCPU_HASH,false,33", "LRU_PERCPU_HASH,true,5",
            "LRU_HASH,false,1"})
    void simulator(MapType type, boolean noCommon, int maxEntries) {
        try (MapBackend sim = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())))) {
            // every simulator call is atomic under the map's lock: no node is ever in flight (never ENOMEM) and no
            // element is reused while a lookup copies it (no recycled reads)
            LruConcurrentInvariants.Report r = check(sim, type, noCommon, maxEntries);
            assertEquals(0, r.enomemUpdates());
            assertEquals(0, r.recycledReads());
        }
    }

    @ParameterizedTest(name = "linux {0} noCommon={1} max_entries={2}")
    @CsvSource({"LRU_HASH,false,7", "LRU_HASH,true,8", "LRU_PERCPU_HASH,false,33", "LRU_PERCPU_HASH,true,5",
            "LRU_HASH,false,1"})
    void linux(MapType type, boolean noCommon, int maxEntries) {
        KernelRequirement.assumeKernel();
        try (MapBackend linux = BpfMaps.open("linux")) {
            check(linux, type, noCommon, maxEntries);
        }
    }
}
