package org.bpfmaps.conformance;

import java.util.Map;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.differential.DifferentialKit;

/**
 * The simulator against the running kernel, in lockstep; skipped without a kernel backend unless
 * BPFMAPS_REQUIRE_KERNEL=1, which makes it fail instead.
 */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class DifferentialSimulatorVsLinuxProperties extends DifferentialKit {
    @Override
    protected String nameA() {
        return "simulator";
    }

    @Override
    protected MapBackend newBackendA() {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    @Override
    protected String nameB() {
        return "linux";
    }

    @Override
    protected MapBackend newBackendB() {
        KernelRequirement.requireKernel();
        return BpfMaps.open("linux");
    }
}
