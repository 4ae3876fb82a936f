package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.differential.Lockstep;
import org.bpfmaps.conformance.differential.Scenario;
import org.bpfmaps.conformance.differential.ScenarioGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Proves the differential driver can fail: a deliberately wrong map must be reported, a right one not. */
@DisplayName("Differential driver self-test")
class DifferentialSelfTest {
    private MapBackend a;
    private MapBackend b;

    @BeforeEach
    void open() {
        a = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
        b = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static ScenarioGenerator.Options options(int ops) {
        return new ScenarioGenerator.Options(ops, true, true, HostCpus.possible());
    }

    @Test
    @DisplayName("two simulators agree with each other on every type, ordered and unordered")
    void simulatorAgreesWithItself() {
        Lockstep lockstep = new Lockstep("simulator-1", a, "simulator-2", b, 4, 16);
        Lockstep.Stats stats = new Lockstep.Stats();
        Random r = new Random(42);
        for (MapType type : new MapType[] {MapType.HASH, MapType.PERCPU_HASH, MapType.ARRAY, MapType.PERCPU_ARRAY}) {
            for (int i = 0; i < 25; i++) {
                Scenario s = ScenarioGenerator.generate(type, r, options(200));
                Optional<String> diff = lockstep.run(s, stats);
                assertTrue(diff.isEmpty(), () -> diff.orElse(""));
            }
        }
        assertTrue(stats.ops > 15_000, "ops ran: " + stats.ops);
        assertEquals(0, stats.differences);
    }

    /** Reports a successful delete as a miss on the third successful delete of each map. */
    static final class LyingDelete extends ForwardingBpfMap {
        private int deletes;

        LyingDelete(BpfMap d) {
            super(d);
        }

        @Override
        public boolean delete(byte[] key) {
            boolean r = d.delete(key);
            if (r && ++deletes == 3) {
                return false;
            }
            return r;
        }
    }

    @Test
    @DisplayName("a map that lies about one delete result is caught, with a minimised reproduction")
    void flippedResultIsReported() {
        Lockstep lockstep = new Lockstep("broken", a, LyingDelete::new, "simulator", b,
                java.util.function.UnaryOperator.identity(), 8, 48).minimiseBudgetSeconds(10);
        Lockstep.Stats stats = new Lockstep.Stats();
        Random r = new Random(7);
        Optional<String> report = Optional.empty();
        for (int i = 0; i < 50 && report.isEmpty(); i++) {
            report = lockstep.run(ScenarioGenerator.generate(MapType.HASH, r, options(300)), stats);
        }
        assertTrue(report.isPresent(), "the broken delete was not noticed in " + stats.ops + " ops");
        String text = report.get();
        System.out.println("self-test report (expected):\n" + text);
        assertTrue(text.contains("first difference at op #"), text);
        assertTrue(text.contains("delete"), text);
        assertTrue(text.contains("broken: miss"), text);
        assertTrue(text.contains("minimised reproduction"), text);
        assertEquals(1, stats.differences);
    }

    /** Returns keys in a rotated order: get_next_key(null) skips the real first key when possible. */
    static final class WrongOrder extends ForwardingBpfMap {
        WrongOrder(BpfMap d) {
            super(d);
        }

        @Override
        public boolean nextKey(byte[] key, byte[] next) {
            if (key == null) {
                byte[] first = new byte[next.length];
                if (d.nextKey(null, first) && d.nextKey(first, next)) {
                    return true;
                }
            }
            return d.nextKey(key, next);
        }
    }

    @Test
    @DisplayName("a map whose iteration order is wrong is caught on ordered (ZERO_SEED/array) maps")
    void wrongOrderIsReported() {
        Lockstep lockstep = new Lockstep("misordered", a, WrongOrder::new, "simulator", b,
                java.util.function.UnaryOperator.identity(), 8, 48).minimiseBudgetSeconds(10);
        Lockstep.Stats stats = new Lockstep.Stats();
        Random r = new Random(11);
        Optional<String> report = Optional.empty();
        for (int i = 0; i < 50 && report.isEmpty(); i++) {
            report = lockstep.run(ScenarioGenerator.generate(MapType.ARRAY, r, options(100)), stats);
        }
        assertTrue(report.isPresent(), "the wrong order was not noticed");
        assertTrue(report.get().contains("nextKey") || report.get().contains("walk"), report.get());
    }
}
