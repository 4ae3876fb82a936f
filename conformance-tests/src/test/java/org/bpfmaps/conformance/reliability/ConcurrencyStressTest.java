package org.bpfmaps.conformance.reliability;

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
 * operations each (x {@code -Dbpfmaps.stress.scale=N}). Types beyond HASH, ARRAY and the per-CPU pair run only
 * where both backends support them.
 */
@DisplayName("Reliability: concurrency stress")
class ConcurrencyStressTest {
    static final int THREADS = 4;
    static final int OPS = 250_000 * Integer.getInteger("bpfmaps.stress.scale", 1);

    static Stream<Arguments> runs() {
        return Stream.of("simulator", "linux").flatMap(b -> Stream.of(MapType.HASH, MapType.ARRAY,
                MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_HASH, MapType.LPM_TRIE, MapType.QUEUE)
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
        boolean core = type == MapType.HASH || type == MapType.ARRAY || type == MapType.PERCPU_HASH
                || type == MapType.PERCPU_ARRAY;
        if (!core && !supportedByBoth(type)) {
            System.out.println("concurrency " + backend + " " + type + ": not supported by both backends, not run");
            return;
        }
        try (MapBackend b = open(backend)) {
            ConcurrencyStress.Report r = ConcurrencyStress.run(b, type, THREADS, OPS);
            System.out.println(r);
        }
    }
}
