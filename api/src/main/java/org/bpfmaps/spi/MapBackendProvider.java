package org.bpfmaps.spi;

import java.util.Map;
import java.util.Optional;
import org.bpfmaps.MapBackend;

/**
 * A backend implementation, found by {@link java.util.ServiceLoader}. Implementations probe their
 * availability once and cache the answer.
 */
public interface MapBackendProvider {

    /** The stable short name users select the backend by ({@code simulator}, {@code linux}). */
    String name();

    /** Whether {@link #open(Map)} can work in this process. */
    boolean isAvailable();

    /** Why the backend is unavailable (not Linux, no CAP_BPF, JNA missing, ...); empty when available. */
    Optional<Throwable> unavailabilityCause();

    /** Opens a backend; {@code options} are provider-specific and unknown keys are refused. */
    MapBackend open(Map<String, String> options);
}
