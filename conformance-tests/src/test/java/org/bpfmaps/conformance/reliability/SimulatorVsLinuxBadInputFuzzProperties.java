package org.bpfmaps.conformance.reliability;

import java.util.List;
import java.util.Map;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;

/**
 * Bad-input fuzzing on the simulator and the kernel in lockstep: same case, same outcome per call. Skipped
 * without a kernel backend unless BPFMAPS_REQUIRE_KERNEL=1, which makes it fail instead.
 */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class SimulatorVsLinuxBadInputFuzzProperties extends BadInputFuzzKit {
    @Override
    protected List<String> backendNames() {
        return List.of("simulator", "linux");
    }

    @Override
    protected MapBackend open(String name) {
        if (name.equals("linux")) {
            KernelRequirement.requireKernel();
            return BpfMaps.open("linux");
        }
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }
}
