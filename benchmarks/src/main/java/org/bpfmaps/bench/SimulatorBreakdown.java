package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;

/**
 * The simulator's HASH lookup beside {@code ConcurrentHashMap} built up towards what the simulator does, with
 * the interleaved least-round estimator of {@link LookupBreakdown}:
 * {@code 1 chmBytesGet} (the JMH baseline: preallocated keys with a cached hash, value copied out),
 * {@code 2 +hash per call} (a key built from the caller's ByteBuffer and hashed on every call, as the simulator
 * must), {@code 3 +monitor} (the same under {@code synchronized}, as the simulator's table takes its monitor),
 * {@code 4 simulatorLookup} ({@code BpfMap.lookup(ByteBuffer, ByteBuffer)} on the simulator).
 * Output: {@code simbreakdown\t<form>\t<best ns>\t<median ns>}.
 */
public final class SimulatorBreakdown {
    private static final int ENTRIES = 1024;

    private SimulatorBreakdown() {
    }

    interface Form {
        long call(int k);
    }

    /** Entry point: {@code SimulatorBreakdown [callsPerRound [rounds]]}. */
    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (MapBackend kernel = BpfMaps.open("simulator", Map.of());
             BpfMap map = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(ENTRIES)
                     .flags(MapFlag.ZERO_SEED).name("bench").build())) {
            ByteBuffer[] keys = new ByteBuffer[ENTRIES];
            BaselineBenchmark.BytesKey[] cached = new BaselineBenchmark.BytesKey[ENTRIES];
            ConcurrentHashMap<BaselineBenchmark.BytesKey, byte[]> chm = new ConcurrentHashMap<>();
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            byte[] out = new byte[8];
            for (int k = 0; k < ENTRIES; k++) {
                keys[k] = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, k);
                byte[] kb = new byte[4];
                keys[k].get(0, kb);
                cached[k] = new BaselineBenchmark.BytesKey(kb);
                chm.put(cached[k], new byte[8]);
                map.update(keys[k], value, UpdateFlags.ANY);
            }
            Object monitor = new Object();
            List<String> names = new ArrayList<>();
            List<Form> forms = new ArrayList<>();
            names.add("1 chmBytesGet");
            forms.add(k -> {
                byte[] v = chm.get(cached[k]);
                System.arraycopy(v, 0, out, 0, 8);
                return 0;
            });
            names.add("2 +hash per call");
            forms.add(k -> {
                byte[] kb = new byte[4];
                keys[k].get(0, kb);
                byte[] v = chm.get(new BaselineBenchmark.BytesKey(kb));
                value.put(0, v, 0, 8);
                return 0;
            });
            names.add("3 +monitor");
            forms.add(k -> {
                synchronized (monitor) {
                    byte[] kb = new byte[4];
                    keys[k].get(0, kb);
                    byte[] v = chm.get(new BaselineBenchmark.BytesKey(kb));
                    value.put(0, v, 0, 8);
                    return 0;
                }
            });
            names.add("4 simulatorLookup");
            forms.add(k -> map.lookup(keys[k], value) ? 0 : -2);
            for (Form f : forms) {
                for (int k = 0; k < ENTRIES; k++) {
                    if (f.call(k) != 0) {
                        throw new AssertionError("form failed on key " + k);
                    }
                }
            }
            int n = forms.size();
            for (int w = 0; w < Math.max(3, 400_000 / calls); w++) {
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
                System.out.printf(Locale.ROOT, "simbreakdown\t%s\t%.2f\t%.2f%n", names.get(i), ns[i][0],
                        ns[i][rounds / 2]);
            }
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
