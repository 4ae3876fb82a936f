package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.MapBackend;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.Test;

/** {@link Cli#chooseBackend}: flag, then environment, then linux when available; never the simulator silently. */
class BackendChoiceTest {

    private static MapBackendProvider provider(String name, Throwable unavailable) {
        return new MapBackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAvailable() {
                return unavailable == null;
            }

            @Override
            public Optional<Throwable> unavailabilityCause() {
                return Optional.ofNullable(unavailable);
            }

            @Override
            public MapBackend open(Map<String, String> options) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private final MapBackendProvider sim = provider("simulator", null);
    private final MapBackendProvider linux = provider("linux", null);
    private final MapBackendProvider noLinux = provider("linux", new IllegalStateException("no CAP_BPF"));

    @Test
    void flagThenEnvironmentThenLinux() {
        assertEquals("simulator", Cli.chooseBackend("simulator", "linux", List.of(sim, linux)));
        assertEquals("simulator", Cli.chooseBackend(null, " simulator ", List.of(sim, linux)));
        assertEquals("linux", Cli.chooseBackend(null, "  ", List.of(sim, linux)));
        assertEquals("linux", Cli.chooseBackend(null, null, List.of(sim, linux)));
    }

    @Test
    void unavailableLinuxIsAnErrorNamingTheSimulatorSwitch() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Cli.chooseBackend(null, null, List.of(sim, noLinux)));
        assertTrue(e.getMessage().contains("no CAP_BPF"), e.getMessage());
        assertTrue(e.getMessage().contains("--backend simulator"), e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> Cli.chooseBackend(null, null, List.of(sim)));
        assertTrue(missing.getMessage().contains("not installed") && missing.getMessage().contains("--backend simulator"),
                missing.getMessage());
    }
}
