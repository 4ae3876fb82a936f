package org.bpfmaps.conformance.types;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link LpmKit} on the running kernel. */
class LinuxLpmTest extends LpmKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
