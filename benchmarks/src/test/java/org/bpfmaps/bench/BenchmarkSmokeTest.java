package org.bpfmaps.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs a tiny benchmark configuration so the build notices when the benchmarks break; checks they run, not numbers. */
class BenchmarkSmokeTest {

    private static Collection<RunResult> run(String include, String backend) throws Exception {
        Options opts = new OptionsBuilder()
                .include(include)
                .param("backend", backend)
                .param("type", "HASH", "PERCPU_ARRAY")
                .addProfiler("gc")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .build();
        return new Runner(opts).run();
    }

    @Test
    void simulatorBenchmarksRun() throws Exception {
        Collection<RunResult> results = run(MapOpsBenchmark.class.getSimpleName() + ".(lookupHit|updateBatch)",
                "simulator");
        assertEquals(4, results.size());
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().toString());
            assertTrue(r.getSecondaryResults().containsKey("gc.alloc.rate.norm"), "the GC profiler ran");
        }
    }

    @Test
    void concurrentReadBenchmarkRuns() throws Exception {
        Options opts = new OptionsBuilder()
                .include(ConcurrentReadBenchmark.class.getSimpleName())
                .param("type", "HASH")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        assertEquals(2, results.size());
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().toString());
        }
    }

    @Test
    void simulatorProgramViewAndRingBufferBenchmarksRun() throws Exception {
        Collection<RunResult> results = run(
                "(" + ProgramViewBenchmark.class.getSimpleName() + ".programLookup|"
                        + RingBufferBenchmark.class.getSimpleName() + ".consume)", "simulator");
        assertEquals(2, results.size());
    }

    @Test
    void linuxBenchmarksRun() throws Exception {
        MapBackendProvider linux = BpfMaps.providers().stream().filter(p -> p.name().equals("linux"))
                .findFirst().orElseThrow();
        if (!linux.isAvailable()) {
            String why = linux.unavailabilityCause().map(Throwable::getMessage).orElse("unknown");
            assertFalse("1".equals(System.getenv("BPFMAPS_REQUIRE_KERNEL")),
                    "BPFMAPS_REQUIRE_KERNEL=1 but the linux backend is unavailable: " + why);
            Assumptions.abort("linux backend unavailable: " + why);
        }
        Collection<RunResult> results = run(MapOpsBenchmark.class.getSimpleName() + ".(lookupMiss|nextKey)", "linux");
        assertEquals(4, results.size());
        results = run("(" + ProgramViewBenchmark.class.getSimpleName() + ".programLookup|"
                + RingBufferBenchmark.class.getSimpleName() + ".consume|"
                + JnaFloorBenchmark.class.getSimpleName() + ".jnaBpfLookup$)", "linux");
        assertEquals(3, results.size());
    }

    @Test
    void reportComputesRatiosFromOneRun() {
        List<String> floor = List.of("HASH\tlookupHit\t400.00");
        List<String> csv = List.of(
                "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\","
                        + "\"Param: backend\",\"Param: type\"",
                "\"org.bpfmaps.bench.MapOpsBenchmark.lookupHit\",\"avgt\",1,5,440.0,1.0,\"ns/op\",linux,HASH",
                "\"org.bpfmaps.bench.MapOpsBenchmark.lookupHit\",\"avgt\",1,5,44.0,1.0,\"ns/op\",simulator,HASH",
                "\"org.bpfmaps.bench.BaselineBenchmark.chmBytesGet\",\"avgt\",1,5,22.0,1.0,\"ns/op\",,");
        String table = Report.render(floor, csv);
        assertTrue(table.contains("HASH/lookupHit"), table);
        assertTrue(table.contains("1.10x"), table);
        assertTrue(table.contains("2.00x"), table);
        assertTrue(table.contains("10.00x"), table);
    }

    @Test
    void reportReadsProfilerRowsAndTheOtherSections() {
        List<String> floor = List.of("HASH\tlookupHit\t400.00");
        List<String> csv = List.of(
                "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\","
                        + "\"Param: backend\",\"Param: type\"",
                "\"org.bpfmaps.bench.MapOpsBenchmark.lookupHit\",\"avgt\",1,5,440.0,1.0,\"ns/op\",linux,HASH",
                "\"org.bpfmaps.bench.MapOpsBenchmark.lookupHit:gc.alloc.rate.norm\",\"avgt\",1,5,0.004,1.0,\"B/op\","
                        + "linux,HASH",
                "\"org.bpfmaps.bench.RingBufferBenchmark.consume\",\"sample\",1,5,90.0,1.0,\"ns/op\",linux,",
                "\"org.bpfmaps.bench.RingBufferBenchmark.consume:p0.50\",\"sample\",1,1,30.0,NaN,\"ns/op\",linux,",
                "\"org.bpfmaps.bench.JnaFloorBenchmark.jnaBpfLookup\",\"avgt\",1,5,420.0,1.0,\"ns/op\",,",
                "\"org.bpfmaps.bench.JnaFloorBenchmark.bpfmapsLookup\",\"avgt\",1,5,450.0,1.0,\"ns/op\",,");
        List<String> ring = List.of("hot\t262144\t3640\t10.00\t15.00");
        List<String> ffm = List.of("HASH\tlookupHit\t400.00", "ffm\tffmCapture\t404.00\t500.00",
                "HASH\tlookupHit\t420.00");
        String table = Report.render(floor, csv, ring, ffm);
        assertTrue(table.contains("0.0"), table);
        assertTrue(table.contains("2.00x"), table); // ring: 30 / 15, the median row not the mean
        assertTrue(table.contains("1.05x"), table); // JNA raw call / C floor
        assertTrue(table.contains("1.01x"), table); // FFM / C floor
        assertFalse(table.contains("lookupHit:"), table); // profiler rows are columns, not operations
    }
}
