package org.bpfmaps.bench.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

/**
 * Prototype, Java 22+ only (compiled and run by {@code benchmarks/run.sh --ffm} with JDK 25): the same
 * {@code bpf(BPF_MAP_LOOKUP_ELEM)} on a present key of the benchmark HASH (1024 entries, 4-byte keys, 8-byte
 * values) through {@code java.lang.foreign}, beside JNA's direct mapping and bpfmaps' own lookup, in one JVM.
 *
 * <p>Not JMH (the suite is built for Java 17): a plain harness that runs every form in turn for {@code ROUNDS}
 * rounds of {@code CALLS} calls (after a warm-up that gets all of them compiled) and prints, per form, the best
 * and the median round's mean time per call. Interleaving the forms round by round makes a busy machine's noise
 * fall on all of them alike, and short rounds (default 2048 calls, about 1 ms) let the best round be one that
 * no other process interrupted; the C floor's round mode ({@code floor ITERS 2048 HASH}) uses the same
 * estimator. Output lines: {@code ffm\t<form>\t<best ns>\t<median ns>}; batch forms are per element.
 *
 * <p>Forms: {@code ffmCapture} is the candidate binding (variadic {@code syscall} with {@code firstVariadicArg(1)}
 * and {@code captureCallState("errno")}, errno read only on failure); {@code ffmNoCapture} drops errno capture;
 * {@code ffmCritical} adds {@code Linker.Option.critical(false)} (no thread-state transition; only sound for
 * calls that never block, which a hash lookup does not, but not a general answer for bpf()); {@code jnaSyscall}
 * is the linux backend's {@code LibC.syscall}; {@code bpfmapsLookup}, {@code bpfmapsUpdate} and the two batch
 * forms are the library as it is ({@code ByteBuffer} forms, JNA underneath), here for the same-estimator
 * comparison with the floor.
 */
public final class FfmFloor {
    private static final int LOOKUP = 1; // BPF_MAP_LOOKUP_ELEM
    private static final int ENTRIES = 1024;
    private static final int BATCH = 256;

    private FfmFloor() {
    }

    interface Form {
        long call(int k) throws Throwable;
    }

