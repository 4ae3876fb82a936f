package org.bpfmaps.simulator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random map-in-map histories on a persisted kernel (slots filled from open, closed and bogus descriptor numbers,
 * replaced, deleted, batch-updated and batch-deleted; inner maps written, closed, unpinned; outers unpinned;
 * compaction at random points): after the kernel closes, a kernel loaded from the directory has exactly the same
 * maps (ids) and every pinned outer map's slots name the same inner maps with the same contents.
 */
class MapInMapReplayTest {
    private Path base;

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-state-mim");
    }

    @AfterEach
    void removeDir() throws IOException {
        PersistenceTest.deleteTree(base);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static final MapSpec INNER = MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build();

    /** Every map that exists, and for each pinned outer its slots with each inner map's contents. */
    private static String state(SimulatedKernel k) {
        StringBuilder sb = new StringBuilder("ids " + Arrays.toString(k.mapIds()) + "\n");
        for (String path : k.pinnedPaths()) {
            try (BpfMap m = k.openPinned(path)) {
                sb.append(path).append(' ').append(m.type().bpftoolName()).append(':');
                if (m.type() == MapType.ARRAY_OF_MAPS || m.type() == MapType.HASH_OF_MAPS) {
                    byte[] key = null;
                    byte[] next = new byte[4];
                    while (m.nextKey(key, next)) {
                        byte[] v = new byte[4];
                        if (m.lookup(next, v)) {
                            try (BpfMap inner = k.openById(u32(v, 0))) {
                                sb.append(' ').append(u32(next, 0)).append("->").append(inner.id()).append('[')
                                        .append(u32(inner.lookup(u32(0)).orElseThrow(), 0)).append(',')
                                        .append(u32(inner.lookup(u32(1)).orElseThrow(), 0)).append(']');
                            }
                        }
                        key = next.clone();
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void reloadedKernelHasTheSameSlots(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Path dir = base.resolve("state");
        String before;
        List<String> outcomes = new ArrayList<>();
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).stateDirectory(dir).stateSync(false).build()) {
            List<BpfMap> inners = new ArrayList<>();
            List<Integer> numbers = new ArrayList<>();
            List<BpfMap> outers = new ArrayList<>();
            List<String> pins = new ArrayList<>();
            BpfMap template = k.create(INNER);
            for (int step = 0; step < 200; step++) {
                int what = r.nextInt(100);
                try {
                    if (what < 12 || inners.isEmpty()) {
                        BpfMap m = k.create(INNER);
                        m.update(u32(r.nextInt(2)), u32(r.nextInt(1000)));
                        inners.add(m);
                        numbers.add(m.fd());
                    } else if (what < 18 || outers.isEmpty()) {
                        boolean array = r.nextBoolean();
                        BpfMap o = k.create(MapSpec.builder(array ? MapType.ARRAY_OF_MAPS : MapType.HASH_OF_MAPS)
                                .keySize(4).valueSize(4).maxEntries(4).flags(array ? 0 : MapFlag.ZERO_SEED.bit())
                                .innerMap(template).build());
                        String path = k.bpffsRoot() + "/o" + outers.size();
                        o.pin(path);
                        outers.add(o);
                        pins.add(path);
                    } else {
                        BpfMap o = outers.get(r.nextInt(outers.size()));
                        int i = r.nextInt(inners.size());
                        int number = r.nextInt(8) == 0 ? 4000 + r.nextInt(3) : numbers.get(i);
                        int key = r.nextInt(5);
                        if (what < 55) {
                            o.update(u32(key), u32(number), r.nextInt(6) == 0 ? 1 : 0);
                        } else if (what < 65) {
                            o.delete(u32(key));
                        } else if (what < 72) {
                            byte[] keys = new byte[8];
                            byte[] values = new byte[8];
                            for (int j = 0; j < 2; j++) {
                                System.arraycopy(u32(r.nextInt(5)), 0, keys, j * 4, 4);
                                System.arraycopy(u32(numbers.get(r.nextInt(numbers.size()))), 0, values, j * 4, 4);
                            }
                            o.updateBatch(keys, values, 2, 0);
                        } else if (what < 76) {
                            o.lookupAndDeleteBatch(null, new byte[4], new byte[16], new byte[16], 4, 0);
                        } else if (what < 84) {
                            inners.get(i).close();
                        } else if (what < 90) {
                            BpfMap m = inners.get(i);
                            if (!m.isClosed()) {
                                m.update(u32(r.nextInt(2)), u32(r.nextInt(1000)));
                            }
                        } else if (what < 94) {
                            int p = r.nextInt(pins.size());
                            if (pins.get(p) != null) {
                                k.unpin(pins.get(p));
                                pins.set(p, null);
                            }
                        } else if (what < 96) {
                            k.compactState();
                        }
                    }
                    outcomes.add("ok");
                } catch (BpfException e) {
                    outcomes.add(e.getClass().getSimpleName() + " " + e.errno());
                }
            }
            for (BpfMap m : inners) {
                m.close();
            }
            for (BpfMap m : outers) {
                m.close();
            }
            template.close();
            before = state(k);
        }
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).stateDirectory(dir).stateSync(false).build()) {
            assertEquals(before, state(k), "seed " + seed + ", outcomes " + new TreeMap<>(count(outcomes)));
        }
    }

    private static java.util.Map<String, Integer> count(List<String> outcomes) {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (String o : outcomes) {
            m.merge(o, 1, Integer::sum);
        }
        return m;
    }
}
