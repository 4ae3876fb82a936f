package org.bpfmaps.conformance.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Access modes on both backends ({@link AccessModeScenarios}): every forbidden call fails with the documented
 * errno, the simulator gives the kernel's outcome for every call, and no path widens a descriptor's access.
 * The kernel run mounts a private bpffs in a temporary directory and unmounts it afterwards.
 */
@DisplayName("Reliability: access modes")
class AccessModeTest {
    static final String EPERM = "PermissionDeniedException(EPERM)";
    static final String EACCES = "PermissionDeniedException(EACCES)";
    static final String EINVAL = "InvalidArgumentException(EINVAL)";
    static final Set<String> WRITES = Set.of("update", "delete", "lookupAndDelete", "lookupAndDeleteBatch",
            "updateBatch", "deleteBatch", "freeze", "programUpdate", "programDelete");
    static final Set<String> READS = Set.of("lookup", "nextKey", "lookupBatch", "lookupAndDelete",
            "lookupAndDeleteBatch");

    /** The documented outcome of a labelled call, or null where only simulator == kernel is checked. */
    static String expected(String label) {
        String[] parts = label.split("\\.");
        String scenario = parts[0];
        String call = parts[parts.length - 1];
        boolean secondFd = label.contains(".secondFd.");
        if (call.endsWith("WrongKeySize") || call.endsWith("WrongValueSize") || call.equals("updateWrongSize")) {
            return EINVAL;
        }
        if (call.equals("infoFlags") && (scenario.equals("createRdonly") || scenario.equals("createWronly"))) {
            return "ok 0x0"; // BPF_F_RDONLY/WRONLY belong to the creating fd; the kernel drops them from map_flags
        }
        if (secondFd) {
            return call.equals("access") ? "ok READ_WRITE" : call.equals("update")
                    ? (scenario.startsWith("frozen") ? EPERM : "ok") : null;
        }
        boolean readOnly = scenario.equals("createRdonly") || label.contains(".READ_ONLY.");
        boolean writeOnly = scenario.equals("createWronly") || label.contains(".WRITE_ONLY.");
        if (readOnly) {
            if (call.equals("access")) {
                return "ok READ_ONLY";
            }
            if (WRITES.contains(call)) {
                return EPERM;
            }
            if (READS.contains(call)) {
                return call.equals("lookup") || call.equals("nextKey") || call.equals("lookupBatch") ? "ok" : null;
            }
        }
        if (writeOnly) {
            if (call.equals("access")) {
                return "ok WRITE_ONLY";
            }
            if (READS.contains(call)) {
                return EPERM;
            }
            if (call.equals("programUpdate") || call.equals("programDelete")) {
                return null;
            }
            if (call.equals("deleteBatch")) {
                return "NotFoundException(ENOENT)"; // key 3 is gone by then: reached the map, so not EPERM
            }
            if (WRITES.contains(call)) {
                return "ok";
            }
        }
        if (scenario.equals("RDONLY_PROG")) {
            return switch (call) {
                case "programUpdate", "programDelete" -> EACCES;
                case "syscallUpdate", "programLookup" -> "ok";
                default -> null;
            };
        }
        if (scenario.equals("WRONLY_PROG")) {
            return switch (call) {
                case "programLookup" -> EACCES;
                case "syscallUpdate", "syscallLookup", "programUpdate", "programDelete" -> "ok";
                default -> null;
            };
        }
        if (scenario.startsWith("frozen")) {
            return switch (call) {
                case "update", "delete", "lookupAndDelete", "updateBatch", "deleteBatch", "freezeAgain" -> EPERM;
                case "freeze", "programUpdate" -> "ok";
                case "infoFrozen" -> "ok true";
                case "syscallSeesProgramWrite", "programLookup" -> "ok 2100000000000000";
                default -> null;
            };
        }
        return switch (label) {
            case "pin.first", "pinned.READ_ONLY.pin", "pinned.WRITE_ONLY.pin" -> "ok";
            case "pin.again" -> "AlreadyExistsException(EEXIST)";
            case "pin.missingDir", "open.missing" -> "NotFoundException(ENOENT)";
            default -> null;
        };
    }

