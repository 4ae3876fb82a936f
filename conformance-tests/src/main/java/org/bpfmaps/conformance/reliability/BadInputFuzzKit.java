package org.bpfmaps.conformance.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;

/**
 * Bad-input fuzzing: random specs and random operations with wrong buffers, flags, counts, closed handles and
 * commands the type does not have. Every call must end in a normal result or a documented
 * {@link org.bpfmaps.BpfException} (see {@link Outcome}); buffer mistakes must be {@code EINVAL} before the
 * kernel is reached (see {@link FuzzRunner}); and with two backends, both must give the same outcome for every
 * call (class and errno; results where they do not depend on a random hash seed).
 *
 * <p>A subclass names the backends: one (the simulator alone) or two (simulator and linux in lockstep). Specs
 * whose kernel memory estimate exceeds {@link #KERNEL_MEMORY_LIMIT} run on the first backend only. Every run
 * prints how many calls ("cases") each backend made; the default run makes at least {@link #MIN_CASES} per
 * backend, checked after the property.
 */
public abstract class BadInputFuzzKit {
    /** Specs estimated above this much kernel memory are not sent to the kernel. */
    public static final long KERNEL_MEMORY_LIMIT = 256L << 20;
    /** Calls each backend must make in the default run. */
    public static final long MIN_CASES = 100_000;
    /**
     * Property tries. A try makes 20..80 calls when its map is created and a handful when the spec is refused; with
     * every map type in the draw, 3200 tries made about 101,000 calls per backend (too close to {@link #MIN_CASES}:
     * one run made 99,946), so 4000 tries make about 126,000, many standard deviations above it.
     */
    public static final int TRIES = 4000;

    private static final Map<String, List<MapType>> TYPES = new ConcurrentHashMap<>();

    private final Map<String, MapBackend> backends = new LinkedHashMap<>();
    private final Map<String, FuzzRunner> runners = new LinkedHashMap<>();
    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();
    private final AtomicLong firstOnly = new AtomicLong();
    private final Map<String, AtomicLong> runNanos = new ConcurrentHashMap<>();
    private final AtomicLong tries = new AtomicLong();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final AtomicLong failureCount = new AtomicLong();
    private long started;

    /** Backend names, the reference first (e.g. {@code simulator}, then {@code linux}). */
    protected abstract List<String> backendNames();

    /** Opens the backend called {@code name}; fails (or skips) when it cannot. */
    protected abstract MapBackend open(String name);

    @BeforeProperty
    void openBackends() {
        for (String name : backendNames()) {
            MapBackend b = open(name);
            backends.put(name, b);
            runners.put(name, new FuzzRunner(b));
            counts.put(name, new AtomicLong());
        }
        started = System.nanoTime();
    }

    @AfterProperty
    void reportAndClose() {
        try {
            StringBuilder sb = new StringBuilder("bad-input fuzz (" + getClass().getSimpleName() + "): " + tries
                    + " specs; calls per backend:");
            counts.forEach((n, c) -> sb.append(' ').append(n).append('=').append(c.get()));
            if (backends.size() > 1) {
                sb.append("; ").append(firstOnly.get()).append(" specs above the 256 MiB estimate on ")
                        .append(backendNames().get(0)).append(" only");
            }
            sb.append(String.format("; %.1f s", (System.nanoTime() - started) / 1e9));
            runNanos.forEach((n, t) -> sb.append(String.format(" (%s calls %.1f s; most: %s)", n, t.get() / 1e9,
                    runners.get(n).slowest())));
            runners.forEach((n, r) -> sb.append("; ").append(n).append(": ").append(r.ringSummary()));
            System.out.println(sb);
            if (!failures.isEmpty()) {
                StringBuilder f = new StringBuilder(failureCount + " failing specs, " + failures.size()
                        + " distinct:");
                failures.forEach((sig, ex) -> f.append("\n  ").append(sig));
                failures.forEach((sig, ex) -> f.append("\n\n* ").append(sig).append("\n").append(ex));
                java.nio.file.Path report = java.nio.file.Path.of("target", getClass().getSimpleName() + "-failures.txt");
                try {
                    if (java.nio.file.Files.isDirectory(report.getParent())) {
                        java.nio.file.Files.writeString(report, f);
                        f.insert(0, "(also written to " + report.toAbsolutePath() + ")\n");
                    }
                } catch (java.io.IOException ignored) {
                    // the message below carries the same text
                }
                throw new AssertionError(f.toString());
            }
            if (tries.get() >= TRIES) {
                counts.forEach((n, c) -> {
                    if (c.get() < MIN_CASES) {
                        throw new AssertionError("only " + c.get() + " bad-input cases ran on " + n + "; the "
                                + "default run must make at least " + MIN_CASES);
                    }
                });
            }
        } finally {
            backends.values().forEach(MapBackend::close);
            backends.clear();
        }
    }

