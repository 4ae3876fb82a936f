package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
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
 * Ring buffer consume throughput: {@value #RECORDS} records of {@value #RECORD} bytes, written before each
 * invocation by the program view's {@code bpf_ringbuf_output} (not timed), then consumed by one
 * {@code RingBufferReader.consume} call whose handler reads each record's first 8 bytes (as the C floor's
 * callback does). Time per record. The ring (256 KiB) and the records (72 KiB with headers) stay in L2: this is
 * the floor's "hot" case ({@code ringbuf_floor 400 262144 hot}).
 *
 * <p>Sample mode: every consume call is timed on its own, and the report uses the median ({@code p0.50}), as the
 * floor does. A mean over so few, so short calls (1024 records take 15-100 us, the fill before them about 1 ms
 * on linux) is dominated by the odd preemption on a shared machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBufferBenchmark {
    /** Records per consume call. */
    public static final int RECORDS = 1024;
    /** Payload bytes per record. */
    public static final int RECORD = 64;
    /** Ring size in bytes. */
    public static final int RING = 256 * 1024;

    /** Backend name. */
    @Param({"simulator", "linux"})
    public String backend;

    private MapBackend kernel;
    private BpfMap ring;
    private ProgramView producer;
    private RingBufferReader reader;
    private final byte[] record = new byte[RECORD];
    private long sink;
    private final RingBufferReader.RecordHandler handler = (m, r) -> sink += r.getLong(0);

    /** Creates the ring, its producer view (CPU 0, this thread pinned there on linux) and the reader. */
    @Setup(Level.Trial)
    public void setUp() {
        kernel = BpfMaps.open(backend, Map.of());
        if (backend.equals("linux") && !Pin.toCpu(0)) {
            throw new IllegalStateException("cannot pin the benchmark thread to CPU 0");
        }
        ring = kernel.create(MapSpec.builder(MapType.RINGBUF).keySize(0).valueSize(0).maxEntries(RING)
                .name("bench_rb").build());
        producer = ring.programView(0);
        reader = kernel.ringBufferReader(ring);
    }

    /** Writes the records the next invocation consumes. */
    @Setup(Level.Invocation)
    public void fill() {
        for (int k = 0; k < RECORDS; k++) {
            ByteBuffer.wrap(record).putLong(0, k);
            if (!producer.ringbufOutput(record, 0)) {
                throw new IllegalStateException("ring full after " + k + " records");
            }
        }
    }

    /** Closes reader, view, ring and backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
        producer.close();
        ring.close();
        kernel.close();
    }

    /** One consume call over {@value #RECORDS} records; time per record. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long consume() {
        int n = reader.consume(handler);
        if (n != RECORDS) {
            throw new IllegalStateException("consumed " + n + " records, expected " + RECORDS);
        }
        return sink;
    }
}
