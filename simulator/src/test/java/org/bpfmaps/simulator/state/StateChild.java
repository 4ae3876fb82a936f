package org.bpfmaps.simulator.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.simulator.SimulatedKernel;

/**
 * A separate process for the state tests: {@code java -cp <test classpath> org.bpfmaps.simulator.state.StateChild
 * MODE DIR [ARG]}.
 *
 * <ul>
 *   <li>{@code write DIR N}: creates a hash map, pins it at {@link #PIN}, writes key i = i for i &lt; N.</li>
 *   <li>{@code dump DIR}: prints each element of the pinned map as {@code key=value}, in iteration order.</li>
 *   <li>{@code hold DIR}: opens the kernel, prints {@code LOCKED}, waits for a line (or the end) on its standard
 *       input, writes key 1000 = 1000, closes.</li>
 *   <li>{@code loop DIR}: opens (or creates and pins) the map, counts its keys n, prints {@code START n journalSize}, then
 *       writes key i = i for i = n, n+1, ... until killed, one key per update or (one time in eight) up to 512
 *       consecutive keys per batch update.</li>
 * </ul>
 */
public final class StateChild {

    /** The pin path used by every mode. */
    public static final String PIN = "/sys/fs/bpf/counts";
    /** Value size of the map: big enough that a record takes more than one page now and then. */
    public static final int VALUE_SIZE = 120;

    private StateChild() {
    }

    /** The map spec every mode uses. */
    public static MapSpec spec() {
        return MapSpec.builder(MapType.HASH).keySize(4).valueSize(VALUE_SIZE).maxEntries(1 << 20).name("counts")
                .build();
    }

    /** The value stored for key {@code i}: {@code i} as a u32 LE repeated. */
    public static byte[] value(int i) {
        ByteBuffer b = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            b.putInt(i);
        }
        return b.array();
    }

    /** Key {@code i} as a u32 LE. */
    public static byte[] key(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
    }

    static int keyOf(byte[] k) {
        return ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        try (SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).stateDirectory(dir)
                .stateLockTimeout(Duration.ofSeconds(60)).build()) {
            switch (mode) {
                case "write": {
                    int n = Integer.parseInt(args[2]);
                    try (BpfMap map = kernel.create(spec())) {
                        map.pin(PIN);
                        for (int i = 0; i < n; i++) {
                            map.update(key(i), value(i));
                        }
                    }
                    break;
                }
                case "dump": {
                    try (BpfMap map = kernel.openPinned(PIN)) {
                        byte[] k = null;
                        byte[] next = new byte[4];
                        while (map.nextKey(k, next)) {
                            byte[] v = map.lookup(next).orElseThrow();
                            System.out.println(keyOf(next) + "=" + keyOf(v));
                            k = next.clone();
                        }
                        System.out.println("id=" + map.id() + " frozen=" + map.info().frozen());
                    }
                    break;
                }
                case "hold": {
                    System.out.println("LOCKED");
                    System.out.flush();
                    new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                            java.nio.charset.StandardCharsets.UTF_8)).readLine();
                    try (BpfMap map = kernel.openPinned(PIN)) {
                        map.update(key(1000), value(1000));
                    }
                    break;
                }
                case "loop": {
                    BpfMap map;
                    try {
                        map = kernel.openPinned(PIN);
                    } catch (NotFoundException e) {
                        map = kernel.create(spec());
                        map.pin(PIN);
                    }
                    int n = 0;
                    byte[] k = null;
                    byte[] next = new byte[4];
                    while (map.nextKey(k, next)) {
                        n++;
                        k = next.clone();
                    }
                    System.out.println("START " + n + " " + java.nio.file.Files.size(kernel.stateDirectory()
                            .orElseThrow().resolve(StateDirectory.JOURNAL_FILE)));
                    System.out.flush();
                    java.util.Random random = new java.util.Random();
                    for (int i = n; ; ) {
                        if (random.nextInt(8) == 0) {
                            // one batch command: keys i .. i+c-1 in order, one journal record
                            int c = 1 + random.nextInt(512);
                            byte[] keys = new byte[c * 4];
                            byte[] values = new byte[c * VALUE_SIZE];
                            for (int j = 0; j < c; j++) {
                                System.arraycopy(key(i + j), 0, keys, j * 4, 4);
                                System.arraycopy(value(i + j), 0, values, j * VALUE_SIZE, VALUE_SIZE);
                            }
                            map.updateBatch(keys, values, c, 0);
                            i += c;
                        } else {
                            map.update(key(i), value(i));
                            i++;
                        }
                    }
                }
                default:
                    throw new IllegalArgumentException(mode);
            }
        }
    }
}
