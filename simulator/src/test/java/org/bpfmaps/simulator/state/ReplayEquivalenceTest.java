package org.bpfmaps.simulator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A map whose life is split over two persisted kernels (first half of a random call sequence, close, load, second
 * half) behaves exactly as the same map in one uninterrupted in-memory kernel with the same random seed: same result
 * for every call and same final contents in the same order. This is what shows that state no dump shows (LRU lists
 * and reference bits, per-CPU free lists, bucket order after compaction) is persisted.
 */
class ReplayEquivalenceTest {

    private static final long KERNEL_SEED = 42;
    private Path base;

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-state-equiv");
    }

    @AfterEach
    void removeDir() throws IOException {
        PersistenceTest.deleteTree(base);
    }

    private static MapSpec spec(MapType type, boolean noCommonLru) {
        MapSpec.Builder b = MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(type.isLru() ? 16 : 24);
        if (noCommonLru) {
            b.with(MapFlag.NO_COMMON_LRU);
        }
        return b.build();
    }

    /** Runs calls [from, to) of the sequence for {@code seed} on {@code map}, appending each result to {@code out}. */
    private static void run(SimulatedKernel kernel, BpfMap map, long seed, int from, int to, List<String> out) {
        Random r = new Random(seed);
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < to; i++) {
            int op = r.nextInt(10);
            int cpu = r.nextInt(kernel.possibleCpus());
            byte[] key = PersistenceTest.u32(r.nextInt(40));
            byte[] value = PersistenceTest.u64(r.nextLong());
            long flags = r.nextInt(8) == 0 ? 1 + r.nextInt(2) : 0;
            if (i < from) {
                continue;
            }
            String result;
            try {
                switch (op) {
                    case 0, 1, 2 -> {
                        kernel.onCpu(cpu, () -> map.update(key, value, flags));
                        result = "update ok";
                    }
                    case 3 -> result = "delete " + map.delete(key);
                    case 4 -> result = "lookup " + map.lookup(key).map(hex::formatHex).orElse("-");
                    case 5, 6 -> {
                        try (ProgramView pv = map.programView(cpu)) {
                            result = "prog lookup " + pv.lookup(key).map(hex::formatHex).orElse("-");
                        }
                    }
                    case 7, 8 -> {
                        try (ProgramView pv = map.programView(cpu)) {
                            pv.update(key, value, flags);
                            result = "prog update ok";
                        }
                    }
                    default -> {
                        try (ProgramView pv = map.programView(cpu)) {
                            result = "prog delete " + pv.delete(key);
                        }
                    }
                }
            } catch (BpfException e) {
                result = "errno " + e.error();
            }
            out.add(i + ": " + result);
        }
    }

    /** As {@link #run}, for the key-less types (QUEUE, STACK, BLOOM_FILTER): push, pop, peek from both sides. */
    private static void runKeyless(SimulatedKernel kernel, BpfMap map, long seed, int from, int to,
                                   List<String> out) {
        Random r = new Random(seed);
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < to; i++) {
            int op = r.nextInt(6);
            int cpu = r.nextInt(kernel.possibleCpus());
            byte[] value = PersistenceTest.u64(r.nextInt(64));
            long flags = r.nextInt(4) == 0 ? 2 : 0; // BPF_EXIST: overwrite the oldest when full
            if (i < from) {
                continue;
            }
            String result;
            byte[] v = new byte[8];
            try (ProgramView pv = map.programView(cpu)) {
                switch (op) {
                    case 0 -> {
                        map.update(new byte[0], value, flags);
                        result = "push ok";
                    }
                    case 1 -> result = "pop " + (map.lookupAndDelete(new byte[0], v, 0) ? hex.formatHex(v) : "-");
                    case 2 -> result = "peek " + (map.lookup(new byte[0], v) ? hex.formatHex(v) : "-");
                    case 3 -> {
                        pv.push(value, flags);
                        result = "prog push ok";
                    }
                    case 4 -> result = "prog pop " + (pv.pop(v) ? hex.formatHex(v) : "-");
                    default -> {
                        System.arraycopy(value, 0, v, 0, 8);
                        result = "prog peek " + pv.peek(v);
                    }
                }
            } catch (BpfException e) {
                result = "errno " + e.error();
            }
            out.add(i + ": " + result);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"QUEUE", "STACK", "BLOOM_FILTER"})
    void aKeylessMapSplitOverTwoKernelsBehavesAsInOne(MapType type) {
        Path dir = base.resolve(type.toString());
        long seed = new Random().nextLong();
        int n = 2000;
        MapSpec spec = MapSpec.builder(type).keySize(0).valueSize(8).maxEntries(type == MapType.BLOOM_FILTER ? 32 : 10)
                .mapExtra(type == MapType.BLOOM_FILTER ? 2 : 0).build();
        List<String> uninterrupted = new ArrayList<>();
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(3).randomSeed(KERNEL_SEED).build();
             BpfMap m = k.create(spec)) {
            runKeyless(k, m, seed, 0, n, uninterrupted);
        }
        List<String> split = new ArrayList<>();
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(3).randomSeed(KERNEL_SEED).stateDirectory(dir)
                .stateSync(false).build()) {
            BpfMap m = k.create(spec);
            m.pin("/sys/fs/bpf/m");
            runKeyless(k, m, seed, 0, n / 2, split);
            k.compactState();
        }
        try (SimulatedKernel k = SimulatedKernel.builder().stateDirectory(dir).stateSync(false).build();
             BpfMap m = k.openPinned("/sys/fs/bpf/m")) {
            runKeyless(k, m, seed, n / 2, n, split);
        }
        assertEquals(uninterrupted.size(), split.size());
        for (int i = 0; i < uninterrupted.size(); i++) {
            assertEquals(uninterrupted.get(i), split.get(i), "call results diverge (sequence seed " + seed + ")");
        }
        assertTrue(uninterrupted.stream().anyMatch(x -> x.contains("pop 0") || x.contains("peek true")),
                "the sequence exercised the map: " + uninterrupted.subList(0, 20));
    }

    @ParameterizedTest(name = "{0} noCommonLru={1} compact={2}")
    @CsvSource({"HASH,false,false", "HASH,false,true", "PERCPU_HASH,false,true", "LRU_HASH,false,false",
            "LRU_HASH,false,true", "LRU_HASH,true,false", "LRU_PERCPU_HASH,false,false",
            "LRU_PERCPU_HASH,true,true"})
    void aMapSplitOverTwoKernelsBehavesAsInOne(MapType type, boolean noCommonLru, boolean compact) {
        Path dir = base.resolve(type + "-" + noCommonLru + "-" + compact);
        long seed = new Random().nextLong();
        int n = 3000;
        List<String> uninterrupted = new ArrayList<>();
        List<String> uninterruptedDump;
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(3).randomSeed(KERNEL_SEED).build();
             BpfMap m = k.create(spec(type, noCommonLru))) {
            run(k, m, seed, 0, n, uninterrupted);
            uninterruptedDump = PersistenceTest.dump(m);
        }
        List<String> split = new ArrayList<>();
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(3).randomSeed(KERNEL_SEED).stateDirectory(dir)
                .stateSync(false).build()) {
            BpfMap m = k.create(spec(type, noCommonLru));
            m.pin("/sys/fs/bpf/m");
            run(k, m, seed, 0, n / 2, split);
            if (compact) {
                k.compactState();
            }
        }
        List<String> splitDump;
        try (SimulatedKernel k = SimulatedKernel.builder().stateDirectory(dir).stateSync(false).build();
             BpfMap m = k.openPinned("/sys/fs/bpf/m")) {
            run(k, m, seed, n / 2, n, split);
            splitDump = PersistenceTest.dump(m);
        }
        assertEquals(uninterrupted.size(), split.size());
        for (int i = 0; i < uninterrupted.size(); i++) {
            assertEquals(uninterrupted.get(i), split.get(i), "call results diverge (sequence seed " + seed + ")");
        }
        assertEquals(uninterruptedDump, splitDump, "final contents (sequence seed " + seed + ")");
        assertTrue(splitDump.size() > 0);
    }
}
