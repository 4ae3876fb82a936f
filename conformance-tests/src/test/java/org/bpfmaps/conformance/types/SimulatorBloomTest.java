package org.bpfmaps.conformance.types;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;

/** {@link BloomKit} on the simulator. */
class SimulatorBloomTest extends BloomKit {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
