package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate and fixtures for tests that need the real kernel.
 *
 * <p>Exists so every kernel test skips with the provider's cause on a host without BPF, and fails instead when
 * {@code BPFMAPS_REQUIRE_KERNEL=1} (CI), never passing without running.
 */
public final class KernelTests {
    static final String REQUIRE_ENV = "BPFMAPS_REQUIRE_KERNEL";

    private KernelTests() {
    }

    /** The linux backend, or a skip (failure under {@value #REQUIRE_ENV}=1) with the provider's cause. */
    public static MapBackend backend() {
        LinuxProvider provider = new LinuxProvider();
        if (!provider.isAvailable()) {
            Throwable cause = provider.unavailabilityCause().orElse(null);
            String message = "linux backend unavailable: " + (cause == null ? "no cause" : cause.getMessage());
            if ("1".equals(System.getenv(REQUIRE_ENV))) {
                fail(message + " (" + REQUIRE_ENV + "=1)", cause);
            }
            Assumptions.abort(message);
        }
        return provider.open(Map.of());
    }

    /** A spec builder with sizes set. */
    static MapSpec spec(MapType type, int keySize, int valueSize, int maxEntries) {
        return MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries).build();
    }

    /** A little-endian (host order on x86_64/aarch64) u32 as bytes. */
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** A native-order u64 as bytes. */
    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    /** Reads a native-order u32 at {@code offset}. */
    static int getU32(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    /** Reads a native-order u64 at {@code offset}. */
    static long getU64(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(offset);
    }

    /** A mounted bpf filesystem in a fresh temporary directory; close it to unmount and delete the directory. */
    /** How many open descriptors of this process point at {@code target} (e.g. "eventpoll", "eventfd",
     * "anon_inode:bpf" for every BPF object). Counting only these keeps a test independent of the jar and class files
     * the JVM opens and closes on its own.. */
    /**
     * The numbers of the open descriptors whose {@code /proc/self/fd} link contains {@code target}. Compare sets,
     * not counts, where a Cleaner may close an earlier test's descriptor meanwhile (that only removes numbers).
     */
    public static java.util.Set<Integer> descriptorNumbers(String target) throws IOException {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().contains(target)) {
                        out.add(Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // closed meanwhile (e.g. the directory stream's own fd)
                }
            }
        }
        return out;
    }

    /**
     * Waits (at most 30 s) until {@code thread} is inside {@code method} of a class whose name ends with
     * {@code classSuffix}, e.g. blocked in a poll, so a test acts on a waiting call instead of sleeping and
     * hoping the other thread got there; fails if it never does.
     */
    public static void awaitInside(Thread thread, String classSuffix, String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement e : thread.getStackTrace()) {
                if (e.getClassName().endsWith(classSuffix) && e.getMethodName().equals(method)) {
                    return;
                }
            }
            if (!thread.isAlive()) {
                break;
            }
            Thread.sleep(1);
        }
        fail(thread.getName() + " did not get into " + classSuffix + "." + method);
    }

    public static long descriptorsTo(String target) throws IOException {
        long n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().contains(target)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile (e.g. the directory stream's own fd)
                }
            }
        }
        return n;
    }

    public static final class Bpffs implements AutoCloseable {
        public final Path dir;

        public Bpffs() throws IOException, InterruptedException {
            dir = Files.createTempDirectory("bpfmaps-bpffs");
            try {
                run("mount", "-t", "bpf", "bpf", dir.toString());
            } catch (IOException | InterruptedException | RuntimeException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
        }

        public Path path(String name) {
            return dir.resolve(name);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                run("umount", dir.toString());
            } finally {
                Files.deleteIfExists(dir);
            }
        }

        private static void run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
            }
        }
    }
}
