package org.bpfmaps.conformance.lru;

import java.util.Map;
import java.util.Optional;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The LRU differential property, simulator against the running kernel (the judge): at least
 * {@code bpfmaps.lru.differential.ops} operations (default 200,000) per LRU map type, zero differences allowed in
 * results or surviving key sets/orders. {@code -Dbpfmaps.lru.differential.seed=N} replays a run (the seed is
 * printed). Skipped without a kernel backend unless BPFMAPS_REQUIRE_KERNEL=1, which makes it fail instead.
 */
@DisplayName("LRU differential: simulator vs linux")
class LruDifferentialSimulatorVsLinuxTest {
    private static final long OPS = Long.getLong("bpfmaps.lru.differential.ops", 200_000L);

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MapType.class, names = {"LRU_HASH", "LRU_PERCPU_HASH"})
    void simulatorMatchesKernel(MapType type) {
        KernelRequirement.assumeKernel();
        int cpus = HostCpus.possible();
        long seed = Long.getLong("bpfmaps.lru.differential.seed", System.nanoTime());
        try (MapBackend sim = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(cpus)));
             MapBackend linux = BpfMaps.open("linux")) {
            LruDifferential diff = new LruDifferential("simulator", sim, "linux", linux, 16);
            LruDifferential.Stats stats = new LruDifferential.Stats();
            java.util.Random scenarios = new java.util.Random(seed);
            long start = System.nanoTime();
            while (stats.ops < OPS) {
                long scenarioSeed = scenarios.nextLong();
                int n = 300 + scenarios.nextInt(2700);
                LruDifferential.Scenario sc = LruDifferential.generate(scenarioSeed, type, cpus, n);
                Optional<String> failure = diff.run(sc, stats);
                if (failure.isPresent()) {
                    throw new AssertionError(failure.get() + "\nrun seed " + seed + " (-Dbpfmaps.lru.differential.seed="
                            + seed + "); so far: " + stats);
                }
            }
            System.out.printf("LRU differential %s vs kernel (%d CPUs, seed %d): %s; %.1f s%n", type, cpus, seed,
                    stats, (System.nanoTime() - start) / 1e9);
        }
    }
}
