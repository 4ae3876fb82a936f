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
import org.bpfmaps.UpdateFlags;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hot map operations on one backend and map type, through the allocation-free {@code ByteBuffer} forms.
 *
 * <p>The map holds {@value #ENTRIES} entries with 4-byte keys (LPM: /32 prefixes, 8-byte keys) and 8-byte
 * values; hits cycle over the present keys, misses over keys that are never inserted. Batch benchmarks report
 * time per element.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MapOpsBenchmark {
    /** Entries in every benchmarked map. */
    public static final int ENTRIES = 1024;
    /** Elements per batch call. */
    public static final int BATCH = 256;

    /** Backend name. */
    @Param({"simulator", "linux"})
    public String backend;

    /** Map type. */
    @Param({"HASH", "ARRAY", "PERCPU_ARRAY", "LRU_HASH", "LPM_TRIE"})
    public String type;

    private MapBackend kernel;
    private BpfMap map;
    private ByteBuffer[] hitKeys;
    private ByteBuffer[] missKeys;
    private ByteBuffer value;
    private ByteBuffer nextKey;
    private byte[] batchKeys;
    private byte[] batchValues;
    private byte[] cursorOut;
    private int keySize;
    private int i;

    /** Creates and fills the map. */
    @Setup(Level.Trial)
    public void setUp() {
        MapType t = MapType.valueOf(type);
        kernel = BpfMaps.open(backend, Map.of());
        keySize = t == MapType.LPM_TRIE ? 8 : 4;
        MapSpec.Builder spec = MapSpec.builder(t).keySize(keySize).valueSize(8).maxEntries(ENTRIES).name("bench");
        if (t == MapType.HASH || t == MapType.LRU_HASH) {
            spec.flags(MapFlag.ZERO_SEED);
        } else if (t == MapType.LPM_TRIE) {
            spec.flags(MapFlag.NO_PREALLOC);
        }
        map = kernel.create(spec.build());
        hitKeys = new ByteBuffer[ENTRIES];
        missKeys = new ByteBuffer[ENTRIES];
        value = ByteBuffer.allocateDirect(map.valueBufferSize()).order(ByteOrder.nativeOrder());
        for (int k = 0; k < ENTRIES; k++) {
            hitKeys[k] = key(k);
            missKeys[k] = key(t.isArray() ? ENTRIES + k : 1_000_000 + k);
            value.putLong(0, k);
            map.update(hitKeys[k], value, UpdateFlags.ANY);
        }
        nextKey = ByteBuffer.allocateDirect(keySize).order(ByteOrder.nativeOrder());
        batchKeys = new byte[BATCH * keySize];
        batchValues = new byte[BATCH * map.valueBufferSize()];
        for (int k = 0; k < BATCH; k++) {
            key(k).get(0, batchKeys, k * keySize, keySize);
        }
        cursorOut = new byte[map.batchCursorSize()];
    }

    /** A key: the u32 itself, or for LPM a /32 prefix of it (prefix length in host order, address bytes). */
    private ByteBuffer key(int k) {
        ByteBuffer b = ByteBuffer.allocateDirect(keySize).order(ByteOrder.nativeOrder());
        if (keySize == 8) {
            b.putInt(0, 32);
            b.putInt(4, k);
        } else {
            b.putInt(0, k);
        }
        return b;
    }

    /** Closes the map and backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
        kernel.close();
    }

    private int next() {
        i = (i + 1) & (ENTRIES - 1);
        return i;
    }

    /** Lookup of a present key. */
    @Benchmark
    public boolean lookupHit() {
        return map.lookup(hitKeys[next()], value);
    }

    /** Lookup of a missing key (for arrays: an index beyond max_entries). */
    @Benchmark
    public boolean lookupMiss() {
        return map.lookup(missKeys[next()], value);
    }

    /** Update of a present key. */
    @Benchmark
    public void update() {
        map.update(hitKeys[next()], value, UpdateFlags.ANY);
    }

    /** Delete then re-insert of a present key (hash only; arrays cannot delete). */
    @Benchmark
    public void deleteAndUpdate() {
        ByteBuffer k = hitKeys[next()];
        if (!map.type().isArray()) {
            map.delete(k);
        }
        map.update(k, value, UpdateFlags.ANY);
    }

    /** One step of a get-next-key walk, restarting at the end. */
    @Benchmark
    public boolean nextKey() {
        boolean more = map.nextKey(nextKey, nextKey);
        if (!more) {
            nextKey.putInt(0, -1); // an absent key (prefix length too long for LPM): restarts the walk
        }
        return more;
    }

    /** Batch lookup of {@value #BATCH} elements; time per element. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int lookupBatch() {
        return map.lookupBatch(null, cursorOut, batchKeys, batchValues, BATCH, 0).count();
    }

    /** Batch update of {@value #BATCH} elements; time per element. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int updateBatch() {
        return map.updateBatch(batchKeys, batchValues, BATCH, 0);
    }
}
