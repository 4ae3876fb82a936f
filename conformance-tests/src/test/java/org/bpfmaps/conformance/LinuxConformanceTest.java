package org.bpfmaps.conformance;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.DisplayName;

/** The conformance kit on the running kernel; skipped (or failed with BPFMAPS_REQUIRE_KERNEL=1) without it. */
@DisplayName("Conformance: linux kernel")
class LinuxConformanceTest extends MapConformanceKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
