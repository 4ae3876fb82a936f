package org.bpfmaps.conformance.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;

/**
 * Drives two backends in lockstep through a {@link Scenario} and reports the first difference.
 *
 * <p>Each op runs on side A then on side B; their outcome texts must be equal. Every {@code walkEvery} ops (and
 * at the end) both maps are walked with get_next_key (full order compared when the scenario is ordered, the
 * contents as a set otherwise), and every {@code batchWalkEvery} ops with lookup batches of a random size
 * (every key exactly once). On a difference the op list is minimised (chunks removed while a difference
 * remains, bounded in time) and a report is built: spec, the minimised sequence with both outcomes per op,
 * and the last ops of the original sequence.
 */
public final class Lockstep {
    private final String nameA;
    private final MapBackend a;
    private final UnaryOperator<BpfMap> decorateA;
    private final String nameB;
    private final MapBackend b;
    private final UnaryOperator<BpfMap> decorateB;
    private final int walkEvery;
    private final int batchWalkEvery;
    private long minimiseBudgetNanos = 30_000_000_000L;

    /** Operations and checks executed, across scenarios. */
    public static final class Stats {
        /** Operations run on both sides (create included). */
        public long ops;
        /** Walk checks run on both sides. */
        public long checks;
        /** Scenarios run. */
        public long scenarios;
        /** Differences found. */
        public long differences;
    }

    /** A lockstep driver for backends {@code a} and {@code b}; the decorators wrap every created map. */
    public Lockstep(String nameA, MapBackend a, UnaryOperator<BpfMap> decorateA, String nameB, MapBackend b,
                    UnaryOperator<BpfMap> decorateB, int walkEvery, int batchWalkEvery) {
        this.nameA = nameA;
        this.a = a;
        this.decorateA = decorateA;
        this.nameB = nameB;
        this.b = b;
        this.decorateB = decorateB;
        this.walkEvery = walkEvery;
        this.batchWalkEvery = batchWalkEvery;
    }

    /** A driver without decorators. */
    public Lockstep(String nameA, MapBackend a, String nameB, MapBackend b, int walkEvery, int batchWalkEvery) {
        this(nameA, a, UnaryOperator.identity(), nameB, b, UnaryOperator.identity(), walkEvery, batchWalkEvery);
    }

    /** Limits the time spent minimising a failing sequence. */
    public Lockstep minimiseBudgetSeconds(int seconds) {
        this.minimiseBudgetNanos = seconds * 1_000_000_000L;
        return this;
    }

    /** One step's record: what ran and what each side answered. */
    record Step(int index, String what, String outcomeA, String outcomeB) {
        /** Different outcomes, or an outcome no backend may give even if both give it (kit or API bug). */
        boolean differs() {
            return !outcomeA.equals(outcomeB) || broken(outcomeA) || broken(outcomeB);
        }

        private static boolean broken(String outcome) {
            return outcome.startsWith("UNEXPECTED") || outcome.contains("INVARIANT VIOLATED");
        }
    }

    /** Runs {@code scenario}; empty when both sides agreed on everything, else the failure report. */
    public Optional<String> run(Scenario scenario, Stats stats) {
        stats.scenarios++;
        List<Step> steps = new ArrayList<>();
        Step diff = execute(scenario, stats, steps, walkEvery, batchWalkEvery);
        if (diff == null) {
            return Optional.empty();
        }
        stats.differences++;
        return Optional.of(report(scenario, steps, diff));
    }

