package org.bpfmaps.conformance.types;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link RingBufKit} on the running kernel. */
class LinuxRingBufTest extends RingBufKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
