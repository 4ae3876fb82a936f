package org.bpfmaps.conformance.types;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Simulator against the running kernel in lockstep for LPM_TRIE, QUEUE, STACK and BLOOM_FILTER
 * ({@link TypesLockstep}). Ops per type: {@code -Dbpfmaps.types.ops} (default 200000); seed:
 * {@code -Dbpfmaps.types.seed} (default: random, printed).
 */
class TypesDifferentialTest {
    private static final long OPS = Long.getLong("bpfmaps.types.ops", 200_000);
    private MapBackend sim;
    private MapBackend linux;

    @BeforeEach
    void open() {
        KernelRequirement.assumeKernel();
        sim = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
        linux = BpfMaps.open("linux");
    }

    @AfterEach
    void close() {
        if (sim != null) {
            sim.close();
        }
        if (linux != null) {
            linux.close();
        }
    }

    private void run(MapType type, int opsPerScenario) {
        long seed = Long.getLong("bpfmaps.types.seed", new java.util.Random().nextLong());
        System.out.printf("[types lockstep %s] seed %d%n", type, seed);
        TypesLockstep.Stats stats = linux.onCpu(TypesLockstep.CPU,
                () -> new TypesLockstep(sim, linux).run(type, seed, OPS, opsPerScenario));
        System.out.println(stats);
    }

    @Test
    void lpmTrie() {
        run(MapType.LPM_TRIE, 300);
    }

    @Test
    void queue() {
        run(MapType.QUEUE, 600);
    }

    @Test
    void stack() {
        run(MapType.STACK, 600);
    }

    @Test
    void bloomFilter() {
        run(MapType.BLOOM_FILTER, 800);
    }
}
