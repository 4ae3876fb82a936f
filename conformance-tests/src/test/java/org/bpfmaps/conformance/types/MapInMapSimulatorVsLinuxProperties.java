package org.bpfmaps.conformance.types;

import java.util.Map;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link MapInMapLockstepProperties}: the simulator (A, releases at once) against the running kernel (B). */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class MapInMapSimulatorVsLinuxProperties extends MapInMapLockstepProperties {
    @Override
    protected MapBackend newBackendA() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    @Override
    protected MapBackend newBackendB() {
        KernelRequirement.requireKernel();
        return BpfMaps.open("linux");
    }
}
