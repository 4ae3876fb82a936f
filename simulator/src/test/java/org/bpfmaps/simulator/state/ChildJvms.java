package org.bpfmaps.simulator.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child JVMs of a cross-process test: started on a private copy of this JVM's class path, killed and waited
 * for after each test, the copy removed at the end.
 */
final class ChildJvms implements AutoCloseable {
    private final Path jars;
    private final String classPath;
    private final List<Process> children = new ArrayList<>();

    /**
     * Copies each jar of this JVM's class path once into a private directory, so that another build installing a
     * new jar meanwhile (rewriting it in place) cannot break a child starting at that moment.
     */
    ChildJvms(String prefix) throws IOException, InterruptedException {
        jars = Files.createTempDirectory(prefix);
        classPath = copyClassPath(jars);
    }

    private static String copyClassPath(Path jars) throws IOException, InterruptedException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(p)) {
                entries.add(entry);
                continue;
            }
            Path copy = jars.resolve((n++) + "-" + p.getFileName());
            for (int attempt = 0; ; attempt++) {
                Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(copy.toFile())) {
                    z.size();
                    break;
                } catch (IOException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                    Thread.sleep(500); // being rewritten: try again
                }
            }
            entries.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Starts {@code main} with {@code args} in a small JVM, standard error merged into standard output. */
    Process start(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-cp", classPath, main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** A child the test has seen end: no longer killed by {@link #killAll()}. */
    void forget(Process p) {
        children.remove(p);
    }

    /** Kills every child still known and waits for it. */
    void killAll() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        children.clear();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        killAll();
        PersistenceTest.deleteTree(jars);
    }
}
