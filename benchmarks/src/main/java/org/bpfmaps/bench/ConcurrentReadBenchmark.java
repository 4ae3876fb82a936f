package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two threads reading one simulated map at once (the case a test suite with parallel readers or a reader beside
 * a ring-buffer consumer hits), beside {@code ConcurrentHashMap.get} by the same two threads on the same keys.
 * Lookups on {@code HASH} and {@code LRU_HASH} take no lock in the simulator, so readers do not queue behind one
 * another; per-CPU hashes and arrays still take the map's monitor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class ConcurrentReadBenchmark {

    /** The map and its ConcurrentHashMap twin, shared by the reading threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        /** Map type. */
        @Param({"HASH", "ARRAY"})
        public String type;

        MapBackend kernel;
        BpfMap map;
        final ConcurrentHashMap<BaselineBenchmark.BytesKey, byte[]> chm = new ConcurrentHashMap<>();
        final ByteBuffer[] keys = new ByteBuffer[MapOpsBenchmark.ENTRIES];
        final BaselineBenchmark.BytesKey[] chmKeys = new BaselineBenchmark.BytesKey[MapOpsBenchmark.ENTRIES];

        /** Creates and fills both. */
        @Setup(Level.Trial)
        public void setUp() {
            MapType t = MapType.valueOf(type);
            kernel = BpfMaps.open("simulator", Map.of());
            MapSpec.Builder spec = MapSpec.builder(t).keySize(4).valueSize(8).maxEntries(MapOpsBenchmark.ENTRIES);
            if (t == MapType.HASH) {
                spec.flags(MapFlag.ZERO_SEED);
            }
            map = kernel.create(spec.build());
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            for (int k = 0; k < keys.length; k++) {
                keys[k] = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, k);
                value.putLong(0, k);
                map.update(keys[k], value, UpdateFlags.ANY);
                byte[] kb = new byte[4];
                keys[k].get(0, kb);
                chmKeys[k] = new BaselineBenchmark.BytesKey(kb);
                chm.put(chmKeys[k], new byte[8]);
            }
        }

        /** Closes the map and the kernel. */
        @TearDown(Level.Trial)
        public void tearDown() {
            map.close();
            kernel.close();
        }
    }

    /** Each thread's output buffer and position in the key cycle. */
    @State(Scope.Thread)
    public static class Reader {
        final ByteBuffer out = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        final byte[] outBytes = new byte[8];
        int i;
    }

    /** {@code BpfMap.lookup(ByteBuffer, ByteBuffer)} by two threads at once. */
    @Benchmark
    public boolean simulatorLookup(Shared s, Reader r) {
        return s.map.lookup(s.keys[r.i++ & (MapOpsBenchmark.ENTRIES - 1)], r.out);
    }

    /** {@code ConcurrentHashMap.get} plus the copy out, by two threads at once. */
    @Benchmark
    public byte[] chmGet(Shared s, Reader r) {
        byte[] v = s.chm.get(s.chmKeys[r.i++ & (MapOpsBenchmark.ENTRIES - 1)]);
        System.arraycopy(v, 0, r.outBytes, 0, 8);
        return r.outBytes;
    }
}
