package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.Test;

/** On the simulator, map commands run as if on CPU 0, or on the CPU {@code --cpu} names. */
class CpuOptionTest {

    /** A simulated kernel that notes the CPU each pinned-map open is attributed to. */
    private static final class Recording implements MapBackend {
        final SimulatedKernel kernel;
        final List<Integer> cpus = new ArrayList<>();

        Recording(SimulatedKernel kernel) {
            this.kernel = kernel;
        }

        @Override
        public String name() {
            return kernel.name();
        }

        @Override
        public BpfMap create(MapSpec spec) {
            return kernel.create(spec);
        }

        @Override
        public BpfMap openPinned(String path, Access access) {
            cpus.add(kernel.currentCpu());
            return kernel.openPinned(path, access);
        }

        @Override
        public BpfMap openById(int id, Access access) {
            return kernel.openById(id, access);
        }

        @Override
        public int[] mapIds() {
            return kernel.mapIds();
        }

        @Override
        public boolean isSupported(MapType type) {
            return kernel.isSupported(type);
        }

        @Override
        public int possibleCpus() {
            return kernel.possibleCpus();
        }

        @Override
        public <T> T onCpu(int cpu, Supplier<T> action) {
            return kernel.onCpu(cpu, action);
        }

        @Override
        public void close() {
            kernel.close();
        }
    }

    @Test
    void cpuZeroUnlessNamed() {
        try (Recording b = new Recording((SimulatedKernel) BpfMaps.open("simulator", Map.of("cpus", "2")))) {
            assertEquals(0, CliRun.on(b, "map", "create", "/sys/fs/bpf/a", "type", "array", "key", "4", "value", "4",
                    "entries", "1", "name", "a").code());
            assertEquals(0, CliRun.on(b, "map", "lookup", "pinned", "/sys/fs/bpf/a", "key", "0", "0", "0", "0").code());
            assertEquals(0, CliRun.on(b, "--cpu", "1", "map", "lookup", "pinned", "/sys/fs/bpf/a", "key", "0", "0", "0",
                    "0").code());
            assertEquals(0, CliRun.on(b, "--cpu", "0", "map", "dump", "pinned", "/sys/fs/bpf/a").code());
            assertEquals(List.of(0, 1, 0), b.cpus);
        }
    }
}
