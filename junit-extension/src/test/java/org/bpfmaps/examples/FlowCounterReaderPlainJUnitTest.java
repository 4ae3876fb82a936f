package org.bpfmaps.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.Codecs;
import org.bpfmaps.examples.FlowCounterReader.FlowKey;
import org.bpfmaps.examples.FlowCounterReader.FlowStats;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first test of {@link FlowCounterReaderTest} written without the extension, kept to measure what the
 * extension saves: the backend choice, the skip-or-fail rule for linux, and the closing are spelled out here.
 */
class FlowCounterReaderPlainJUnitTest {
    private static final Codec<FlowKey> KEY = Codecs.struct(FlowKey.class);
    private static final Codec<FlowStats> STATS = Codecs.struct(FlowStats.class);
    private static final FlowKey HTTPS = new FlowKey(0x0A000001, 0x5DB8D822, (short) 40000, (short) 443, (byte) 6);

    // ---- setup and teardown the extension does (counted in the report) ----
    private static MapBackend open(String name) {
        MapBackendProvider provider = BpfMaps.providers().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElse(null);
        if (provider == null || !provider.isAvailable()) {
            String reason = name + " backend unavailable: " + (provider == null ? "not installed"
                    : provider.unavailabilityCause().map(Throwable::getMessage).orElse("no reason"));
            if (name.equals("linux") && "1".equals(System.getenv("BPFMAPS_REQUIRE_KERNEL"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        return name.equals("simulator") ? BpfMaps.open(name, Map.of("cpus", "2")) : BpfMaps.open(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simulator", "linux"})
    void sumsTheCountersOfEveryCpu(String backendName) {
        try (MapBackend backend = open(backendName);
             BpfMap flows = backend.create(FlowCounterReader.spec(64))) {
            // ---- end of setup; the test body is the same as with the extension ----
            int cpus = backend.possibleCpus();
            for (int c = 0; c < cpus; c++) {
                try (ProgramView cpu = flows.programView(c)) {
                    byte[] key = KEY.encode(HTTPS);
                    cpu.update(key, STATS.encode(new FlowStats(1, 1500)), UpdateFlags.ANY);
                }
            }
            assertEquals(new FlowStats(cpus, 1500L * cpus), new FlowCounterReader(flows).totals().get(HTTPS));
        }
    }
}
