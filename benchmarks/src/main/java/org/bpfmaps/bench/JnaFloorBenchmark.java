package org.bpfmaps.bench;

import com.sun.jna.Native;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.Scratch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pieces of a linux-backend lookup, each timed alone, to split JNA's cost from bpfmaps' own.
 *
 * <p>All on a HASH of 1024 entries (4-byte keys, 8-byte values), the shape {@link MapOpsBenchmark} and the C
 * floor use. The {@code bpf()} rows issue {@code BPF_MAP_LOOKUP_ELEM} on a present key with the attr, key and
 * value at fixed native addresses and no bpfmaps code on the path:
 * <ul>
 *   <li>{@code jnaBpfLookup}: {@code LibC.syscall}, attr written once in setup (JNA + kernel only);</li>
 *   <li>{@code jnaBpfLookupAttr}: the same, writing the attr's fields per call as {@code Bpf.elem} does;</li>
 *   <li>{@code jnaBpfLookupLean}: through {@link LeanLibC} ({@code OPTION_ALLOW_OBJECTS=false});</li>
 *   <li>{@code jnaBpfLookupErrno}: plus {@code Native.getLastError()} after every call.</li>
 * </ul>
 * The others time what surrounds the system call in {@code LinuxMap}: a trivial native call
 * ({@code sched_getcpu}, answered in user space via rseq/vDSO, so it is JNA's dispatch and nothing else),
 * {@code Native.getLastError()}, {@code Scratch.get()} (a ThreadLocal), the use count's CAS and getAndAdd, and
 * the key and value copies.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JnaFloorBenchmark {
    private static final int LOOKUP = BpfCommand.BPF_MAP_LOOKUP_ELEM.number();
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(JnaFloorBenchmark.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private MapBackend kernel;
    private BpfMap map;
    private int fd;
    private NativeBuffer attr;
    private NativeBuffer data;
    private ByteBuffer[] keys;
    private ByteBuffer value;
    private int i;
    @SuppressWarnings("unused") // through STATE
    private volatile int state = 1;

    /** Creates and fills the map. */
    @Setup(Level.Trial)
    public void setUp() {
        kernel = BpfMaps.open("linux", Map.of());
        map = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8)
                .maxEntries(MapOpsBenchmark.ENTRIES).flags(MapFlag.ZERO_SEED).name("bench").build());
        keys = new ByteBuffer[MapOpsBenchmark.ENTRIES];
        value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        for (int k = 0; k < keys.length; k++) {
            keys[k] = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, k);
            map.update(keys[k], value, UpdateFlags.ANY);
        }
        fd = ((LinuxMap) map).fd();
        attr = new NativeBuffer(128);
        data = new NativeBuffer(64);
        writeAttr();
    }

    /** Closes the map. */
    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
        kernel.close();
    }

    private void writeAttr() {
        ByteBuffer a = attr.buffer();
        a.putLong(0, 0L);
        a.putInt(0, fd);
        a.putLong(8, data.address());
        a.putLong(16, data.address(8));
        a.putLong(24, 0L);
    }

    private int next() {
        i = (i + 1) & (MapOpsBenchmark.ENTRIES - 1);
        return i;
    }

    /** {@code bpf(BPF_MAP_LOOKUP_ELEM)} through {@code LibC.syscall}; attr prepared once. */
    @Benchmark
    public long jnaBpfLookup() {
        data.buffer().putInt(0, next());
        return LibC.syscall(LibC.NR_BPF, LOOKUP, attr.address(), 32);
    }

    /** The same, writing the attr per call as {@code Bpf.elem} does. */
    @Benchmark
    public long jnaBpfLookupAttr() {
        data.buffer().putInt(0, next());
        writeAttr();
        return LibC.syscall(LibC.NR_BPF, LOOKUP, attr.address(), 32);
    }

    /** The same call through {@link LeanLibC}. */
    @Benchmark
    public long jnaBpfLookupLean() {
        data.buffer().putInt(0, next());
        return LeanLibC.syscall(LibC.NR_BPF, LOOKUP, attr.address(), 32);
    }

    /** {@link #jnaBpfLookup} plus reading errno after every call. */
    @Benchmark
    public long jnaBpfLookupErrno() {
        data.buffer().putInt(0, next());
        long r = LibC.syscall(LibC.NR_BPF, LOOKUP, attr.address(), 32);
        return r + Native.getLastError();
    }

    /** A native call that never enters the kernel: JNA's dispatch cost alone. */
    @Benchmark
    public int jnaSchedGetcpu() {
        return LibC.sched_getcpu();
    }

    /** {@code Native.getLastError()} alone (a JNI call reading JNA's thread storage). */
    @Benchmark
    public int jnaGetLastError() {
        return Native.getLastError();
    }

    /** {@code Scratch.get()}: the per-thread native memory lookup. */
    @Benchmark
    public Object scratchGet() {
        return Scratch.get();
    }

    /** The use count: one CAS to acquire and one getAndAdd to release, as {@code LinuxMap.FdHandle} does. */
    @Benchmark
    public int useCount() {
        for (;;) {
            int s = state;
            if (STATE.compareAndSet(this, s, s + 1)) {
                break;
            }
        }
        return (int) STATE.getAndAdd(this, -1);
    }

    /** Copying a 4-byte key in and an 8-byte value out through the native scratch block. */
    @Benchmark
    public ByteBuffer copies() {
        ByteBuffer key = keys[next()];
        ByteBuffer d = data.buffer();
        d.put(0, key, key.position(), 4);
        value.put(value.position(), d, 8, 8);
        return value;
    }

    /** The whole thing through the public API, for reference: {@code BpfMap.lookup(ByteBuffer, ByteBuffer)}. */
    @Benchmark
    public boolean bpfmapsLookup() {
        return map.lookup(keys[next()], value);
    }
}
