package org.bpfmaps.linux.prog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfException;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.linux.prog.KernelMaps.TestMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A process holding CAP_BPF only (no CAP_PERFMON, no CAP_SYS_ADMIN) can create maps but not load raw
 * tracepoint programs: the view's exception must say which capabilities are missing.
 */
class WithoutPerfmonTest {

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    /** Child process entry: try one program-view call, print the outcome. */
    public static void main(String[] args) {
        try (TestMap m = new TestMap(MapType.HASH, 4, 4, 2, 0);
             ProgramView v = LinuxProgramView.open(m.map, m.fd, 0)) {
            v.update(KernelMaps.u32(1), KernelMaps.u32(1), 0);
            System.out.println("LOADED");
        } catch (BpfException e) {
            System.out.println("ERRNO " + e.errno() + " CLASS " + e.getClass().getSimpleName());
            System.out.println("MESSAGE " + e.getMessage());
        }
    }

    @Test
    void loadWithoutPerfmonExplainsTheCapabilities() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/setpriv").canExecute() || new File("/bin/setpriv").canExecute(),
                "setpriv not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of("setpriv", "--bounding-set", "-all,+bpf", "--inh-caps", "-all,+bpf",
                "--ambient-caps", "-all,+bpf", "--", java, "-cp", System.getProperty("java.class.path"),
                WithoutPerfmonTest.class.getName());
        Path out = Files.createTempFile("bpfmaps-noperfmon", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child timed out");
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Assumptions.assumeFalse(text.contains("create HASH failed"),
                    "child cannot create maps with CAP_BPF: " + text);
            System.out.print("without CAP_PERFMON: " + text);
            assertEquals(0, p.exitValue(), text);
            assertTrue(text.contains("ERRNO 1 CLASS PermissionDeniedException"), text);
            assertTrue(text.contains("CAP_PERFMON"), text);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
