package org.bpfmaps.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.Scratch;

/**
 * Where a linux-backend lookup's time goes, built up step by step and timed with the estimator that survives a
 * busy machine: every form runs in turn for many short rounds (2048 calls, about 1 ms), and the least round mean
 * counts (the round nobody interrupted), as in the C floor's round mode ({@code floor ITERS 2048 HASH}) and
 * the FFM prototype. Java 17, JNA, HASH of 1024 entries, lookups of present keys.
 *
 * <p>Forms, each adding one piece of {@code LinuxMap.lookup} to the one before:
 * {@code 1 jnaSyscall} (attr, key and value prepared, only the key's bytes written per call),
 * {@code 2 +attr} ({@code Bpf.mapLookupElem}: the attr fields written per call),
 * {@code 3 +copies} (key copied in from, value copied out to, caller ByteBuffers),
 * {@code 4 +scratch} ({@code Scratch.get()} for attr and data),
 * {@code 5 +useCount} (the fd use count's CAS and getAndAdd),
 * {@code 6 bpfmapsLookup} (the real {@code BpfMap.lookup(ByteBuffer, ByteBuffer)}: plus argument checks and
 * the command dispatch). Also {@code jnaSchedGetcpu}: a JNA call that never enters the kernel.
 * Output: {@code breakdown\t<form>\t<best ns>\t<median ns>}.
 */
public final class LookupBreakdown {
    private static final int ENTRIES = 1024;
    private static final int LOOKUP = BpfCommand.BPF_MAP_LOOKUP_ELEM.number();
    private static final VarHandle STATE;
    @SuppressWarnings("unused") // through STATE
    private static volatile int state = 1;

    static {
        try {
            STATE = MethodHandles.lookup().findStaticVarHandle(LookupBreakdown.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LookupBreakdown() {
    }

    interface Form {
        long call(int k);
    }

    /** Entry point: {@code LookupBreakdown [callsPerRound [rounds]]}. */
    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (MapBackend kernel = BpfMaps.open("linux", Map.of());
             BpfMap map = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(ENTRIES)
                     .flags(MapFlag.ZERO_SEED).name("bench").build())) {
            ByteBuffer[] keys = new ByteBuffer[ENTRIES];
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            for (int k = 0; k < ENTRIES; k++) {
                keys[k] = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, k);
                map.update(keys[k], value, UpdateFlags.ANY);
            }
            int fd = ((LinuxMap) map).fd();
            NativeBuffer attr = new NativeBuffer(128);
            NativeBuffer data = new NativeBuffer(512);
            ByteBuffer d = data.buffer();
            long keyAddress = data.address();
            long valueAddress = data.address(8);
            attr.buffer().putInt(0, fd).putLong(8, keyAddress).putLong(16, valueAddress).putLong(24, 0L);
            long attrAddress = attr.address();

            List<String> names = new ArrayList<>();
            List<Form> forms = new ArrayList<>();
            names.add("1 jnaSyscall");
            forms.add(k -> {
                d.putInt(0, k);
                return LibC.syscall(LibC.NR_BPF, LOOKUP, attrAddress, 32);
            });
            names.add("2 +attr");
            forms.add(k -> {
                d.putInt(0, k);
                return Bpf.mapLookupElem(attr, fd, keyAddress, valueAddress, 0L);
            });
            names.add("3 +copies");
            forms.add(k -> {
                ByteBuffer key = keys[k];
                d.put(0, key, key.position(), 4);
                int r = Bpf.mapLookupElem(attr, fd, keyAddress, valueAddress, 0L);
                value.put(value.position(), d, 8, 8);
                return r;
            });
            names.add("4 +scratch");
            forms.add(k -> {
                Scratch s = Scratch.get();
                NativeBuffer sd = s.data(16);
                ByteBuffer b = sd.buffer();
                ByteBuffer key = keys[k];
                b.put(0, key, key.position(), 4);
                int r = Bpf.mapLookupElem(s.attr(), fd, sd.address(), sd.address(8), 0L);
                value.put(value.position(), b, 8, 8);
                s.release(sd);
                return r;
            });
            names.add("5 +useCount");
            forms.add(k -> {
                for (;;) {
                    int st = state;
                    if (STATE.compareAndSet(st, st + 1)) {
                        break;
                    }
                }
                try {
                    Scratch s = Scratch.get();
                    NativeBuffer sd = s.data(16);
                    ByteBuffer b = sd.buffer();
                    ByteBuffer key = keys[k];
                    b.put(0, key, key.position(), 4);
                    int r = Bpf.mapLookupElem(s.attr(), fd, sd.address(), sd.address(8), 0L);
                    value.put(value.position(), b, 8, 8);
                    s.release(sd);
                    return r;
                } finally {
                    STATE.getAndAdd(-1);
                }
            });
            names.add("6 bpfmapsLookup");
            forms.add(k -> map.lookup(keys[k], value) ? 0 : -2);
            names.add("jnaSchedGetcpu");
            forms.add(k -> LibC.sched_getcpu() >= 0 ? 0 : -1);

            for (Form f : forms) {
                for (int k = 0; k < ENTRIES; k++) {
                    if (f.call(k) != 0) {
                        throw new AssertionError("form " + names.get(forms.indexOf(f)) + " failed on key " + k);
                    }
                }
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
                System.out.printf(Locale.ROOT, "breakdown\t%s\t%.2f\t%.2f%n", names.get(i), ns[i][0],
                        ns[i][rounds / 2]);
            }
            attr.free();
            data.free();
        }
    }

    private static long time(Form f, int calls) {
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
