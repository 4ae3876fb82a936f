package org.bpfmaps.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test method once per backend, each time with a fresh backend and fresh maps, all closed afterwards.
 *
 * <pre>
 * &#64;BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
 * void countsFlows(MapBackend backend,
 *                  &#64;BpfMapDef(type = MapType.HASH, maxEntries = 64) TypedMap&lt;FlowKey, Long&gt; flows) { ... }
 * </pre>
 *
 * <p>Use it instead of {@code @Test} on a method. Parameters and fields that can be injected:
 * <ul>
 *   <li>{@link org.bpfmaps.MapBackend}: the backend of this invocation (a simulator has {@link #cpus()} CPUs);</li>
 *   <li>a {@link org.bpfmaps.BpfMap} or typed view annotated with {@link BpfMapDef}: a new map, created on that
 *       backend before the test.</li>
 * </ul>
 * After the test, passed or failed, every injected map, every map and reader opened through the injected backend,
 * and the backend are closed. The {@link Backend#LINUX} invocation is skipped, with the reason, when the linux
 * backend is not installed or not available (no CAP_BPF, not Linux); with the environment variable
 * {@value BpfMapsExtension#REQUIRE_KERNEL_ENV}{@code =1} (or system property
 * {@value BpfMapsExtension#REQUIRE_KERNEL_PROPERTY}{@code =true}) it fails instead.
 *
 * <p>On a class, the annotation sets up the extension for plain {@code @Test} methods, which run once, on the
 * first backend listed.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@TestTemplate
@ExtendWith(BpfMapsExtension.class)
public @interface BpfMapsTest {
    /** The backends to run on, one invocation each, in this order. */
    Backend[] backends() default {Backend.SIMULATOR};

    /** Number of possible CPUs of the simulated kernel (the linux backend has the machine's). */
    int cpus() default 2;
}
