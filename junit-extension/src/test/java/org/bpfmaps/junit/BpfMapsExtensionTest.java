package org.bpfmaps.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** The extension itself, driven through the JUnit engine on the sample classes of {@link ExtensionSamples}. */
class BpfMapsExtensionTest {

    @BeforeEach
    @AfterEach
    void reset() {
        ExtensionSamples.SEEN.clear();
        TestSession.providersForTests = null;
        System.clearProperty(BpfMapsExtension.REQUIRE_KERNEL_PROPERTY);
    }

    private static Events run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute().testEvents();
    }

    private static boolean linuxAvailable() {
        return BpfMaps.providers().stream().anyMatch(p -> p.name().equals("linux") && p.isAvailable());
    }

    @Test
    void oneInvocationPerBackendEachWithAFreshBackendAndClosedMaps() {
        Events events = run(ExtensionSamples.TwoBackends.class);
        List<String> names = events.started().stream().map(e -> e.getTestDescriptor().getDisplayName())
                .collect(java.util.stream.Collectors.toList());
        assertEquals(List.of("[simulator, 3 CPUs]", "[linux]"), names);
        assertEquals(1, events.succeeded().count() - (linuxAvailable() ? 1 : 0), "simulator run passes");
        assertEquals("simulator 3", ExtensionSamples.SEEN.get(0));
        if (linuxAvailable()) {
            assertEquals(2, events.succeeded().count());
            assertTrue(ExtensionSamples.SEEN.get(2).toString().startsWith("linux "));
        } else {
            assertEquals(1, events.skipped().count());
        }
        for (Object o : ExtensionSamples.SEEN) {
            if (o instanceof BpfMap) {
                assertTrue(((BpfMap) o).isClosed(), o + " closed after the test");
            }
        }
    }

    @Test
    void mapsAreClosedWhenTheTestFails() {
        Events events = run(ExtensionSamples.FailingTest.class);
        assertEquals(1, events.failed().count());
        Throwable thrown = events.failed().stream().findFirst().flatMap(e -> e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class)).flatMap(r -> r.getThrowable()).orElseThrow();
        assertEquals("on purpose", thrown.getMessage());
        assertEquals(2, ExtensionSamples.SEEN.size());
        for (Object o : ExtensionSamples.SEEN) {
            assertTrue(((BpfMap) o).isClosed(), o + " closed, the injected one and the one the test created");
        }
    }

    @Test
    void fieldsSpecMethodsAndLifecycleMethodsShareTheInvocationsBackend() {
        Events events = run(ExtensionSamples.FieldsAndSpecs.class);
        assertEquals(1, events.succeeded().count(), () -> failures(events));
        assertTrue(((BpfMap) ExtensionSamples.SEEN.get(1)).isClosed());
        assertTrue(((BpfMap) ExtensionSamples.SEEN.get(2)).isClosed());
    }

    @Test
    void plainTestsInAnAnnotatedClassGetASimulator() {
        Events events = run(ExtensionSamples.PlainTests.class);
        assertEquals(2, events.succeeded().count(), () -> failures(events));
        assertEquals(java.util.Set.of("simulator 4", "template simulator 1"),
                new java.util.HashSet<>(ExtensionSamples.SEEN), "the method's own annotation wins for templates");
    }

    @Test
    void aBadDeclarationFailsWithTheParameterNamed() {
        Events events = run(ExtensionSamples.BadDeclaration.class);
        assertEquals(1, events.failed().count());
        String message = events.failed().stream().findFirst().flatMap(e -> e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class)).flatMap(r -> r.getThrowable())
                .map(Throwable::getMessage).orElse("");
        assertTrue(message.contains("@BpfMapDef goes on BpfMap, TypedMap"), message);
        assertTrue(message.contains("not java.lang.String"), message);
    }

    @Test
    void unavailableLinuxIsSkippedWithTheReason() {
        TestSession.providersForTests = List.of(new UnavailableLinux());
        System.setProperty(BpfMapsExtension.REQUIRE_KERNEL_PROPERTY, "false"); // CI sets BPFMAPS_REQUIRE_KERNEL=1
        Events events = run(ExtensionSamples.OnlyLinux.class);
        assertEquals(1, events.skipped().count() + events.aborted().count(), () -> failures(events));
        String reason = events.aborted().stream().findFirst().flatMap(e -> e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class)).flatMap(r -> r.getThrowable())
                .map(Throwable::getMessage).orElse("");
        assertTrue(reason.contains("the linux backend is not available: no CAP_BPF in this sandbox"), reason);
        assertTrue(ExtensionSamples.SEEN.isEmpty(), "the test body never ran");
    }

    @Test
    void unavailableLinuxFailsWhenTheKernelIsRequired() {
        TestSession.providersForTests = List.of(new UnavailableLinux());
        System.setProperty(BpfMapsExtension.REQUIRE_KERNEL_PROPERTY, "true");
        Events events = run(ExtensionSamples.OnlyLinux.class);
        assertEquals(1, events.failed().count(), () -> failures(events));
        String message = events.failed().stream().findFirst().flatMap(e -> e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class)).flatMap(r -> r.getThrowable())
                .map(Throwable::getMessage).orElse("");
        assertTrue(message.contains("BPFMAPS_REQUIRE_KERNEL=1 requires it"), message);
    }

    @Test
    void reasonsNameTheMissingOrUnavailableBackend() {
        assertEquals(Optional.empty(), TestSession.reasonUnavailable(Backend.SIMULATOR, List.of()));
        assertTrue(TestSession.reasonUnavailable(Backend.LINUX, List.of()).orElseThrow()
                .contains("not installed"));
        assertTrue(TestSession.reasonUnavailable(Backend.LINUX, List.of(new UnavailableLinux())).orElseThrow()
                .contains("no CAP_BPF in this sandbox"));
    }

    private static String failures(Events events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events.list()) {
            e.getPayload(org.junit.platform.engine.TestExecutionResult.class).flatMap(r -> r.getThrowable())
                    .ifPresent(t -> sb.append(e.getTestDescriptor().getDisplayName()).append(": ").append(t)
                            .append('\n'));
        }
        return sb.toString();
    }

    /** A linux provider that says why it cannot run. */
    private static final class UnavailableLinux implements MapBackendProvider {
        @Override
        public String name() {
            return "linux";
        }

        @Override
        public boolean isAvailable() {
            return false;
        }

        @Override
        public Optional<Throwable> unavailabilityCause() {
            return Optional.of(new IllegalStateException("no CAP_BPF in this sandbox"));
        }

        @Override
        public MapBackend open(Map<String, String> options) {
            throw new IllegalStateException("unavailable");
        }
    }
}
