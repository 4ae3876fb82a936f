package org.bpfmaps.conformance.reliability;

import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;

/** Bad-input fuzzing on the simulator alone (runs everywhere, no root). */
class SimulatorBadInputFuzzProperties extends BadInputFuzzKit {
    @Override
    protected List<String> backendNames() {
        return List.of("simulator");
    }

    @Override
    protected MapBackend open(String name) {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
