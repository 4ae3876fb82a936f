package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.Test;

class ProviderTest {
    @Test
    void registeredUnderItsName() {
        MapBackendProvider p = BpfMaps.providers().stream().filter(x -> x.name().equals("linux")).findFirst()
                .orElseThrow();
        assertTrue(p instanceof LinuxProvider);
        assertEquals(p.isAvailable(), p.unavailabilityCause().isEmpty());
    }

    @Test
    void probeNamesTheReasonItCannotRun() {
        Throwable windows = LinuxProvider.probe("Windows 11", "amd64");
        assertTrue(windows.getMessage().startsWith("not Linux"), windows.getMessage());
        Throwable riscv = LinuxProvider.probe("Linux", "riscv64");
        assertTrue(riscv.getMessage().contains("unknown architecture 'riscv64'"), riscv.getMessage());
    }

    @Test
    void opensWhenAvailableAndRefusesOptions() {
        KernelTests.backend();
        try (MapBackend b = BpfMaps.open("linux")) {
            assertEquals("linux", b.name());
        }
        assertThrows(IllegalArgumentException.class, () -> new LinuxProvider().open(Map.of("cpus", "4")));
    }
}
