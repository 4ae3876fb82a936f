package org.bpfmaps.conformance.lru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.ForwardingBpfMap;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.Test;

/**
 * The LRU differential checks itself: the kernel against itself is deterministic under the differential's
 * conditions (one thread, pinned, programs on named CPUs), and a backend whose program lookups forget the
 * reference bit is caught with a short reproduction.
 */
class LruDifferentialSelfTest {

    @Test
    void kernelAgainstItselfHasNoDifferences() {
        KernelRequirement.assumeKernel();
        int cpus = HostCpus.possible();
        try (MapBackend linux = BpfMaps.open("linux")) {
            LruDifferential d = new LruDifferential("linux run 1", linux, "linux run 2", linux, 16);
            LruDifferential.Stats stats = new LruDifferential.Stats();
            for (MapType type : new MapType[] {MapType.LRU_HASH, MapType.LRU_PERCPU_HASH}) {
                for (long seed = 1; seed <= 6; seed++) {
                    Optional<String> f = d.run(LruDifferential.generate(seed * 7919, type, cpus, 1500), stats);
                    assertTrue(f.isEmpty(), () -> "the kernel is not deterministic here:\n" + f.get());
                }
            }
            System.out.println("LRU differential kernel vs kernel: " + stats);
        }
    }

    @Test
    void simulatorAgainstItselfHasNoDifferences() {
        try (MapBackend a = BpfMaps.open("simulator", Map.of("cpus", "2"));
             MapBackend b = BpfMaps.open("simulator", Map.of("cpus", "2"))) {
            LruDifferential d = new LruDifferential("sim a", a, "sim b", b, 1);
            LruDifferential.Stats stats = new LruDifferential.Stats();
            for (long seed = 1; seed <= 10; seed++) {
                MapType type = seed % 2 == 0 ? MapType.LRU_HASH : MapType.LRU_PERCPU_HASH;
                Optional<String> f = d.run(LruDifferential.generate(seed, type, 2, 2000), stats);
                assertTrue(f.isEmpty(), () -> f.get());
            }
            assertEquals(0, stats.differences);
        }
    }

    @Test
    void forgottenReferenceBitsAreCaughtWithAShortReproduction() {
        try (MapBackend good = BpfMaps.open("simulator", Map.of("cpus", "2"));
             MapBackend inner = BpfMaps.open("simulator", Map.of("cpus", "2"))) {
            MapBackend forgetful = new NoRefBitBackend(inner);
            LruDifferential d = new LruDifferential("simulator", good, "no-ref-bit", forgetful, 16)
                    .minimiseBudgetSeconds(20);
            LruDifferential.Stats stats = new LruDifferential.Stats();
            Optional<String> found = Optional.empty();
            for (long seed = 1; seed <= 30 && found.isEmpty(); seed++) {
                found = d.run(LruDifferential.generate(seed, MapType.LRU_HASH, 2, 1000), stats);
            }
            assertTrue(found.isPresent(), "a backend without reference bits went unnoticed: " + stats);
            String report = found.get();
            System.out.println("LRU differential self-test, the report for a backend without reference bits:\n"
                    + report);
            assertTrue(report.contains("minimal reproduction"), report);
            assertTrue(report.contains("program@cpu"), report);
            int steps = report.split("\n    #|\n  \\* #").length - 1;
            assertTrue(steps <= 60, "reproduction not minimised (" + steps + " steps):\n" + report);
        }
    }

    /** A backend whose program lookups are syscall lookups: no reference bit is ever set (LRU_HASH only). */
    private static final class NoRefBitBackend implements MapBackend {
        private final MapBackend d;

        NoRefBitBackend(MapBackend d) {
            this.d = d;
        }

        @Override
        public String name() {
            return "no-ref-bit";
        }

        @Override
        public BpfMap create(MapSpec spec) {
            BpfMap m = d.create(spec);
            return new ForwardingBpfMap(m) {
                @Override
                public ProgramView programView(int cpu) {
                    ProgramView real = m.programView(cpu);
                    return new ProgramView() {
                        @Override public BpfMap map() { return real.map(); }
                        @Override public int cpu() { return cpu; }
                        @Override public Optional<byte[]> lookup(byte[] key) { return m.lookup(key); }
                        @Override public boolean lookup(byte[] key, byte[] value) { return m.lookup(key, value); }
                        @Override public void update(byte[] key, byte[] value, long flags) {
                            real.update(key, value, flags);
                        }
                        @Override public boolean delete(byte[] key) { return real.delete(key); }
                        @Override public void push(byte[] value, long flags) { real.push(value, flags); }
                        @Override public boolean pop(byte[] value) { return real.pop(value); }
                        @Override public boolean peek(byte[] value) { return real.peek(value); }
                        @Override public boolean ringbufOutput(byte[] data, long flags) {
                            return real.ringbufOutput(data, flags);
                        }
                        @Override public boolean ringbufReserveSubmit(byte[] data, long flags) {
                            return real.ringbufReserveSubmit(data, flags);
                        }
                        @Override public boolean ringbufReserveDiscard(int size, long flags) {
                            return real.ringbufReserveDiscard(size, flags);
                        }
                        @Override public long ringbufQuery(long flag) { return real.ringbufQuery(flag); }
                        @Override public void close() { real.close(); }
                    };
                }
            };
        }

        @Override
        public BpfMap openPinned(String path, Access access) {
            return d.openPinned(path, access);
        }

        @Override
        public BpfMap openById(int id, Access access) {
            return d.openById(id, access);
        }

        @Override
        public int[] mapIds() {
            return d.mapIds();
        }

        @Override
        public boolean isSupported(MapType type) {
            return d.isSupported(type);
        }

        @Override
        public int possibleCpus() {
            return d.possibleCpus();
        }

        @Override
        public <T> T onCpu(int cpu, Supplier<T> action) {
            return d.onCpu(cpu, action);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
