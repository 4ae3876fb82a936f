package org.bpfmaps.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.bpfmaps.MapBackend;

/** Runs {@link Main} in-process with captured streams. */
final class CliRun {
    /** What one run printed and returned. */
    record Result(String out, String err, int code) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private CliRun() {
    }

    /** Runs with an empty environment (no BPFMAPS_BACKEND) unless {@code env} says otherwise. */
    static Result run(Map<String, String> env, MapBackend backend, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e,
                    env, backend);
        }
        return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), code);
    }

    static Result run(String... args) {
        return run(new HashMap<>(), null, "", args);
    }

    /** Runs on a backend the test owns (state kept between calls). */
    static Result on(MapBackend backend, String... args) {
        return run(new HashMap<>(), backend, "", args);
    }

    /** Runs {@code bpfmaps [prefix] batch file -} with {@code script} on stdin. */
    static Result batch(String script, String... prefix) {
        String[] args = new String[prefix.length + 3];
        System.arraycopy(prefix, 0, args, 0, prefix.length);
        args[prefix.length] = "batch";
        args[prefix.length + 1] = "file";
        args[prefix.length + 2] = "-";
        return run(new HashMap<>(), null, script, args);
    }
}
