package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.Test;

/**
 * The kernel comparison script of {@link LinuxVsBpftoolTest}, run on the simulator: {@code bpfmaps --backend
 * simulator} must print what bpftool prints on the kernel, apart from map ids and directory names.
 */
class SimulatorVsKernelTest {

    @Test
    void simulatorMatchesBpftoolOnTheKernel() throws Exception {
        try (KernelFixture k = KernelFixture.open()) {
            int cpus;
            try (MapBackend linux = BpfMaps.open("linux")) {
                cpus = linux.possibleCpus();
            }
            List<String> diffs = new ArrayList<>();
            Set<String> notEmulated = new TreeSet<>();
            for (String mode : new String[] {"", "-j", "-p"}) {
                String name = mode.isEmpty() ? "text" : mode.substring(1);
                Path toolDir = k.dir(name + "-kernel");
                Path simDir = k.mount.resolve(name + "-sim");
                try (MapBackend sim = BpfMaps.open("simulator", Map.of("cpus", Integer.toString(cpus),
                        "bpffs.root", k.mount.toString()))) {
                    ((SimulatedKernel) sim).makeDirectory(simDir.toString());
                    Set<String> skipped = new TreeSet<>();
                    for (String line : LinuxVsBpftoolTest.SCRIPT.strip().split("\n")) {
                        List<String> plain = Arrays.asList(line.strip().split(" +"));
                        if (plain.get(1).equals("create") && plain.get(3).equals("type")) {
                            MapType t = MapType.ofBpftoolName(plain.get(4));
                            if (t != null && !sim.isSupported(t)) {
                                skipped.add(plain.get(2));
                                notEmulated.add(t.bpftoolName());
                            }
                        }
                        if (plain.stream().anyMatch(skipped::contains)) {
                            continue; // a map of a type the simulator does not emulate
                        }
                        List<String> words = new ArrayList<>();
                        if (!mode.isEmpty()) {
                            words.add(mode);
                        }
                        words.addAll(Arrays.asList(line.strip().split(" +")));
                        CliRun.Result kernel = LinuxVsBpftoolTest.normalize(
                                k.bpftool(LinuxVsBpftoolTest.subst(words, toolDir)).asResult(), toolDir);
                        CliRun.Result mine = LinuxVsBpftoolTest.normalize(CliRun.on(sim,
                                LinuxVsBpftoolTest.subst(words, simDir).toArray(new String[0])), simDir);
                        if (!kernel.equals(mine)) {
                            diffs.add("[" + mode + "] " + line + "\nkernel:    " + kernel + "\nsimulator: " + mine);
                        }
                    }
                }
            }
            if (!notEmulated.isEmpty()) {
                System.out.println("SimulatorVsKernelTest: not compared, the simulator does not emulate "
                        + notEmulated);
            }
            assertEquals(List.of(), diffs, () -> diffs.size() + " differences:\n" + String.join("\n\n", diffs));
        }
    }
}
