package org.bpfmaps.conformance.types;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;

/** {@link LpmKit} on the simulator. */
class SimulatorLpmTest extends LpmKit {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
