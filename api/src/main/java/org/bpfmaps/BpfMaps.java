package org.bpfmaps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.bpfmaps.spi.MapBackendProvider;

/**
 * Entry point: finds a {@link MapBackend} among the providers installed on the class path.
 *
 * <p>Providers are found with {@link ServiceLoader} under
 * {@code META-INF/services/org.bpfmaps.spi.MapBackendProvider}; bpfmaps ships {@code simulator}
 * (artifact bpfmaps-simulator) and {@code linux} (artifact bpfmaps-linux).
 */
public final class BpfMaps {
    /** System property naming the backend to use. */
    public static final String BACKEND_PROPERTY = "bpfmaps.backend";
    /** Environment variable naming the backend to use, read when the property is not set. */
    public static final String BACKEND_ENV = "BPFMAPS_BACKEND";

    private BpfMaps() {
    }

    /** Opens the backend chosen by {@link #provider(String) provider(null)}, with default options. */
    public static MapBackend open() {
        return provider(null).open(Map.of());
    }

    /** Opens the backend named {@code name} (null: chosen as {@link #provider(String)} says). */
    public static MapBackend open(String name) {
        return provider(name).open(Map.of());
    }

    /**
     * Opens a backend with options, e.g. the simulator's {@code cpus}; unknown options are refused by the
     * provider.
     */
    public static MapBackend open(String name, Map<String, String> options) {
        return provider(name).open(options);
    }

    /**
     * Chooses a provider. The choice, in order:
     * <ol>
     *   <li>{@code name}, when not null;</li>
     *   <li>the system property {@value #BACKEND_PROPERTY}, when set and not blank;</li>
     *   <li>the environment variable {@value #BACKEND_ENV}, when set and not blank;</li>
     *   <li>the only installed provider.</li>
     * </ol>
     * A named provider that is not installed or not available is an error; so is having no provider, or several
     * with none named. bpfmaps never falls back from one backend to another: a service that asked for linux does
     * not run on a simulation.
     *
     * @throws BackendSelectionException listing every installed provider and its availability
     */
    public static MapBackendProvider provider(String name) {
        return select(name, System.getProperty(BACKEND_PROPERTY), System.getenv(BACKEND_ENV), providers());
    }

    /** All installed providers, in class-path order, loaded once. */
    public static List<MapBackendProvider> providers() {
        return Installed.PROVIDERS;
    }

    /** The selection rules of {@link #provider(String)} over explicit inputs; visible for tests. */
    static MapBackendProvider select(String explicit, String property, String env,
                                     List<MapBackendProvider> installed) {
        String name;
        String source;
        if (explicit != null) {
            name = explicit;
            source = "the name passed in code";
        } else if (property != null && !property.isBlank()) {
            name = property.trim();
            source = "system property " + BACKEND_PROPERTY;
        } else if (env != null && !env.isBlank()) {
            name = env.trim();
            source = "environment variable " + BACKEND_ENV;
        } else {
            name = null;
            source = null;
        }
        if (name == null) {
            if (installed.isEmpty()) {
                throw new BackendSelectionException("No bpfmaps backend is installed: add bpfmaps-simulator or "
                        + "bpfmaps-linux to the class path", null);
            }
            if (installed.size() > 1) {
                throw new BackendSelectionException("Several bpfmaps backends are installed and none is named; "
                        + "pass a name, set -D" + BACKEND_PROPERTY + "=NAME or " + BACKEND_ENV + "=NAME. "
                        + describe(installed), null);
            }
            MapBackendProvider only = installed.get(0);
            requireAvailable(only, "the only installed backend", installed);
            return only;
        }
        for (MapBackendProvider p : installed) {
            if (p.name().equals(name)) {
                requireAvailable(p, "backend '" + name + "' (from " + source + ")", installed);
                return p;
            }
        }
        throw new BackendSelectionException("Backend '" + name + "' (from " + source + ") is not installed. "
                + describe(installed), null);
    }

    private static void requireAvailable(MapBackendProvider p, String what, List<MapBackendProvider> installed) {
        if (!p.isAvailable()) {
            Throwable cause = p.unavailabilityCause().orElse(null);
            throw new BackendSelectionException("The " + what + " is not available"
                    + (cause == null ? "" : ": " + cause.getMessage()) + ". " + describe(installed), cause);
        }
    }

    /** One sentence listing each provider and its availability. */
    static String describe(List<MapBackendProvider> installed) {
        if (installed.isEmpty()) {
            return "Installed backends: none.";
        }
        StringBuilder sb = new StringBuilder("Installed backends: ");
        for (int i = 0; i < installed.size(); i++) {
            MapBackendProvider p = installed.get(i);
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(p.name()).append(" (");
            if (p.isAvailable()) {
                sb.append("available");
            } else {
                sb.append("unavailable: ").append(p.unavailabilityCause().map(Throwable::getMessage)
                        .orElse("no reason given"));
            }
            sb.append(')');
        }
        return sb.append('.').toString();
    }

    private static final class Installed {
        static final List<MapBackendProvider> PROVIDERS;

        static {
            List<MapBackendProvider> found = new ArrayList<>();
            for (MapBackendProvider p : ServiceLoader.load(MapBackendProvider.class, BpfMaps.class.getClassLoader())) {
                boolean duplicate = found.stream().anyMatch(q -> q.name().equals(p.name()));
                if (!duplicate) {
                    found.add(p);
                }
            }
            PROVIDERS = Collections.unmodifiableList(found);
        }
    }
}
