package org.bpfmaps.conformance.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConcurrencyStress} for each covered type on both backends, one type at a time: 4 threads x 250 000 mixed
 * operations each (STACK and BLOOM_FILTER: 100 000), x {@code -Dbpfmaps.stress.scale=N}. Every type listed must be
 * supported by both backends.
 */
@DisplayName("Reliability: concurrency stress")
class ConcurrencyStressTest {
    static final int THREADS = 4;
    static final int OPS = 250_000 * Integer.getInteger("bpfmaps.stress.scale", 1);

    static Stream<Arguments> runs() {
        return Stream.of("simulator", "linux").flatMap(b -> Stream.of(MapType.HASH, MapType.ARRAY,
                MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH,
                MapType.LPM_TRIE, MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER)
                .map(t -> Arguments.of(b, t)));
    }

    static MapBackend open(String name) {
        if (name.equals("linux")) {
            KernelRequirement.assumeKernel();
            return BpfMaps.open("linux");
        }
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    static boolean supportedByBoth(MapType type) {
        try (MapBackend sim = open("simulator")) {
            if (!sim.isSupported(type)) {
                return false;
            }
        }
        if (KernelRequirement.decide().verdict() != KernelRequirement.Verdict.RUN) {
            return true;
        }
        try (MapBackend linux = BpfMaps.open("linux")) {
            return linux.isSupported(type);
        }
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("runs")
    @Timeout(600)
    void invariantsHoldUnderConcurrentChange(String backend, MapType type) throws Exception {
        assertTrue(ConcurrencyStress.covers(type), type + " is in the stress set");
        assertTrue(supportedByBoth(type), type + " must be supported by both backends to be stressed on both");
        try (MapBackend b = open(backend)) {
            // STACK and BLOOM_FILTER have one code path each (push/pop, push/test): fewer operations cover them
            int ops = type == MapType.STACK || type == MapType.BLOOM_FILTER ? OPS * 2 / 5 : OPS;
            ConcurrencyStress.Report r = ConcurrencyStress.run(b, type, THREADS, ops);
            System.out.println(r);
        }
    }
}