    /**
     * Runs the scenario on fresh maps, appending steps to {@code steps}; returns the first differing step or
     * null. Walk checks use a random chunk size seeded from the op index, so replays are identical.
     */
    private Step execute(Scenario sc, Stats stats, List<Step> steps, int walkEveryN, int batchEveryN) {
        try (Side sa = new Side(nameA, a, decorateA); Side sb = new Side(nameB, b, decorateB)) {
            Step create = new Step(-1, "create " + sc.spec(), sa.create(sc.spec(), sc.ordered()),
                    sb.create(sc.spec(), sc.ordered()));
            steps.add(create);
            if (stats != null) {
                stats.ops++;
            }
            if (create.differs()) {
                return create;
            }
            if (sa.map == null) {
                return null;
            }
            List<Op> ops = sc.ops();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                Step s = new Step(i, op.toString(), safeApply(op, sa), safeApply(op, sb));
                steps.add(s);
                if (stats != null) {
                    stats.ops++;
                }
                if (s.differs()) {
                    return s;
                }
                boolean last = i == ops.size() - 1;
                if ((i + 1) % walkEveryN == 0 || last) {
                    Step w = new Step(i, "check: get_next_key walk", sa.walk(), sb.walk());
                    if (stats != null) {
                        stats.checks++;
                    }
                    if (w.differs()) {
                        steps.add(w);
                        return w;
                    }
                }
                if ((i + 1) % batchEveryN == 0 || last) {
                    int chunk = 1 + new Random(i * 31L + ops.size()).nextInt(Math.max(1, sa.map.maxEntries()) + 1);
                    Step w = new Step(i, "check: lookup batch walk, chunk " + chunk, sa.batchWalk(chunk),
                            sb.batchWalk(chunk));
                    if (stats != null) {
                        stats.checks++;
                    }
                    if (w.differs()) {
                        steps.add(w);
                        return w;
                    }
                }
            }
            return null;
        }
    }

    private static String safeApply(Op op, Side side) {
        try {
            return op.apply(side);
        } catch (RuntimeException e) {
            return "UNEXPECTED " + e;
        }
    }

    /** Whether {@code ops} still shows a difference when every op is followed by both walk checks. */
    private boolean fails(Scenario sc, List<Op> ops) {
        try {
            return execute(sc.withOps(ops), null, new ArrayList<>(), 1, 1) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Removes chunks of ops while a difference remains (a simple ddmin), within the time budget. */
    List<Op> minimise(Scenario sc, List<Op> failing) {
        long deadline = System.nanoTime() + minimiseBudgetNanos;
        List<Op> current = new ArrayList<>(failing);
        if (!fails(sc, current)) {
            return current;
        }
        int chunk = Math.max(1, current.size() / 2);
        while (chunk >= 1 && System.nanoTime() < deadline) {
            boolean removed = false;
            for (int start = 0; start < current.size() && System.nanoTime() < deadline; ) {
                List<Op> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                if (!candidate.isEmpty() && fails(sc, candidate)) {
                    current = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (!removed) {
                chunk /= 2;
            }
        }
        return current;
    }

    private String report(Scenario sc, List<Step> steps, Step diff) {
        StringBuilder sb = new StringBuilder();
        sb.append("Differential difference between ").append(nameA).append(" and ").append(nameB).append('\n');
        sb.append("spec: ").append(sc.spec()).append(sc.ordered() ? " (order compared exactly)"
                : " (random hash seed: order compared as sets)").append('\n');
        sb.append("first difference at ").append(diff.index() < 0 ? "map creation" : "op #" + diff.index())
                .append(" of ").append(sc.ops().size()).append(": ").append(diff.what()).append('\n');
        sb.append("  ").append(nameA).append(": ").append(diff.outcomeA()).append('\n');
        sb.append("  ").append(nameB).append(": ").append(diff.outcomeB()).append('\n');
        int upTo = Math.max(0, diff.index() + 1);
        List<Op> prefix = new ArrayList<>(sc.ops().subList(0, Math.min(upTo, sc.ops().size())));
        if (!prefix.isEmpty()) {
            List<Op> min = minimise(sc, prefix);
            List<Step> replay = new ArrayList<>();
            Step again = execute(sc.withOps(min), null, replay, 1, 1);
            sb.append("minimised reproduction (").append(min.size()).append(" ops, walks after every op)")
                    .append(again == null ? " [did not reproduce: order or timing dependent]" : "").append(":\n");
            for (Step s : replay) {
                sb.append(s.differs() ? "  >> " : "     ").append(s.index() < 0 ? "" : "#" + s.index() + " ")
                        .append(s.what()).append('\n');
                sb.append("        ").append(nameA).append(": ").append(s.outcomeA()).append('\n');
                if (s.differs()) {
                    sb.append("        ").append(nameB).append(": ").append(s.outcomeB()).append('\n');
                }
            }
        }
        sb.append("last ops of the original sequence:\n");
        for (Step s : steps.subList(Math.max(0, steps.size() - 25), steps.size())) {
            sb.append(s.differs() ? "  >> " : "     ").append(s.index() < 0 ? "" : "#" + s.index() + " ")
                    .append(s.what()).append(" -> ").append(nameA).append(": ").append(s.outcomeA());
            if (s.differs()) {
                sb.append(" | ").append(nameB).append(": ").append(s.outcomeB());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
