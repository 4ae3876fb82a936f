package org.bpfmaps.conformance;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether tests that need the real kernel can run, and what to do when they cannot.
 *
 * <p>Kernel tests need the {@code linux} provider installed and available (root or CAP_BPF, JNA, a Linux
 * kernel). When it is not, they are skipped with the provider's {@code unavailabilityCause()}, unless the
 * environment variable {@value #REQUIRE_ENV} is {@code 1} (CI), in which case they fail with that cause: a kernel
 * test never passes without running.
 *
 * <p>JUnit Jupiter tests call {@link #assumeKernel()} (in {@code @BeforeEach} or the test). jqwik containers
 * add {@code @AddLifecycleHook(KernelRequirement.SkipWithoutKernel.class)}, which skips when allowed, and call
 * {@link #requireKernel()} in the property, which fails when the kernel is required but missing.
 */
public final class KernelRequirement {
    /** Environment variable that turns a missing kernel from a skip into a failure when set to {@code 1}. */
    public static final String REQUIRE_ENV = "BPFMAPS_REQUIRE_KERNEL";
    /** Name of the provider that talks to the real kernel. */
    public static final String LINUX = "linux";

    private KernelRequirement() {
    }

    /** What to do about kernel tests. */
    public enum Verdict {
        /** The kernel backend is available: run. */
        RUN,
        /** Not available and not required: skip with the reason. */
        SKIP,
        /** Not available but required: fail with the reason. */
        FAIL
    }

    /** A verdict with the sentence that explains it and the provider's cause, if any. */
    public record Decision(Verdict verdict, String reason, Throwable cause) {
    }

    /** The decision for this process: installed providers and the environment. */
    public static Decision decide() {
        return Cached.DECISION;
    }

    /** The decision for explicit inputs; visible for tests of this class. */
    public static Decision decide(List<MapBackendProvider> providers, String requireEnv) {
        boolean required = "1".equals(requireEnv == null ? null : requireEnv.trim());
        Optional<MapBackendProvider> linux = providers.stream().filter(p -> LINUX.equals(p.name())).findFirst();
        String reason;
        Throwable cause = null;
        if (linux.isEmpty()) {
            reason = "the '" + LINUX + "' backend provider is not on the class path (installed: "
                    + providers.stream().map(MapBackendProvider::name).toList() + ")";
        } else if (linux.get().isAvailable()) {
            return new Decision(Verdict.RUN, "the '" + LINUX + "' backend is available", null);
        } else {
            cause = linux.get().unavailabilityCause().orElse(null);
            reason = "the '" + LINUX + "' backend is unavailable: "
                    + (cause == null ? "no cause given by the provider" : String.valueOf(cause.getMessage()));
        }
        if (required) {
            return new Decision(Verdict.FAIL, reason + " (and " + REQUIRE_ENV + "=1 requires kernel tests to run)",
                    cause);
        }
        return new Decision(Verdict.SKIP, reason + " (set " + REQUIRE_ENV + "=1 to make this a failure)", cause);
    }

    /**
     * For JUnit Jupiter: returns normally when the kernel is available; aborts the test (skipped) when it is
     * not and not required; fails it when it is required.
     */
    public static void assumeKernel() {
        Decision d = decide();
        switch (d.verdict()) {
            case RUN:
                return;
            case SKIP:
                Assumptions.abort("Kernel test skipped: " + d.reason());
                return;
            default:
                throw new AssertionError("Kernel test cannot run: " + d.reason(), d.cause());
        }
    }

    /** For any framework: returns when the kernel is available, otherwise throws {@link AssertionError}. */
    public static void requireKernel() {
        Decision d = decide();
        if (d.verdict() != Verdict.RUN) {
            throw new AssertionError("Kernel test cannot run: " + d.reason(), d.cause());
        }
    }

    /**
     * jqwik hook: skips a container or property when the kernel is unavailable and not required. When it is
     * required the property runs and {@link #requireKernel()} fails it.
     */
    public static final class SkipWithoutKernel implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            Decision d = decide();
            return d.verdict() == Verdict.SKIP ? SkipResult.skip("Kernel test skipped: " + d.reason())
                    : SkipResult.doNotSkip();
        }
    }

    private static final class Cached {
        static final Decision DECISION = decide(BpfMaps.providers(), System.getenv(REQUIRE_ENV));
    }
}
