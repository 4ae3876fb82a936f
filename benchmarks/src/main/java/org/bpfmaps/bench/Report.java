package org.bpfmaps.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Prints the ratio table from one run: the C floor's TSV and JMH's CSV results.
 *
 * <p>Usage: {@code Report FLOOR_TSV JMH_CSV}. Columns: linux / C floor, simulator / ConcurrentHashMap (like for
 * like, bytes keys), linux / simulator. Missing measurements print as {@code -}.
 */
public final class Report {
    private Report() {
    }

    /** Entry point. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Report FLOOR_TSV JMH_CSV");
            System.exit(2);
        }
        System.out.print(render(Files.readAllLines(Path.of(args[0])), Files.readAllLines(Path.of(args[1]))));
    }

    /** The table as text. */
    static String render(List<String> floorLines, List<String> csvLines) {
        Map<String, Double> floor = new LinkedHashMap<>();
        for (String line : floorLines) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                floor.put(f[0] + "/" + f[1], Double.parseDouble(f[2]));
            }
        }
        Map<String, Double> jmh = new LinkedHashMap<>();
        TreeSet<String> rows = new TreeSet<>();
        for (int i = 1; i < csvLines.size(); i++) {
            List<String> c = csv(csvLines.get(i));
            if (c.size() < 7) {
                continue;
            }
            String bench = c.get(0);
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            double score = Double.parseDouble(c.get(4));
            if (bench.contains("MapOpsBenchmark") && c.size() >= 9) {
                String backend = c.get(7);
                String type = c.get(8);
                jmh.put(backend + "/" + type + "/" + method, score);
                rows.add(type + "/" + method);
            } else {
                jmh.put("baseline/" + method, score);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s %9s %9s %9s%n", "operation", "C floor",
                "linux", "simulator", "lin/C", "sim/CHM", "lin/sim"));
        for (String row : rows) {
            Double c = floor.get(row);
            Double lin = jmh.get("linux/" + row);
            Double sim = jmh.get("simulator/" + row);
            String method = row.substring(row.indexOf('/') + 1);
            Double chm = method.equals("lookupHit") || method.equals("lookupMiss") ? jmh.get("baseline/chmBytesGet")
                    : method.equals("update") ? jmh.get("baseline/chmBytesPut") : null;
            sb.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s %9s %9s %9s%n", row, num(c), num(lin),
                    num(sim), ratio(lin, c), ratio(sim, chm), ratio(lin, sim)));
        }
        sb.append("(ns per operation; batch rows per element; sim/CHM against ConcurrentHashMap with byte-array keys)")
                .append(System.lineSeparator());
        for (Map.Entry<String, Double> e : jmh.entrySet()) {
            if (e.getKey().startsWith("baseline/")) {
                sb.append(String.format(Locale.ROOT, "  %-24s %10s ns%n", e.getKey().substring(9), num(e.getValue())));
            }
        }
        return sb.toString();
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f", d);
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
