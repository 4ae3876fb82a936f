package org.bpfmaps.conformance.differential;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.HostCpus;

/**
 * The differential property: two backends, driven in lockstep by random operation sequences, must give
 * identical results for HASH, PERCPU_HASH, ARRAY and PERCPU_ARRAY.
 *
 * <p><b>Design.</b> Each jqwik try generates one {@link Scenario} (a random small spec and {@value #OPS_PER_TRY}
 * operations) from jqwik's random source, and {@link Lockstep} runs it on both backends. With
 * {@value #TRIES} tries per type that is more than 200,000 operations per type per run. jqwik's own shrinking
 * is off (replaying long chains against the kernel is slow and the arbitrary is a random value); instead the
 * driver minimises the failing prefix itself (chunk removal, time-bounded) and the failure message holds the
 * spec, the minimised sequence with both outcomes, and the last ops of the original sequence. jqwik prints the
 * seed of a failing run, and re-runs it first next time (its database lives in {@code target/}).
 *
 * <p><b>Switches</b> (system properties): {@code bpfmaps.differential.programView} = {@code on} (default: program-view
 * ops are part of the mix and a backend that fails the probe call fails the property), {@code auto} (run them when
 * both backends pass the probe, else say so in the summary line) or {@code off};
 * {@code bpfmaps.differential.dirtyPadding} = {@code false} (default) or {@code true}: per-CPU buffers sometimes
 * carry non-zero padding bytes. Off by default because 6.18 stores those bytes, and a preallocated element that is
 * deleted and reused later shows the old padding again (and a program write keeps a slot's padding), which is
 * kernel memory reuse rather than map semantics; the example kit checks the simple round trip instead.
 * {@code bpfmaps.differential.lenientBatch}: see {@link Side}.
 */
public abstract class DifferentialKit {
    /** Operations per generated scenario. */
    public static final int OPS_PER_TRY = 400;
    /** Tries (scenarios) per map type. */
    public static final int TRIES = 650;
    /** Operations each type must reach in a run. */
    public static final long REQUIRED_OPS = 200_000;

    private static final Map<String, String> SUMMARY = new ConcurrentHashMap<>();

    private MapBackend a;
    private MapBackend b;
    private Lockstep lockstep;
    private Lockstep.Stats stats;
    private boolean programOps;
    private String programOpsNote;
    private boolean failed;
    private MapType currentType;
    private long started;

    /** Name of the first backend, for reports. */
    protected abstract String nameA();

    /** Opens the first backend (the one under test, usually the simulator). */
    protected abstract MapBackend newBackendA();

    /** Name of the second backend, for reports. */
    protected abstract String nameB();

    /** Opens the second backend (the judge, usually linux). */
    protected abstract MapBackend newBackendB();

    /** Wraps every map of backend A; identity unless a self-test wants a broken map. */
    protected UnaryOperator<BpfMap> decorateA() {
        return UnaryOperator.identity();
    }

    @BeforeProperty
    void openBackends() {
        a = newBackendA();
        b = newBackendB();
        if (a.possibleCpus() != b.possibleCpus()) {
            throw new AssertionError(nameA() + " has " + a.possibleCpus() + " possible CPUs but " + nameB() + " has "
                    + b.possibleCpus() + "; per-CPU buffers would differ");
        }
        decideProgramOps();
        lockstep = new Lockstep(nameA(), a, decorateA(), nameB(), b, UnaryOperator.identity(), 12, 60);
        stats = new Lockstep.Stats();
        failed = false;
        started = System.nanoTime();
    }

