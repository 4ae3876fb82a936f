package org.bpfmaps.conformance.lru;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.DisplayName;

/** The LRU selftest scenarios on a simulated kernel with 2 possible CPUs. */
@DisplayName("LRU selftest scenarios: simulator (2 CPUs)")
class SimulatorLruSelftestTest extends LruSelftestKit {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", "2"));
    }
}
