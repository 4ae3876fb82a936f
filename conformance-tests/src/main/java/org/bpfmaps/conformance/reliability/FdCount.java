package org.bpfmaps.conformance.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Open file descriptors of this process, from {@code /proc/self/fd}. The directory stream used for listing is
 * itself an fd; it is open in every count alike, so differences are exact.
 */
public final class FdCount {
    private FdCount() {
    }

    /** The number of open descriptors. */
    public static int count() {
        return numbers().size();
    }

    /** The open descriptor numbers. */
    public static Set<Integer> numbers() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The open descriptor numbers that refer to BPF maps ({@code anon_inode:bpf-map}). Other descriptors the JVM
     * opens and closes on its own (jar files, class data) come and go at any time and are left out.
     */
    public static Set<Integer> mapNumbers() {
        Set<Integer> all = numbers();
        all.removeIf(fd -> !target(fd).equals("anon_inode:bpf-map"));
        return all;
    }

    /**
     * The open descriptor numbers that refer to BPF objects ({@code anon_inode:bpf-map}, {@code bpf-prog},
     * {@code bpf-link}, ...): what bpfmaps opens. Leak checks compare these sets: the JVM's own descriptors come
     * and go, and a {@code Cleaner} may close an earlier test's dropped map at any moment, which only removes
     * numbers; a number that appears and stays is what the code under test opened and did not close.
     */
    public static Set<Integer> bpfNumbers() {
        Set<Integer> all = numbers();
        all.removeIf(fd -> !target(fd).startsWith("anon_inode:bpf"));
        return all;
    }

    /** The numbers in {@code after} that were not in {@code before}. */
    public static Set<Integer> added(Set<Integer> before, Set<Integer> after) {
        Set<Integer> out = new TreeSet<>(after);
        out.removeAll(before);
        return out;
    }

    /** What descriptor {@code fd} refers to ({@code anon_inode:bpf-map}, a path, ...), or {@code "?"}. */
    public static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