    @AfterProperty
    void closeBackends() {
        try {
            if (currentType != null) {
                double seconds = (System.nanoTime() - started) / 1e9;
                String line = String.format("differential %s vs %s: %s %d ops (%d scenarios, %d walk checks), "
                                + "%d differences, %.1f s; program-view ops %s", nameA(), nameB(), currentType,
                        stats.ops, stats.scenarios, stats.checks, stats.differences, seconds, programOpsNote);
                SUMMARY.put(nameA() + "/" + nameB() + "/" + currentType, line);
                System.out.println(line);
                // A try that failed (also in generation, which jqwik reports itself) ends the property early.
                if (!failed && stats.scenarios >= TRIES && stats.ops < REQUIRED_OPS) {
                    throw new AssertionError("only " + stats.ops + " differential ops ran for " + currentType
                            + "; at least " + REQUIRED_OPS + " are required");
                }
            }
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }

    /** Every summary line printed so far in this JVM. */
    public static Map<String, String> summaries() {
        return Map.copyOf(SUMMARY);
    }

    private void decideProgramOps() {
        String mode = System.getProperty("bpfmaps.differential.programView", "on");
        if (mode.equals("off")) {
            programOps = false;
            programOpsNote = "off (bpfmaps.differential.programView=off)";
            return;
        }
        Optional<String> a1 = probeProgramView(a);
        Optional<String> b1 = probeProgramView(b);
        programOps = a1.isEmpty() && b1.isEmpty();
        if (programOps) {
            programOpsNote = "on";
        } else {
            programOpsNote = "OFF: " + a1.map(s -> nameA() + ": " + s + " ").orElse("")
                    + b1.map(s -> nameB() + ": " + s).orElse("");
            if (mode.equals("on")) {
                throw new AssertionError("program-view ops required but " + programOpsNote);
            }
        }
    }

    /** Empty when a program-view update and lookup work on a small hash map of this backend. */
    private static Optional<String> probeProgramView(MapBackend backend) {
        try (BpfMap m = backend.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(4).valueSize(4).maxEntries(2)
                .build()); ProgramView v = m.programView(0)) {
            v.update(Bytes.u32(1), Bytes.u32(7), UpdateFlags.ANY);
            return v.lookup(Bytes.u32(1)).isPresent() ? Optional.empty() : Optional.of("probe lookup missed");
        } catch (BpfException | UnsupportedOperationException e) {
            return Optional.of(e.toString());
        }
    }

    private void runOne(MapType type, Scenario scenario) {
        currentType = type;
        Scenario s = programOps ? scenario
                : scenario.withOps(scenario.ops().stream().filter(op -> !op.isProgramOp()).toList());
        Optional<String> difference;
        try {
            difference = lockstep.run(s, stats);
        } catch (RuntimeException | Error e) {
            failed = true;
            throw new AssertionError("differential run of " + s + " failed outside the compared operations: " + e, e);
        }
        if (difference.isPresent()) {
            failed = true;
            throw new AssertionError(difference.get());
        }
    }

    private Arbitrary<Scenario> scenarios(MapType type) {
        boolean dirty = Boolean.parseBoolean(System.getProperty("bpfmaps.differential.dirtyPadding", "false"));
        int cpus = HostCpus.possible();
        ScenarioGenerator.Options o = new ScenarioGenerator.Options(OPS_PER_TRY, true, dirty, cpus);
        return Arbitraries.randomValue(r -> ScenarioGenerator.generate(type, r, o));
    }

    @Provide
    Arbitrary<Scenario> hashScenarios() {
        return scenarios(MapType.HASH);
    }

    @Provide
    Arbitrary<Scenario> percpuHashScenarios() {
        return scenarios(MapType.PERCPU_HASH);
    }

    @Provide
    Arbitrary<Scenario> arrayScenarios() {
        return scenarios(MapType.ARRAY);
    }

    @Provide
    Arbitrary<Scenario> percpuArrayScenarios() {
        return scenarios(MapType.PERCPU_ARRAY);
    }

    @Property(tries = TRIES, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void hashAgrees(@ForAll("hashScenarios") Scenario scenario) {
        runOne(MapType.HASH, scenario);
    }

    @Property(tries = TRIES, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void percpuHashAgrees(@ForAll("percpuHashScenarios") Scenario scenario) {
        runOne(MapType.PERCPU_HASH, scenario);
    }

    @Property(tries = TRIES, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void arrayAgrees(@ForAll("arrayScenarios") Scenario scenario) {
        runOne(MapType.ARRAY, scenario);
    }

    @Property(tries = TRIES, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void percpuArrayAgrees(@ForAll("percpuArrayScenarios") Scenario scenario) {
        runOne(MapType.PERCPU_ARRAY, scenario);
    }
}