    public static void main(String[] args) throws Throwable {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2_048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        long nrBpf = LibC.NR_BPF;
        Linker linker = Linker.nativeLinker();
        MemorySegment syscallAddress = linker.defaultLookup().find("syscall").orElseThrow();
        FunctionDescriptor desc = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        StructLayout capturedLayout = Linker.Option.captureStateLayout();
        VarHandle errnoHandle = capturedLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        MethodHandle capture = linker.downcallHandle(syscallAddress, desc, Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
        MethodHandle plain = linker.downcallHandle(syscallAddress, desc, Linker.Option.firstVariadicArg(1));
        MethodHandle critical;
        try {
            critical = linker.downcallHandle(syscallAddress, desc, Linker.Option.firstVariadicArg(1),
                    Linker.Option.critical(false));
        } catch (IllegalArgumentException e) {
            critical = null;
            System.err.println("critical(false) refused: " + e.getMessage());
        }

        try (MapBackend kernel = BpfMaps.open("linux", Map.of());
             BpfMap map = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(ENTRIES)
                     .flags(MapFlag.ZERO_SEED).name("bench").build());
             Arena arena = Arena.ofConfined()) {
            ByteBuffer[] keys = new ByteBuffer[ENTRIES];
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            for (int k = 0; k < ENTRIES; k++) {
                keys[k] = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, k);
                map.update(keys[k], value, UpdateFlags.ANY);
            }
            int fd = ((LinuxMap) map).fd();
            // FFM memory: attr (fd, key, value, flags), key, value.
            MemorySegment attr = arena.allocate(128, 8);
            MemorySegment key = arena.allocate(8, 8);
            MemorySegment val = arena.allocate(8, 8);
            MemorySegment errnoState = arena.allocate(capturedLayout);
            attr.set(ValueLayout.JAVA_INT, 0, fd);
            attr.set(ValueLayout.JAVA_LONG, 8, key.address());
            attr.set(ValueLayout.JAVA_LONG, 16, val.address());
            long attrAddress = attr.address();
            // JNA memory for the JNA form, same layout.
            NativeBuffer jAttr = new NativeBuffer(128);
            NativeBuffer jData = new NativeBuffer(16);
            jAttr.buffer().putInt(0, fd).putLong(8, jData.address()).putLong(16, jData.address(8));
            long jAttrAddress = jAttr.address();
            ByteBuffer jd = jData.buffer();

            MethodHandle crit = critical;
            List<String> names = new ArrayList<>();
            List<Form> forms = new ArrayList<>();
            names.add("ffmCapture");
            forms.add(k -> {
                key.set(ValueLayout.JAVA_INT, 0, k);
                long r = (long) capture.invokeExact(errnoState, nrBpf, (long) LOOKUP, attrAddress, 32L);
                if (r < 0) {
                    return -(int) errnoHandle.get(errnoState, 0L);
                }
                return r;
            });
            names.add("ffmNoCapture");
            forms.add(k -> {
                key.set(ValueLayout.JAVA_INT, 0, k);
                return (long) plain.invokeExact(nrBpf, (long) LOOKUP, attrAddress, 32L);
            });
            if (crit != null) {
                names.add("ffmCritical");
                forms.add(k -> {
                    key.set(ValueLayout.JAVA_INT, 0, k);
                    return (long) crit.invokeExact(nrBpf, (long) LOOKUP, attrAddress, 32L);
                });
            }
            names.add("jnaSyscall");
            forms.add(k -> {
                jd.putInt(0, k);
                return LibC.syscall(nrBpf, LOOKUP, jAttrAddress, 32);
            });
            names.add("bpfmapsLookup");
            forms.add(k -> map.lookup(keys[k], value) ? 0 : -2);
            names.add("bpfmapsUpdate");
            forms.add(k -> {
                map.update(keys[k], value, UpdateFlags.ANY);
                return 0;
            });
            // Batches of 256: one batch call every 256th "call", so the figure is per element. A hash lookup batch
            // returns whole buckets, so a few fewer than 256 (the C floor counts 256 per call too).
            byte[] batchKeys = new byte[BATCH * 4];
            byte[] batchValues = new byte[BATCH * 8];
            byte[] cursor = new byte[map.batchCursorSize()];
            for (int k = 0; k < BATCH; k++) {
                keys[k].get(0, batchKeys, k * 4, 4);
            }
            names.add("bpfmapsLookupBatch");
            forms.add(k -> (k & (BATCH - 1)) != 0 ? 0
                    : map.lookupBatch(null, cursor, batchKeys, batchValues, BATCH, 0).count() > BATCH - 8 ? 0 : -1);
            names.add("bpfmapsUpdateBatch");
            forms.add(k -> (k & (BATCH - 1)) != 0 ? 0 : map.updateBatch(batchKeys, batchValues, BATCH, 0) - BATCH);

            for (Form f : forms) {
                check(f);
            }
            int n = forms.size();
            for (int w = 0; w < Math.max(3, 200_000 / calls); w++) {
                for (Form f : forms) {
                    time(f, calls);
                }
            }
            double[][] ns = new double[n][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) {
                    ns[i][r] = time(forms.get(i), calls) / (double) calls;
                }
            }
            for (int i = 0; i < n; i++) {
                Arrays.sort(ns[i]);
                System.out.printf(Locale.ROOT, "ffm\t%s\t%.2f\t%.2f%n", names.get(i), ns[i][0], ns[i][rounds / 2]);
            }
            jAttr.free();
            jData.free();
        }
    }

    private static void check(Form f) throws Throwable {
        for (int k = 0; k < ENTRIES; k++) {
            long r = f.call(k);
            if (r != 0) {
                throw new AssertionError("lookup of key " + k + " returned " + r);
            }
        }
    }

    private static long time(Form f, int calls) throws Throwable {
        long sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink += f.call(i & (ENTRIES - 1));
        }
        long t = System.nanoTime() - t0;
        if (sink != 0) {
            throw new AssertionError("a lookup failed");
        }
        return t;
    }
}
