package org.bpfmaps.conformance.types;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;

/** {@link QueueStackKit} on the running kernel. */
class LinuxQueueStackTest extends QueueStackKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
