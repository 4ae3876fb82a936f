package org.bpfmaps.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The kernel's possible-CPU mask, from {@code /sys/devices/system/cpu/possible}.
 *
 * <p>Exists because per-CPU value buffers have one slot per possible CPU (not per online CPU), and the mask can
 * have holes ({@code 0-3,8-11}); parsing it lives in one tested place.
 */
final class PossibleCpus {
    static final Path FILE = Path.of("/sys/devices/system/cpu/possible");

    private PossibleCpus() {
    }

    /** Reads and parses {@link #FILE}. */
    static BitSet read() {
        try {
            return parse(Files.readString(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE, e);
        }
    }

    /**
     * Parses a kernel CPU list such as {@code 0}, {@code 0-1} or {@code 0-3,8-11}.
     *
     * @throws IllegalArgumentException when {@code text} is not a CPU list
     */
    static BitSet parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty CPU list");
        }
        BitSet cpus = new BitSet();
        for (String part : s.split(",")) {
            try {
                int dash = part.indexOf('-');
                if (dash < 0) {
                    cpus.set(Integer.parseInt(part.trim()));
                } else {
                    int from = Integer.parseInt(part.substring(0, dash).trim());
                    int to = Integer.parseInt(part.substring(dash + 1).trim());
                    if (from < 0 || to < from) {
                        throw new IllegalArgumentException("bad CPU range '" + part + "' in '" + s + "'");
                    }
                    cpus.set(from, to + 1);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + s + "'", e);
            }
        }
        return cpus;
    }
}
