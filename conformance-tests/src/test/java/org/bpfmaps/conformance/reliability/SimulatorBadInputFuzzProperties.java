package org.bpfmaps.conformance.reliability;

import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;

/**
 * Bad-input fuzzing on the simulator alone: the whole count runs on every host, also where no kernel backend is
 * usable ({@link SimulatorVsLinuxBadInputFuzzProperties} additionally compares each call with the kernel's).
 */
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