    static boolean matches(String expected, String actual) {
        return expected.equals(actual) || (expected.equals("ok") && actual.startsWith("ok"));
    }

    /** Outcomes per backend, computed once for the three tests below. */
    private static Map<String, Map<String, String>> results;

    static synchronized Map<String, Map<String, String>> results() throws Exception {
        if (results != null) {
            return results;
        }
        Map<String, Map<String, String>> r = new java.util.LinkedHashMap<>();
        Path dir = Files.createTempDirectory("bpfmaps-bpffs");
        try {
            try (MapBackend b = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible()),
                    "bpffs.root", dir.toString()))) {
                r.put("simulator", AccessModeScenarios.run(b, dir.toString()));
            }
            if (KernelRequirement.decide().verdict() != KernelRequirement.Verdict.SKIP) {
                KernelRequirement.requireKernel();
                exec("mount", "-t", "bpf", "bpf", dir.toString());
                try (MapBackend b = BpfMaps.open("linux")) {
                    r.put("linux", AccessModeScenarios.run(b, dir.toString()));
                } finally {
                    exec("umount", dir.toString());
                }
            } else {
                System.out.println("access modes: kernel half skipped: " + KernelRequirement.decide().reason());
            }
        } finally {
            Files.deleteIfExists(dir);
        }
        r.forEach((n, o) -> System.out.println("access modes: " + o.size() + " calls on " + n));
        results = r;
        return r;
    }

    /** Calls that a program view makes through a read-only descriptor. */
    static boolean widening(String label) {
        boolean readOnly = label.startsWith("createRdonly.") || label.contains(".READ_ONLY.");
        return readOnly && (label.endsWith(".programUpdate") || label.endsWith(".programDelete"));
    }

    @Test
    void forbiddenSyscallsFailWithTheDocumentedErrno() throws Exception {
        List<String> problems = new ArrayList<>();
        results().forEach((backend, outcomes) -> check(backend, outcomes, problems, l -> !widening(l)));
        fail(problems);
    }

    @Test
    void theSimulatorGivesTheKernelsOutcomeForEveryCall() throws Exception {
        Map<String, Map<String, String>> r = results();
        KernelRequirement.assumeKernel();
        Map<String, String> sim = r.get("simulator");
        Map<String, String> linux = r.get("linux");
        List<String> problems = new ArrayList<>();
        Set<String> labels = new TreeSet<>(sim.keySet());
        labels.addAll(linux.keySet());
        for (String l : labels) {
            String s = sim.getOrDefault(l, "(not called)");
            String k = linux.getOrDefault(l, "(not called)");
            if (!s.equals(k)) {
                problems.add("simulator != kernel at " + l + ": simulator " + s + ", kernel " + k);
            }
        }
        fail(problems);
    }

    /**
     * A program view opened through a read-only descriptor must not write: the kernel does not check a map fd's
     * mode when a program is loaded, so this is the library's promise (no view widens access), not the kernel's.
     */
    @Test
    void noProgramViewWidensAReadOnlyDescriptor() throws Exception {
        List<String> problems = new ArrayList<>();
        results().forEach((backend, outcomes) -> check(backend, outcomes, problems, AccessModeTest::widening));
        fail(problems);
    }

    static void fail(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " access-mode problems:\n  " + String.join("\n  ", problems));
        }
    }

    static void check(String backend, Map<String, String> outcomes, List<String> problems,
                      java.util.function.Predicate<String> which) {
        outcomes.forEach((label, actual) -> {
            String want = which.test(label) ? expected(label) : null;
            if (want != null && !matches(want, actual)) {
                problems.add(backend + ": " + label + " gave " + actual + ", documented " + want);
            }
        });
    }

    static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + output);
        }
    }
}
