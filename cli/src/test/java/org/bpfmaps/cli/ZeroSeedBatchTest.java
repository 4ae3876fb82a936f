package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.Test;

/**
 * A few hundred update/lookup/delete/getnext/dump commands on a {@code BPF_F_ZERO_SEED} hash, run as one batch
 * file by {@code bpfmaps --backend simulator} and by the real bpftool on the kernel (pinned to CPU 0 with
 * taskset). With a zero seed the kernel's bucket order is deterministic, and the simulator claims to reproduce
 * it: the outputs must be identical apart from the map id. The script ends with a failing lookup, so both must
 * also stop there with the same message and exit code.
 */
class ZeroSeedBatchTest {

    static String script(Path pin, String type, int entries, long seed, int commands) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        sb.append("# ZERO_SEED ").append(type).append(", ").append(commands).append(" random commands\n");
        sb.append("map create ").append(pin).append(" type ").append(type).append(" key 4 value 4 entries ")
                .append(entries).append(" name zs flags 64\n");
        TreeMap<Integer, Integer> present = new TreeMap<>();
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            double op = r.nextDouble();
            keys.clear();
            keys.addAll(present.keySet());
            if (op < 0.45 && present.size() < entries) {
                int k = r.nextInt(1000);
                int v = r.nextInt();
                String flags;
                if (present.containsKey(k)) {
                    flags = r.nextBoolean() ? " exist" : "";
                } else {
                    flags = new String[] {"", " noexist", " any"}[r.nextInt(3)];
                }
                sb.append("map update pinned ").append(pin).append(" key ").append(dec(k)).append(" value ")
                        .append(dec(v)).append(flags).append('\n');
                present.put(k, v);
            } else if (op < 0.65 && !keys.isEmpty()) {
                int k = keys.get(r.nextInt(keys.size()));
                sb.append("map lookup pinned ").append(pin).append(" key hex ").append(hex(k)).append('\n');
            } else if (op < 0.85 && !keys.isEmpty()) {
                int k = keys.get(r.nextInt(keys.size()));
                sb.append("map delete pinned ").append(pin).append(" key ").append(dec(k)).append('\n');
                present.remove(k);
            } else if (op < 0.9 && !keys.isEmpty()) {
                sb.append("map getnext pinned ").append(pin).append('\n');
            } else {
                sb.append("map dump pinned ").append(pin).append('\n');
            }
        }
        sb.append("map show pinned ").append(pin).append('\n');
        sb.append("map dump pinned ").append(pin).append('\n');
        sb.append("map lookup pinned ").append(pin).append(" key 0xff 0xff 0xff 0xff\n");
        sb.append("map dump pinned ").append(pin).append('\n');
        return sb.toString();
    }

    private static String dec(int x) {
        return (x & 0xff) + " " + ((x >>> 8) & 0xff) + " " + ((x >>> 16) & 0xff) + " " + (x >>> 24);
    }

    private static String hex(int x) {
        return String.format("%02x %02x %02x %02x", x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24);
    }

    @Test
    void simulatorBatchMatchesKernelBatch() throws Exception {
        try (KernelFixture k = KernelFixture.open()) {
            if (!Files.isExecutable(Path.of("/usr/bin/taskset")) && !Files.isExecutable(Path.of("/bin/taskset"))) {
                KernelFixture.unavailable("taskset is not installed (util-linux)");
            }
            int cpus;
            try (MapBackend linux = BpfMaps.open("linux")) {
                cpus = linux.possibleCpus();
            }
            List<String> diffs = new ArrayList<>();
            String[][] specs = {{"hash", "64", "3000"}, {"percpu_hash", "200", "600"}};
            for (String[] spec : specs) {
                Path pin = k.mount.resolve("zs");
                Path file = Files.createTempFile("bpfmaps-zero-seed", ".batch");
                try {
                    Files.writeString(file, script(pin, spec[0], Integer.parseInt(spec[1]), 20261127L,
                            Integer.parseInt(spec[2])), StandardCharsets.UTF_8);
                    for (String mode : new String[] {"", "-j", "-p"}) {
                        List<String> tool = new ArrayList<>(List.of("taskset", "-c", "0", k.bpftool));
                        if (!mode.isEmpty()) {
                            tool.add(mode);
                        }
                        tool.addAll(List.of("batch", "file", file.toString()));
                        CliRun.Result kernel = KernelFixture.exec(tool).asResult();
                        Files.deleteIfExists(pin);

                        List<String> ours = new ArrayList<>(List.of("--backend", "simulator",
                                "--backend-option", "bpffs.root=" + k.mount, "--backend-option", "cpus=" + cpus));
                        if (!mode.isEmpty()) {
                            ours.add(mode);
                        }
                        ours.addAll(List.of("batch", "file", file.toString()));
                        CliRun.Result sim = CliRun.run(new HashMap<>(), null, "", ours.toArray(new String[0]));

                        assertEquals(254, kernel.code(), () -> "the kernel run did not stop at the final lookup: "
                                + kernel.err());
                        assertTrue(kernel.out().length() > 10_000, "the script should produce plenty of output");
                        CliRun.Result kn = LinuxVsBpftoolTest.normalize(kernel, null);
                        CliRun.Result sn = LinuxVsBpftoolTest.normalize(sim, null);
                        if (!kn.equals(sn)) {
                            diffs.add("[" + spec[0] + " " + mode + "] " + firstDifference(kn.out(), sn.out())
                                    + "\nstderr: " + kn.err() + " | " + sn.err() + "\nexit: " + kn.code() + " | "
                                    + sn.code());
                        }
                    }
                } finally {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(pin);
                }
            }
            assertEquals(List.of(), diffs, () -> "simulator differs from the kernel (a simulator bug if the "
                    + "difference is in element order or values):\n" + String.join("\n\n", diffs));
        }
    }

    private static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "<end>";
            String q = i < y.length ? y[i] : "<end>";
            if (!p.equals(q)) {
                return "line " + (i + 1) + ": kernel «" + p + "» simulator «" + q + "»";
            }
        }
        return "(same lines)";
    }
}
