package org.bpfmaps.conformance.types;

import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link LpmOracleProperties} on the running kernel. */
@AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)
class LinuxLpmOracleProperties extends LpmOracleProperties {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.requireKernel();
        return BpfMaps.open("linux");
    }
}
