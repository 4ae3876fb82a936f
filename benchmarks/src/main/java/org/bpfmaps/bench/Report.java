package org.bpfmaps.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Prints the ratio table from one run: the C floor's TSV, JMH's CSV and, when present, the ring buffer floor's
 * and the FFM prototype's output.
 *
 * <p>Usage: {@code Report FLOOR_TSV JMH_CSV [RINGBUF_FLOOR_TSV|-] [FFM_TSV|-]}. Map operations: linux / C floor,
 * simulator / ConcurrentHashMap (like for like, bytes keys), linux / simulator, and JMH's GC profiler's
 * {@code gc.alloc.rate.norm} (bytes allocated per operation) for both backends when the run used
 * {@code -prof gc}. Then the program view, ring buffer consume, the JNA breakdown and the FFM prototype.
 * Missing measurements print as {@code -}.
 */
public final class Report {
    private static final String NL = System.lineSeparator();

    private Report() {
    }

    /** Entry point. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 5) {
            System.err.println("usage: Report FLOOR_TSV JMH_CSV [RINGBUF_FLOOR_TSV|-] [FFM_TSV|-] [BREAKDOWN_TSV|-]");
            System.exit(2);
        }
        List<String> ring = args.length > 2 ? optional(args[2]) : List.of();
        List<String> ffm = new ArrayList<>(args.length > 4 ? optional(args[4]) : List.of());
        ffm.addAll(args.length > 3 ? optional(args[3]) : List.of());
        System.out.print(render(Files.readAllLines(Path.of(args[0])), Files.readAllLines(Path.of(args[1])), ring,
                ffm));
    }

    private static List<String> optional(String file) throws IOException {
        if (file.equals("-") || !Files.exists(Path.of(file))) {
            return List.of();
        }
        return Files.readAllLines(Path.of(file));
    }

    /** The map-operation table alone (floor and JMH). */
    static String render(List<String> floorLines, List<String> csvLines) {
        return render(floorLines, csvLines, List.of(), List.of());
    }

