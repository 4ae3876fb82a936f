package org.bpfmaps.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import org.bpfmaps.MapBackend;

/**
 * {@code bpfmaps}: bpftool's {@code map} language on a bpfmaps backend.
 *
 * <pre>
 * bpfmaps [--backend linux|simulator] [--cpu N] [-j|--json] [-p|--pretty] map COMMAND ...
 * bpfmaps [OPTIONS] feature probe [kernel]
 * bpfmaps [OPTIONS] batch file FILE          (FILE "-" reads stdin)
 * </pre>
 *
 * The backend is, in order: {@code --backend NAME}; the environment variable {@code BPFMAPS_BACKEND};
 * {@code linux} when its provider is available. Without any of them the command fails and names
 * {@code --backend simulator}; it never switches to the simulator by itself. A simulator backend lives as long
 * as the process, so maps created by one {@code bpfmaps} process are gone in the next, unless the simulator keeps
 * its pinned maps in a state directory ({@code --backend-option state.dir=DIR}, or {@code state.dir=default});
 * {@code batch} runs several commands on one simulated kernel either way.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err, System.getenv());
        System.exit(code);
    }

    /** Runs one command line in-process and returns its exit code (0..255). */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, in, out, err, env, null);
    }

    /**
     * As {@link #run(String[], InputStream, PrintStream, PrintStream, Map)} on a backend the caller owns and
     * keeps open between calls (for tests and embedding); {@code --backend} is then ignored.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                          MapBackend backend) {
        Cli cli = new Cli(in, out, err, env, backend);
        try {
            return cli.main(args);
        } finally {
            cli.close();
        }
    }
}
