package org.bpfmaps.conformance;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.DisplayName;

/** The conformance kit on the simulator (no root needed), with the host's possible CPU count. */
@DisplayName("Conformance: simulator")
class SimulatorConformanceTest extends MapConformanceKit {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
