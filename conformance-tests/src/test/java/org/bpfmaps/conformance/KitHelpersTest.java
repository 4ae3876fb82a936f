package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.KernelRequirement.Decision;
import org.bpfmaps.conformance.KernelRequirement.Verdict;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Tests of the kit's own helpers: the kernel gate, the hash function, the CPU list parser. */
class KitHelpersTest {

    private static MapBackendProvider provider(String name, boolean available, String cause) {
        return new MapBackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAvailable() {
                return available;
            }

            @Override
            public Optional<Throwable> unavailabilityCause() {
                return available ? Optional.empty() : Optional.of(new IllegalStateException(cause));
            }

            @Override
            public MapBackend open(Map<String, String> options) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    @DisplayName("kernel gate: available linux runs; unavailable skips with the cause; REQUIRE_KERNEL=1 fails")
    void kernelGate() {
        assertSame(Verdict.RUN, KernelRequirement.decide(List.of(provider("linux", true, null)), "1").verdict());
        Decision skip = KernelRequirement.decide(List.of(provider("simulator", true, null),
                provider("linux", false, "no CAP_BPF")), null);
        assertSame(Verdict.SKIP, skip.verdict());
        assertTrue(skip.reason().contains("no CAP_BPF"), skip.reason());
        assertEquals("no CAP_BPF", skip.cause().getMessage());
        Decision fail = KernelRequirement.decide(List.of(provider("linux", false, "no CAP_BPF")), "1");
        assertSame(Verdict.FAIL, fail.verdict());
        assertTrue(fail.reason().contains("BPFMAPS_REQUIRE_KERNEL=1"), fail.reason());
        Decision missing = KernelRequirement.decide(List.of(provider("simulator", true, null)), "0");
        assertSame(Verdict.SKIP, missing.verdict());
        assertNull(missing.cause());
        assertSame(Verdict.FAIL, KernelRequirement.decide(List.of(), "1").verdict());
    }

    @Test
    @DisplayName("the documented jhash2 reproduces the documented zero-seed order 4 1000 5 0 7 2 1 100 8 9 6 3")
    void jhashReproducesDocumentedOrder() {
        int[] inserted = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 1000};
        List<int[]> order = new ArrayList<>();
        for (int i = 0; i < inserted.length; i++) {
            order.add(new int[] {KernelHash.bucket(Bytes.u32(inserted[i]), 16, 0), -i, inserted[i]});
        }
        order.sort(Comparator.<int[]>comparingInt(x -> x[0]).thenComparingInt(x -> x[1]));
        assertEquals(List.of(4, 1000, 5, 0, 7, 2, 1, 100, 8, 9, 6, 3), order.stream().map(x -> x[2]).toList());
    }

    @Test
    @DisplayName("possible-CPU lists are counted like the kernel's cpumask lists")
    void cpuLists() {
        assertEquals(2, HostCpus.count("0-1"));
        assertEquals(8, HostCpus.count("0-3,8-11"));
        assertEquals(1, HostCpus.count("0"));
        assertTrue(HostCpus.possible() >= 1);
    }
}
