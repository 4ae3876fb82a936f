package org.bpfmaps.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.typed.TypedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Test classes run by {@link BpfMapsExtensionTest} through the JUnit engine; some fail on purpose. The file name
 * does not match the build's test patterns, so the build itself never runs them.
 */
final class ExtensionSamples {
    /** What the samples saw, for the outer test to check after the run. */
    static final List<Object> SEEN = new ArrayList<>();

    private ExtensionSamples() {
    }

    static class TwoBackends {
        @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX}, cpus = 3)
        void runs(MapBackend backend, @BpfMapDef(type = MapType.HASH, keySize = 4, valueSize = 8) BpfMap map) {
            SEEN.add(backend.name() + " " + backend.possibleCpus());
            SEEN.add(map);
            map.update(new byte[4], new byte[8]);
        }
    }

    static class FailingTest {
        @BpfMapsTest
        void fails(MapBackend backend, @BpfMapDef(type = MapType.ARRAY, keySize = 4, valueSize = 4) BpfMap map) {
            SEEN.add(map);
            SEEN.add(backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).build()));
            fail("on purpose");
        }
    }

    static class FieldsAndSpecs {
        static MapSpec counters() {
            return MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(32).name("counters").build();
        }

        @BpfMapDef(spec = "counters")
        TypedMap<Integer, Long> counters;

        @BpfMapDef(type = MapType.ARRAY, maxEntries = 4)
        TypedMap<Integer, Integer> array;

        @BeforeEach
        void fill(MapBackend backend) {
            assertNotNull(counters, "fields are injected before @BeforeEach");
            counters.put(1, 10L);
            SEEN.add(backend);
        }

        @BpfMapsTest
        void uses(MapBackend backend) {
            assertEquals(10L, counters.get(1).orElseThrow());
            assertEquals("counters", counters.map().name());
            assertEquals(32, counters.map().maxEntries());
            assertEquals(4, array.map().maxEntries());
            assertEquals(SEEN.get(SEEN.size() - 1), backend, "one backend per invocation");
            SEEN.add(counters.map());
            SEEN.add(array.map());
        }
    }

    @BpfMapsTest(cpus = 4)
    static class PlainTests {
        @Test
        void plain(MapBackend backend) {
            SEEN.add(backend.name() + " " + backend.possibleCpus());
        }

        @BpfMapsTest(cpus = 1)
        void templateInTheSameClass(MapBackend backend) {
            SEEN.add("template " + backend.name() + " " + backend.possibleCpus());
        }
    }

    static class BadDeclaration {
        @BpfMapsTest
        void wrongType(@BpfMapDef(type = MapType.HASH, keySize = 4, valueSize = 4) String notAMap) {
            fail("never runs");
        }
    }

    static class OnlyLinux {
        @BpfMapsTest(backends = Backend.LINUX)
        void needsTheKernel(MapBackend backend) {
            SEEN.add(backend.name());
        }
    }
}
