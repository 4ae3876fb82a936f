package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.Test;

/**
 * The simulator creates exactly the map types the linux backend's probe finds creatable on the running kernel,
 * so {@code isSupported} (and the cli's {@code feature probe}) tells the same on both backends.
 */
class IsSupportedAgreesTest {
    @Test
    void everyTypeIsSupportedByBothBackendsOrByNeither() {
        KernelRequirement.assumeKernel();
        try (MapBackend sim = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
             MapBackend linux = BpfMaps.open("linux")) {
            Map<MapType, Boolean> simulator = new TreeMap<>();
            Map<MapType, Boolean> kernel = new TreeMap<>();
            for (MapType t : MapType.values()) {
                simulator.put(t, sim.isSupported(t));
                kernel.put(t, linux.isSupported(t));
            }
            assertEquals(kernel, simulator);
        }
    }
}