    /** The whole report as text. */
    static String render(List<String> floorLines, List<String> csvLines, List<String> ringLines,
                         List<String> ffmLines) {
        Map<String, Double> floor = new LinkedHashMap<>();
        for (String line : floorLines) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                floor.put(f[0] + "/" + f[1], Double.parseDouble(f[2]));
            }
        }
        // key: class.method[:secondary] / backend / type  (absent params are empty)
        Map<String, Double> jmh = new LinkedHashMap<>();
        TreeSet<String> rows = new TreeSet<>();
        List<String> header = csvLines.isEmpty() ? List.of() : csv(csvLines.get(0));
        int backendCol = header.indexOf("Param: backend");
        int typeCol = header.indexOf("Param: type");
        for (int i = 1; i < csvLines.size(); i++) {
            List<String> c = csv(csvLines.get(i));
            if (c.size() < 7) {
                continue;
            }
            String bench = c.get(0);
            String secondary = "";
            int colon = bench.indexOf(':');
            if (colon >= 0) {
                secondary = bench.substring(colon + 1).replace('\u00b7', ' ').trim();
                bench = bench.substring(0, colon);
            }
            String[] parts = bench.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            String backend = backendCol >= 0 && backendCol < c.size() ? c.get(backendCol) : "";
            String type = typeCol >= 0 && typeCol < c.size() ? c.get(typeCol) : "";
            double score;
            try {
                score = Double.parseDouble(c.get(4));
            } catch (NumberFormatException e) {
                continue;
            }
            jmh.put(key(name, secondary, backend, type), score);
            if (name.startsWith("MapOpsBenchmark.") && secondary.isEmpty()) {
                rows.add(type + "/" + parts[parts.length - 1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        mapOps(sb, floor, jmh, rows);
        programView(sb, jmh);
        ringBuffer(sb, jmh, ringLines);
        jna(sb, floor, jmh);
        ffm(sb, floor, ffmLines);
        return sb.toString();
    }

    private static String key(String name, String secondary, String backend, String type) {
        return name + (secondary.isEmpty() ? "" : ":" + secondary) + "/" + backend + "/" + type;
    }

    private static void mapOps(StringBuilder sb, Map<String, Double> floor, Map<String, Double> jmh,
                               TreeSet<String> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %9s %8s %8s %8s %9s %9s%n", "map operation", "C floor",
                "linux", "simulator", "lin/C", "sim/CHM", "lin/sim", "lin B/op", "sim B/op"));
        for (String row : rows) {
            String type = row.substring(0, row.indexOf('/'));
            String method = row.substring(row.indexOf('/') + 1);
            String name = "MapOpsBenchmark." + method;
            Double c = floor.get(row);
            Double lin = jmh.get(key(name, "", "linux", type));
            Double sim = jmh.get(key(name, "", "simulator", type));
            Double chm = method.equals("lookupHit") || method.equals("lookupMiss")
                    ? jmh.get(key("BaselineBenchmark.chmBytesGet", "", "", ""))
                    : method.equals("update") ? jmh.get(key("BaselineBenchmark.chmBytesPut", "", "", "")) : null;
            Double linAlloc = jmh.get(key(name, "gc.alloc.rate.norm", "linux", type));
            Double simAlloc = jmh.get(key(name, "gc.alloc.rate.norm", "simulator", type));
            sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %9s %8s %8s %8s %9s %9s%n", row, num(c), num(lin),
                    num(sim), ratio(lin, c), ratio(sim, chm), ratio(lin, sim), bytes(linAlloc), bytes(simAlloc)));
        }
        sb.append("(ns per operation, batch rows per element; sim/CHM against ConcurrentHashMap with byte-array keys;")
                .append(NL).append(" B/op: JMH -prof gc gc.alloc.rate.norm, ByteBuffer forms; batch rows per element)")
                .append(NL);
        Double chmIntGet = jmh.get(key("BaselineBenchmark.chmIntegerGet", "", "", ""));
        Double chmBytesGet = jmh.get(key("BaselineBenchmark.chmBytesGet", "", "", ""));
        Double simHit = jmh.get(key("MapOpsBenchmark.lookupHit", "", "simulator", "HASH"));
        for (String b : List.of("chmIntegerGet", "chmIntegerPut", "chmBytesGet", "chmBytesPut", "arrayGet")) {
            Double v = jmh.get(key("BaselineBenchmark." + b, "", "", ""));
            if (v != null) {
                sb.append(String.format(Locale.ROOT, "  baseline %-22s %9s ns%n", b, num(v)));
            }
        }
        if (simHit != null) {
            sb.append(String.format(Locale.ROOT, "  simulator HASH lookupHit / chmBytesGet %s, / chmIntegerGet %s"
                    + " (target <= 1.50x)%n", ratio(simHit, chmBytesGet), ratio(simHit, chmIntGet)));
        }
        sb.append(NL);
    }

    private static void programView(StringBuilder sb, Map<String, Double> jmh) {
        String[] methods = {"programLookup", "programUpdate", "syscallLookup"};
        if (jmh.get(key("ProgramViewBenchmark.programLookup", "", "linux", "")) == null
                && jmh.get(key("ProgramViewBenchmark.programLookup", "", "simulator", "")) == null) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %8s %9s %9s%n", "program view (HASH, CPU 0)", "linux",
                "simulator", "lin/sim", "lin B/op", "sim B/op"));
        for (String m : methods) {
            String name = "ProgramViewBenchmark." + m;
            Double lin = jmh.get(key(name, "", "linux", ""));
            Double sim = jmh.get(key(name, "", "simulator", ""));
            sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %8s %9s %9s%n", m, num(lin), num(sim),
                    ratio(lin, sim), bytes(jmh.get(key(name, "gc.alloc.rate.norm", "linux", ""))),
                    bytes(jmh.get(key(name, "gc.alloc.rate.norm", "simulator", "")))));
        }
        Double pl = jmh.get(key("ProgramViewBenchmark.programLookup", "", "linux", ""));
        Double sl = jmh.get(key("ProgramViewBenchmark.syscallLookup", "", "linux", ""));
        sb.append(String.format(Locale.ROOT, "  linux program lookup / syscall lookup %s (byte[] forms)%n%n",
                ratio(pl, sl)));
    }

    private static void ringBuffer(StringBuilder sb, Map<String, Double> jmh, List<String> ringLines) {
        Double floorHot = null;
        for (String line : ringLines) {
            String[] f = line.split("\t");
            if (f.length == 5 && f[0].equals("hot")) {
                floorHot = Double.parseDouble(f[4]); // median ns per record
            }
        }
        String name = "RingBufferBenchmark.consume";
        Double lin = median(jmh, name, "linux");
        Double sim = median(jmh, name, "simulator");
        if (lin == null && sim == null && floorHot == null) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %9s %8s %8s%n", "ringbuf consume (64 B, hot)",
                "C floor", "linux", "simulator", "lin/C", "lin/sim"));
        sb.append(String.format(Locale.ROOT, "%-28s %9s %9s %9s %8s %8s%n", "ns per record (median)", num(floorHot),
                num(lin), num(sim), ratio(lin, floorHot), ratio(lin, sim)));
        sb.append("  (C floor: libbpf ring_buffer__consume, ringbuf_floor 400 262144 hot)").append(NL).append(NL);
    }

    private static Double median(Map<String, Double> jmh, String name, String backend) {
        Double m = jmh.get(key(name, "p0.50", backend, ""));
        return m != null ? m : jmh.get(key(name, "", backend, ""));
    }

    private static void jna(StringBuilder sb, Map<String, Double> floor, Map<String, Double> jmh) {
        String[] parts = {"jnaBpfLookup", "jnaBpfLookupAttr", "jnaBpfLookupLean", "jnaBpfLookupErrno",
            "bpfmapsLookup", "jnaSchedGetcpu", "jnaGetLastError", "scratchGet", "useCount", "copies"};
        Map<String, Double> v = new HashMap<>();
        for (String p : parts) {
            Double d = jmh.get(key("JnaFloorBenchmark." + p, "", "", ""));
            if (d != null) {
                v.put(p, d);
            }
        }
        if (v.isEmpty()) {
            return;
        }
        Double c = floor.get("HASH/lookupHit");
        sb.append("linux lookup, where the time goes (HASH lookup hit, ns per call)").append(NL);
        sb.append(String.format(Locale.ROOT, "  %-44s %9s%n", "C floor (libbpf bpf_map_lookup_elem)", num(c)));
        for (String p : parts) {
            if (v.containsKey(p)) {
                sb.append(String.format(Locale.ROOT, "  %-44s %9s %8s%n", p, num(v.get(p)),
                        p.startsWith("jnaBpf") || p.equals("bpfmapsLookup") ? ratio(v.get(p), c) : ""));
            }
        }
        Double raw = v.get("jnaBpfLookup");
        Double all = v.get("bpfmapsLookup");
        if (raw != null && c != null) {
            sb.append(String.format(Locale.ROOT, "  => JNA call above the C floor:      %9s ns%n", num(raw - c)));
        }
        if (raw != null && all != null) {
            sb.append(String.format(Locale.ROOT, "  => bpfmaps above the raw JNA call:  %9s ns%n", num(all - raw)));
        }
        sb.append(NL);
    }

    private static void ffm(StringBuilder sb, Map<String, Double> floor, List<String> lines) {
        // The floor runs (round mode) before and after each harness: keep the least per operation.
        Map<String, Double> c = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length == 3 && f[0].equals("HASH")) {
                c.merge(f[1], Double.parseDouble(f[2]), Math::min);
            }
        }
        harness(sb, c, lines, "breakdown", "Linux lookup step by step, JDK 17 (HASH lookup hit; least mean over ~1 ms"
                + " rounds, forms interleaved; ns)");
        harness(sb, c, lines, "ffm", "FFM prototype beside JNA and the library, JDK 25 (HASH; same estimator; ns)");
        harness(sb, c, lines, "simbreakdown", "Simulator lookup beside ConcurrentHashMap, built up (HASH hit; same"
                + " estimator; ns; last column: / row 2, the like-for-like CHM)");
    }

    private static void harness(StringBuilder sb, Map<String, Double> c, List<String> lines, String tag,
                                String title) {
        List<String[]> rows = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length == 4 && f[0].equals(tag)) {
                rows.add(f);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        sb.append(title).append(NL);
        if (tag.equals("simbreakdown")) {
            double ref = Double.parseDouble(rows.get(Math.min(1, rows.size() - 1))[2]);
            for (String[] f : rows) {
                double best = Double.parseDouble(f[2]);
                sb.append(String.format(Locale.ROOT, "  %-20s %9s %9s %8s%n", f[1], num(best),
                        num(Double.parseDouble(f[3])), ratio(best, ref)));
            }
            sb.append(NL);
            return;
        }
        sb.append(String.format(Locale.ROOT, "  %-20s %9s %9s %9s %8s%n", "form", "best", "median", "C best",
                "best/C"));
        for (String[] f : rows) {
            String op = f[1].endsWith("LookupBatch") ? "lookupBatch" : f[1].endsWith("UpdateBatch") ? "updateBatch"
                    : f[1].endsWith("Update") ? "update" : "lookupHit";
            double best = Double.parseDouble(f[2]);
            Double cb = c.get(op);
            sb.append(String.format(Locale.ROOT, "  %-20s %9s %9s %9s %8s%n", f[1], num(best),
                    num(Double.parseDouble(f[3])), num(cb), f[1].contains("Getcpu") ? "" : ratio(best, cb)));
        }
        if (tag.equals("ffm")) {
            sb.append("  (ffm*: java.lang.foreign syscall(); jnaSyscall: LibC.syscall; bpfmaps*: the library; batch")
                    .append(NL).append("   rows per element)").append(NL);
        }
        sb.append("  (C best: floor ITERS 2048 HASH in round mode, the least of a run before and one after)").append(NL)
                .append(NL);
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String bytes(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f", Math.max(0.0, d));
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
