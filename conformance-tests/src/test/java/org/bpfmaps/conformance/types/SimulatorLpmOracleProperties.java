package org.bpfmaps.conformance.types;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;

/** {@link LpmOracleProperties} on the simulator. */
class SimulatorLpmOracleProperties extends LpmOracleProperties {
    @Override
    protected MapBackend newBackend() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
