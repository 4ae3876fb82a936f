package org.bpfmaps.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's possible CPU count from {@code /sys/devices/system/cpu/possible} (e.g. {@code 0-1} or
 * {@code 0-3,8-11}); a simulator in a differential run uses it so per-CPU buffers match the kernel's.
 */
public final class HostCpus {
    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private HostCpus() {
    }

    /** The number of possible CPUs, or {@link Runtime#availableProcessors()} when the file is absent. */
    public static int possible() {
        try {
            return count(Files.readString(POSSIBLE).trim());
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Counts the CPUs of a kernel cpu list such as {@code 0-3,8-11}. */
    public static int count(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                n++;
            } else {
                n += Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
            }
        }
        return n;
    }
}
