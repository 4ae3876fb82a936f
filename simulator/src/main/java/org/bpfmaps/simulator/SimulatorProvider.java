package org.bpfmaps.simulator;

import java.util.Map;
import java.util.Optional;
import org.bpfmaps.MapBackend;
import org.bpfmaps.spi.MapBackendProvider;

/**
 * The {@code simulator} backend provider: always available, each {@link #open(Map)} a fresh {@link SimulatedKernel}.
 *
 * <p>Options: {@code cpus} (simulated possible CPUs; default the host's count from
 * {@code /sys/devices/system/cpu/possible}, else {@link Runtime#availableProcessors()}) and {@code bpffs.root}
 * (default {@code /sys/fs/bpf}). Any other key is refused with {@link IllegalArgumentException}.
 */
public final class SimulatorProvider implements MapBackendProvider {

    /** The provider's name. */
    public static final String NAME = "simulator";
    /** Option key: number of simulated possible CPUs. */
    public static final String OPTION_CPUS = "cpus";
    /** Option key: the virtual bpffs root. */
    public static final String OPTION_BPFFS_ROOT = "bpffs.root";

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public SimulatorProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Optional<Throwable> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public MapBackend open(Map<String, String> options) {
        SimulatedKernel.Builder b = SimulatedKernel.builder();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (OPTION_CPUS.equals(key)) {
                int cpus;
                try {
                    cpus = Integer.parseInt(value.trim());
                } catch (NumberFormatException | NullPointerException ex) {
                    throw new IllegalArgumentException("simulator option 'cpus' must be a positive integer, got '"
                            + value + "'", ex);
                }
                b.cpus(cpus);
            } else if (OPTION_BPFFS_ROOT.equals(key)) {
                b.bpffsRoot(value);
            } else {
                throw new IllegalArgumentException("unknown simulator option '" + key + "'; known options: "
                        + OPTION_CPUS + ", " + OPTION_BPFFS_ROOT);
            }
        }
        return b.build();
    }
}
