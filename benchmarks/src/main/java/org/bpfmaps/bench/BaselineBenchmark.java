package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDK's own structures doing what the simulator does: the simulator's baseline.
 *
 * <p>{@code ConcurrentHashMap} with {@code Integer} keys is the JDK's best case; with {@link BytesKey} it gets
 * the same key bytes the simulator gets (like for like, including copying the value out).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineBenchmark {
    private static final int ENTRIES = MapOpsBenchmark.ENTRIES;

    /** A key wrapping bytes, hashed and compared by content. */
    static final class BytesKey {
        final byte[] bytes;
        final int hash;

        BytesKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BytesKey && Arrays.equals(bytes, ((BytesKey) o).bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final ConcurrentHashMap<Integer, Long> boxed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<BytesKey, byte[]> bytes = new ConcurrentHashMap<>();
    private final long[] array = new long[ENTRIES];
    private Integer[] intKeys;
    private BytesKey[] byteKeys;
    private byte[] valueOut = new byte[8];
    private byte[] valueIn = new byte[8];
    private int i;

    /** Fills the maps. */
    @Setup
    public void setUp() {
        intKeys = new Integer[ENTRIES];
        byteKeys = new BytesKey[ENTRIES];
        for (int k = 0; k < ENTRIES; k++) {
            intKeys[k] = k;
            byteKeys[k] = new BytesKey(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(k).array());
            boxed.put(k, (long) k);
            bytes.put(byteKeys[k], new byte[8]);
            array[k] = k;
        }
    }

    private int next() {
        i = (i + 1) & (ENTRIES - 1);
        return i;
    }

    /** {@code ConcurrentHashMap<Integer, Long>.get}. */
    @Benchmark
    public Long chmIntegerGet() {
        return boxed.get(intKeys[next()]);
    }

    /** {@code ConcurrentHashMap<Integer, Long>.put}. */
    @Benchmark
    public Long chmIntegerPut() {
        int k = next();
        return boxed.put(intKeys[k], (long) k);
    }

    /** {@code ConcurrentHashMap<BytesKey, byte[]>.get} copying the value out, as a map lookup does. */
    @Benchmark
    public byte[] chmBytesGet() {
        byte[] v = bytes.get(byteKeys[next()]);
        System.arraycopy(v, 0, valueOut, 0, v.length);
        return valueOut;
    }

    /** {@code ConcurrentHashMap<BytesKey, byte[]>.put} of a copied value, as a map update does. */
    @Benchmark
    public byte[] chmBytesPut() {
        return bytes.put(byteKeys[next()], valueIn.clone());
    }

    /** Plain array read. */
    @Benchmark
    public long arrayGet() {
        return array[next()];
    }
}
