package org.bpfmaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backend selection follows its documented order and never falls back silently")
class BpfMapsSelectionTest {

    record FakeProvider(String name, Throwable cause) implements MapBackendProvider {
        @Override
        public boolean isAvailable() {
            return cause == null;
        }

        @Override
        public Optional<Throwable> unavailabilityCause() {
            return Optional.ofNullable(cause);
        }

        @Override
        public MapBackend open(Map<String, String> options) {
            throw new UnsupportedOperationException("fake");
        }
    }

    private final FakeProvider sim = new FakeProvider("simulator", null);
    private final FakeProvider linux = new FakeProvider("linux", null);
    private final FakeProvider linuxDown = new FakeProvider("linux", new IllegalStateException("no CAP_BPF"));

    @Test
    void explicitNameWinsOverPropertyAndEnvironment() {
        assertSame(sim, BpfMaps.select("simulator", "linux", "linux", List.of(sim, linux)));
    }

    @Test
    void propertyWinsOverEnvironment() {
        assertSame(linux, BpfMaps.select(null, "linux", "simulator", List.of(sim, linux)));
    }

    @Test
    void environmentUsedWhenPropertyUnsetOrBlank() {
        assertSame(sim, BpfMaps.select(null, null, "simulator", List.of(sim, linux)));
        assertSame(sim, BpfMaps.select(null, "  ", "simulator", List.of(sim, linux)));
    }

    @Test
    void onlyInstalledProviderIsChosenWhenNothingIsNamed() {
        assertSame(sim, BpfMaps.select(null, null, null, List.of(sim)));
    }

    @Test
    void severalProvidersAndNoNameIsAnErrorListingThem() {
        BackendSelectionException e = assertThrows(BackendSelectionException.class,
                () -> BpfMaps.select(null, null, null, List.of(sim, linux)));
        assertTrue(e.getMessage().contains("simulator (available)"), e.getMessage());
        assertTrue(e.getMessage().contains("linux (available)"), e.getMessage());
        assertTrue(e.getMessage().contains(BpfMaps.BACKEND_PROPERTY), e.getMessage());
    }

    @Test
    void noProviderIsAnError() {
        BackendSelectionException e = assertThrows(BackendSelectionException.class,
                () -> BpfMaps.select(null, null, null, List.of()));
        assertTrue(e.getMessage().contains("No bpfmaps backend is installed"), e.getMessage());
    }

    @Test
    void unavailableNamedProviderFailsWithItsCauseAndDoesNotFallBack() {
        BackendSelectionException e = assertThrows(BackendSelectionException.class,
                () -> BpfMaps.select("linux", null, null, List.of(sim, linuxDown)));
        assertSame(linuxDown.cause(), e.getCause());
        assertTrue(e.getMessage().contains("no CAP_BPF"), e.getMessage());
        assertTrue(e.getMessage().contains("simulator (available)"), e.getMessage());
    }

    @Test
    void unavailableOnlyProviderFails() {
        assertThrows(BackendSelectionException.class, () -> BpfMaps.select(null, null, null, List.of(linuxDown)));
    }

    @Test
    void unknownNameFailsNamingTheSource() {
        BackendSelectionException e = assertThrows(BackendSelectionException.class,
                () -> BpfMaps.select(null, null, "kernel", List.of(sim, linux)));
        assertTrue(e.getMessage().contains("'kernel'"), e.getMessage());
        assertTrue(e.getMessage().contains(BpfMaps.BACKEND_ENV), e.getMessage());
    }

    @Test
    void describeListsEveryProviderWithAvailability() {
        assertEquals("Installed backends: simulator (available); linux (unavailable: no CAP_BPF).",
                BpfMaps.describe(List.of(sim, linuxDown)));
    }
}
