package org.bpfmaps.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's possible CPU count, the simulator's default.
 *
 * <p>Exists because per-CPU value buffers are sized by possible CPUs ({@code /sys/devices/system/cpu/possible}),
 * not online ones, and a default that matches the host lets the same test code run on both backends.
 */
final class HostCpus {

    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private HostCpus() {
    }

    /** The count in {@code /sys/devices/system/cpu/possible}, else {@link Runtime#availableProcessors()}. */
    static int possible() {
        try {
            return parseCpuList(Files.readString(POSSIBLE, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Counts the CPUs in a kernel CPU list such as {@code 0-3,8-11}. */
    static int parseCpuList(String list) {
        String s = list.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty CPU list");
        }
        int n = 0;
        for (String part : s.split(",")) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part);
                n++;
            } else {
                int from = Integer.parseInt(part.substring(0, dash));
                int to = Integer.parseInt(part.substring(dash + 1));
                if (to < from) {
                    throw new IllegalArgumentException("bad CPU range " + part);
                }
                n += to - from + 1;
            }
        }
        return n;
    }
}
