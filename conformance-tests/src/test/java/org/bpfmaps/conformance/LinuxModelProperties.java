package org.bpfmaps.conformance;

import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.differential.ModelKit;

/** The running kernel against the reference model: checks the model itself, and the linux backend. */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class LinuxModelProperties extends ModelKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.requireKernel();
        return BpfMaps.open("linux");
    }
}
