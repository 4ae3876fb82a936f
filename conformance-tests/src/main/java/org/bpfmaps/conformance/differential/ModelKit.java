package org.bpfmaps.conformance.differential;

import java.util.ArrayList;
import java.util.List;
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
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.HostCpus;

/**
 * The property kit one backend runs against the {@link ReferenceModel}: random specs and operation sequences
 * (the differential generator's, without program-view ops and lookup batches), each outcome checked against the
 * model's prediction, and the contents compared every few steps. Hash iteration order is not modelled; the
 * differential kit covers it against the kernel.
 */
public abstract class ModelKit {
    /** Operations per generated scenario. */
    public static final int OPS_PER_TRY = 300;

    private MapBackend backend;
    private long ops;
    private long scenarios;

    /** Opens the backend under test. */
    protected abstract MapBackend newBackend();

    @BeforeProperty
    void open() {
        backend = newBackend();
        ops = 0;
        scenarios = 0;
    }

    @AfterProperty
    void close() {
        if (backend != null) {
            System.out.println("model check on " + backend.name() + ": " + ops + " ops in " + scenarios
                    + " scenarios agreed with the reference model");
            backend.close();
        }
    }

    private Arbitrary<Scenario> scenarios(MapType type) {
        ScenarioGenerator.Options o = new ScenarioGenerator.Options(OPS_PER_TRY, false, false, HostCpus.possible());
        return Arbitraries.randomValue(r -> ScenarioGenerator.generate(type, r, o));
    }

    @Provide
    Arbitrary<Scenario> hash() {
        return scenarios(MapType.HASH);
    }

    @Provide
    Arbitrary<Scenario> percpuHash() {
        return scenarios(MapType.PERCPU_HASH);
    }

    @Provide
    Arbitrary<Scenario> array() {
        return scenarios(MapType.ARRAY);
    }

    @Provide
    Arbitrary<Scenario> percpuArray() {
        return scenarios(MapType.PERCPU_ARRAY);
    }

    @Property(tries = 120, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void hashMatchesModel(@ForAll("hash") Scenario s) {
        check(s);
    }

    @Property(tries = 120, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void percpuHashMatchesModel(@ForAll("percpuHash") Scenario s) {
        check(s);
    }

    @Property(tries = 120, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void arrayMatchesModel(@ForAll("array") Scenario s) {
        check(s);
    }

    @Property(tries = 120, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void percpuArrayMatchesModel(@ForAll("percpuArray") Scenario s) {
        check(s);
    }

    private void check(Scenario sc) {
        scenarios++;
        try (Side side = new Side(backend.name(), backend, UnaryOperator.identity())) {
            side.strictBatch = false;
            side.create(sc.spec(), false);
            if (side.map == null) {
                return;
            }
            ReferenceModel model = new ReferenceModel(sc.spec(), backend.possibleCpus());
            List<String> history = new ArrayList<>();
            int n = 0;
            for (Op op : sc.ops()) {
                if (!ReferenceModel.models(op)) {
                    continue;
                }
                String expected = model.predict(op);
                String actual = op.apply(side);
                ops++;
                history.add("#" + n + " " + op + " -> " + actual);
                if (!expected.equals(actual)) {
                    throw new AssertionError(report(sc, history, "#" + n + " " + op, expected, actual));
                }
                if (++n % 10 == 0) {
                    String w = side.walk();
                    String mw = model.walk();
                    if (!mw.equals(w)) {
                        throw new AssertionError(report(sc, history, "contents after #" + (n - 1), mw, w));
                    }
                }
            }
            String w = side.walk();
            String mw = model.walk();
            if (!mw.equals(w)) {
                throw new AssertionError(report(sc, history, "contents at the end", mw, w));
            }
        }
    }

    private String report(Scenario sc, List<String> history, String what, String expected, String actual) {
        StringBuilder sb = new StringBuilder();
        sb.append(backend.name()).append(" disagrees with the reference model\n");
        sb.append("spec: ").append(sc.spec()).append('\n');
        sb.append("at ").append(what).append('\n');
        sb.append("  model:   ").append(expected).append('\n');
        sb.append("  backend: ").append(actual).append('\n');
        sb.append("last ops:\n");
        for (String h : history.subList(Math.max(0, history.size() - 30), history.size())) {
            sb.append("  ").append(h).append('\n');
        }
        return sb.toString();
    }
}
