package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.spi.MapBackendProvider;

/**
 * What the kernel comparisons need: an available linux backend, the real bpftool, and a private bpffs mounted
 * in a temporary directory. Without them a test is skipped with the reason, unless
 * {@code BPFMAPS_REQUIRE_KERNEL=1}, when it fails instead.
 */
final class KernelFixture implements AutoCloseable {
    static final boolean REQUIRED = "1".equals(System.getenv("BPFMAPS_REQUIRE_KERNEL"));

    final String bpftool;
    final Path mount;
    private boolean mounted;

    private KernelFixture(String bpftool, Path mount) {
        this.bpftool = bpftool;
        this.mount = mount;
    }

    /** Skips (or fails under BPFMAPS_REQUIRE_KERNEL=1) with {@code reason}. */
    static void unavailable(String reason) {
        if (REQUIRED) {
            fail(reason + " (BPFMAPS_REQUIRE_KERNEL=1)");
        }
        org.junit.jupiter.api.Assumptions.abort(reason);
    }

    /** Checks the prerequisites and mounts a bpffs; the caller closes it. */
    static KernelFixture open() throws IOException, InterruptedException {
        Optional<MapBackendProvider> linux = BpfMaps.providers().stream().filter(p -> p.name().equals("linux"))
                .findFirst();
        if (linux.isEmpty()) {
            unavailable("the linux backend is not on the class path");
        }
        if (!linux.get().isAvailable()) {
            unavailable("the linux backend is not available: "
                    + linux.get().unavailabilityCause().map(Throwable::getMessage).orElse("no reason given"));
        }
        String tool = findBpftool();
        if (tool == null) {
            unavailable("bpftool is not installed (looked in /usr/sbin, /usr/local/sbin and PATH); "
                    + "the comparison with bpfmaps needs the real tool");
        }
        Path dir = Files.createTempDirectory("bpfmaps-cli-bpffs");
        KernelFixture f = new KernelFixture(tool, dir);
        Exec mount = exec(List.of("mount", "-t", "bpf", "bpf", dir.toString()));
        if (mount.code != 0) {
            Files.deleteIfExists(dir);
            unavailable("can't mount a bpffs at " + dir + ": " + mount.err.strip());
        }
        f.mounted = true;
        return f;
    }

    private static String findBpftool() {
        List<String> candidates = new ArrayList<>(List.of("/usr/sbin/bpftool", "/usr/local/sbin/bpftool"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                candidates.add(d + "/bpftool");
            }
        }
        for (String c : candidates) {
            if (!c.startsWith("/")) {
                continue;
            }
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return c;
            }
        }
        return null;
    }

    /** A process's output and exit code. */
    record Exec(String out, String err, int code) {
        CliRun.Result asResult() {
            return new CliRun.Result(out, err, code);
        }
    }

    static Exec exec(List<String> command) throws IOException, InterruptedException {
        Path outFile = Files.createTempFile("bpfmaps-exec", ".out");
        Path errFile = Files.createTempFile("bpfmaps-exec", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new Exec(Files.readString(outFile, StandardCharsets.UTF_8),
                    Files.readString(errFile, StandardCharsets.UTF_8), p.exitValue());
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /** Runs the real bpftool with {@code args}. */
    Exec bpftool(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(bpftool);
        cmd.addAll(args);
        return exec(cmd);
    }

    /** Makes a directory in the mounted bpffs. */
    Path dir(String name) throws IOException {
        return Files.createDirectories(mount.resolve(name));
    }

    @Override
    public void close() throws IOException {
        if (!mounted) {
            return;
        }
        try {
            try (Stream<Path> walk = Files.walk(mount)) {
                walk.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(mount)).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // the unmount below drops whatever is left
                    }
                });
            }
        } finally {
            Exec umount;
            try {
                umount = exec(List.of("umount", mount.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + mount, e);
            }
            mounted = false;
            Files.deleteIfExists(mount);
            if (umount.code != 0) {
                throw new IOException("umount " + mount + " failed: " + umount.err);
            }
        }
    }
}