    /** Types every backend of this kit supports. */
    private List<MapType> supportedTypes() {
        return TYPES.computeIfAbsent(String.join(",", backendNames()), k -> {
            List<MapType> out = new ArrayList<>();
            List<MapBackend> opened = new ArrayList<>();
            try {
                for (String n : backendNames()) {
                    opened.add(open(n));
                }
                for (MapType t : MapType.values()) {
                    if (opened.stream().allMatch(b -> b.isSupported(t))) {
                        out.add(t);
                    }
                }
            } finally {
                opened.forEach(MapBackend::close);
            }
            return List.copyOf(out);
        });
    }

    @Provide
    Arbitrary<FuzzCase> cases() {
        return FuzzGenerators.cases(supportedTypes(), 20, 80);
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
    void everyBadInputEndsInADocumentedOutcome(@ForAll("cases") FuzzCase c) {
        tries.incrementAndGet();
        Map<String, List<String>> results = new LinkedHashMap<>();
        boolean first = true;
        for (Map.Entry<String, FuzzRunner> e : runners.entrySet()) {
            if (!first && c.spec().kernelMemoryEstimate(backends.get(e.getKey()).possibleCpus())
                    > KERNEL_MEMORY_LIMIT) {
                firstOnly.incrementAndGet();
                break;
            }
            first = false;
            long t0 = System.nanoTime();
            List<String> r;
            try {
                r = e.getValue().run(c);
            } catch (AssertionError failure) {
                String msg = String.valueOf(failure.getMessage());
                record(e.getKey() + ": " + c.spec().type() + " " + failureSignature(msg),
                        e.getKey() + ": " + msg + "\n  spec " + c.spec());
                return;
            }
            runNanos.computeIfAbsent(e.getKey(), k -> new AtomicLong()).addAndGet(System.nanoTime() - t0);
            counts.get(e.getKey()).addAndGet(r.size());
            results.put(e.getKey(), r);
        }
        if (results.size() < 2) {
            return;
        }
        List<String> names = new ArrayList<>(results.keySet());
        List<String> a = results.get(names.get(0));
        List<String> b = results.get(names.get(1));
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "(no call)";
            String y = i < b.size() ? b.get(i) : "(no call)";
            if (!x.equals(y)) {
                StringBuilder sb = new StringBuilder("backends disagree at call " + i + " of spec " + c.spec()
                        + "\n  " + names.get(0) + ": " + x + "\n  " + names.get(1) + ": " + y + "\n  calls so far:");
                sb.append("\n    ").append(a.get(0));
                if (i > 9) {
                    sb.append("\n    ... ").append(i - 9).append(" calls ...");
                }
                for (int j = Math.max(1, i - 8); j <= i && j < a.size(); j++) {
                    sb.append("\n    ").append(a.get(j));
                }
                record(signature(c, x) + " | " + signature(c, y), sb.toString());
                return; // later calls may differ only because of this one
            }
        }
    }

    /**
     * Records a failure under a signature (operation kind, type and outcomes) and goes on, so that one run
     * finds every distinct disagreement; the property fails after the last try, listing each with its first
     * reproduction.
     */
    private void record(String signature, String example) {
        synchronized (failures) {
            failureCount.incrementAndGet();
            failures.putIfAbsent(signature, example);
        }
    }

    private static String failureSignature(String msg) {
        String m = msg.startsWith("contract broken on ") ? msg.substring(msg.indexOf(": ") + 2) : msg;
        String op = m.split(" ", 2)[0];
        int gave = m.lastIndexOf(" gave ");
        if (gave >= 0) {
            return op + " ->" + m.substring(gave + 5);
        }
        int u = m.indexOf(": undocumented ");
        if (u >= 0) {
            return op + " -> " + m.substring(u + 2).split(":", 2)[0];
        }
        return op + " -> " + m.substring(m.indexOf(": ") + 2).split(" ", 3)[0];
    }

    private static String signature(FuzzCase c, String line) {
        String op = line.split(" ", 2)[0];
        int arrow = line.indexOf(" -> ");
        String outcome = arrow < 0 ? line : line.substring(arrow + 4);
        if (outcome.startsWith("ok")) {
            outcome = "ok";
        }
        return c.spec().type() + " " + op + " -> " + outcome;
    }
}
