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
 * (default {@code /sys/fs/bpf}); {@code state.dir}: a directory to persist pinned maps in (see
 * {@link SimulatedKernel.Builder#stateDirectory(java.nio.file.Path)}), or {@code default} for
 * {@code $XDG_STATE_HOME/bpfmaps} ({@code ~/.local/state/bpfmaps} when unset); {@code state.sync}: {@code true}
 * (default) or {@code false}, whether each persisted call is {@code fsync}ed. Any other key is refused with
 * {@link IllegalArgumentException}.
 */
public final class SimulatorProvider implements MapBackendProvider {

    /** The provider's name. */
    public static final String NAME = "simulator";
    /** Option key: number of simulated possible CPUs. */
    public static final String OPTION_CPUS = "cpus";
    /** Option key: the virtual bpffs root. */
    public static final String OPTION_BPFFS_ROOT = "bpffs.root";
    /** Option key: the state directory ({@code default} for the default location). */
    public static final String OPTION_STATE_DIR = "state.dir";
    /** Option key: whether persisted calls are {@code fsync}ed ({@code true} or {@code false}). */
    public static final String OPTION_STATE_SYNC = "state.sync";

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
            } else if (OPTION_STATE_DIR.equals(key)) {
                if (value == null || value.isBlank()) {
                    throw new IllegalArgumentException("simulator option 'state.dir' must be a directory or 'default'");
                }
                b.stateDirectory("default".equals(value)
                        ? org.bpfmaps.simulator.state.StateDirectory.defaultLocation() : java.nio.file.Path.of(value));
            } else if (OPTION_STATE_SYNC.equals(key)) {
                if (!"true".equals(value) && !"false".equals(value)) {
                    throw new IllegalArgumentException("simulator option 'state.sync' must be true or false, got '"
                            + value + "'");
                }
                b.stateSync(Boolean.parseBoolean(value));
            } else {
                throw new IllegalArgumentException("unknown simulator option '" + key + "'; known options: "
                        + OPTION_CPUS + ", " + OPTION_BPFFS_ROOT + ", " + OPTION_STATE_DIR + ", " + OPTION_STATE_SYNC);
            }
        }
        return b.build();
    }
}
