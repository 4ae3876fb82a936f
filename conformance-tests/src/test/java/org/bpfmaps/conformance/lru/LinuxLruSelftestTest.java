package org.bpfmaps.conformance.lru;

import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;

/** The LRU selftest scenarios on the running kernel; skipped (or failed with BPFMAPS_REQUIRE_KERNEL=1) without it. */
@DisplayName("LRU selftest scenarios: linux kernel")
class LinuxLruSelftestTest extends LruSelftestKit {
    @Override
    protected MapBackend newBackend() {
        KernelRequirement.assumeKernel();
        return BpfMaps.open("linux");
    }
}
