package org.bpfmaps.conformance.lru;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.DisplayName;

/**
 * The LRU selftest scenarios on a simulated kernel with 4 possible CPUs: the kit's sizes and expectations follow
 * the selftest's formulas in the CPU count, so it runs unchanged on a kernel with another CPU count.
 */
@DisplayName("LRU selftest scenarios: simulator (4 CPUs)")
class SimulatorFourCpusLruSelftestTest extends LruSelftestKit {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", "4"));
    }
}
