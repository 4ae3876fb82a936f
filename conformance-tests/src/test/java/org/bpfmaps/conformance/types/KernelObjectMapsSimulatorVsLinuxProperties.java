package org.bpfmaps.conformance.types;

import java.util.Map;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;

/**
 * {@link KernelObjectMapsKit}: the simulator against the running kernel; skipped without a kernel backend unless
 * BPFMAPS_REQUIRE_KERNEL=1, which makes it fail instead.
 */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class KernelObjectMapsSimulatorVsLinuxProperties extends KernelObjectMapsKit {
    @Override
    protected MapBackend openA() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    @Override
    protected MapBackend openB() {
        KernelRequirement.requireKernel();
        return BpfMaps.open("linux");
    }
}
