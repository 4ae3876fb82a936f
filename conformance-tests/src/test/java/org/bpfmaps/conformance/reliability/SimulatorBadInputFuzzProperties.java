package org.bpfmaps.conformance.reliability;

import java.util.List;
import java.util.Map;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;

/**
 * Bad-input fuzzing on the simulator alone, for hosts without a usable kernel backend. Where the kernel runs,
 * {@link SimulatorVsLinuxBadInputFuzzProperties} already makes the same number of simulator calls (and compares
 * each with the kernel's), so this run is skipped to keep the suite's time down.
 */
@AddLifecycleHook(SimulatorBadInputFuzzProperties.OnlyWithoutKernel.class)
class SimulatorBadInputFuzzProperties extends BadInputFuzzKit {
    @Override
    protected List<String> backendNames() {
        return List.of("simulator");
    }

    @Override
    protected MapBackend open(String name) {
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    /** Skips when the kernel backend will run the lockstep fuzz instead. */
    public static final class OnlyWithoutKernel implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return KernelRequirement.decide().verdict() == KernelRequirement.Verdict.SKIP ? SkipResult.doNotSkip()
                    : SkipResult.skip("the simulator's calls are made (and compared with the kernel's) by "
                    + "SimulatorVsLinuxBadInputFuzzProperties");
        }
    }
}
