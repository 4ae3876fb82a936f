package org.bpfmaps.conformance.types;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link BloomKit} on the running kernel. */
class LinuxBloomTest extends BloomKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
