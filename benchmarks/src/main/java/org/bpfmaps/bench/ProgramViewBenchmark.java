package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Program-view calls ({@code bpf_map_lookup_elem} / {@code bpf_map_update_elem} as a program makes them) on the
 * CPU the caller runs on: the benchmark thread is pinned to CPU 0 and the view is for CPU 0, so on linux each
 * call is one {@code BPF_PROG_TEST_RUN} run in the calling task (no IPI). Same HASH shape as
 * {@link MapOpsBenchmark}; {@code syscallLookup} is the map's own {@code lookup(byte[], byte[])} in the same
 * state, for the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProgramViewBenchmark {
    /** Backend name. */
    @Param({"simulator", "linux"})
    public String backend;

    private MapBackend kernel;
    private BpfMap map;
    private ProgramView view;
    private byte[][] keys;
    private final byte[] value = new byte[8];
    private int i;

    /** Creates and fills the map, pins this thread to CPU 0 and opens the view there. */
    @Setup(Level.Trial)
    public void setUp() {
        kernel = BpfMaps.open(backend, Map.of());
        if (backend.equals("linux") && !Pin.toCpu(0)) {
            throw new IllegalStateException("cannot pin the benchmark thread to CPU 0");
        }
        map = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8)
                .maxEntries(MapOpsBenchmark.ENTRIES).flags(MapFlag.ZERO_SEED).name("bench").build());
        keys = new byte[MapOpsBenchmark.ENTRIES][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k).array();
            map.update(keys[k], value, UpdateFlags.ANY);
        }
        view = map.programView(0);
    }

    /** Closes view, map and backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        view.close();
        map.close();
        kernel.close();
    }

    private int next() {
        i = (i + 1) & (MapOpsBenchmark.ENTRIES - 1);
        return i;
    }

    /** {@code bpf_map_lookup_elem} of a present key, on the caller's CPU. */
    @Benchmark
    public boolean programLookup() {
        return view.lookup(keys[next()], value);
    }

    /** {@code bpf_map_update_elem} of a present key, on the caller's CPU. */
    @Benchmark
    public void programUpdate() {
        view.update(keys[next()], value, UpdateFlags.ANY);
    }

    /** The system-call lookup with the same arguments, for the ratio. */
    @Benchmark
    public boolean syscallLookup() {
        return map.lookup(keys[next()], value);
    }
}
