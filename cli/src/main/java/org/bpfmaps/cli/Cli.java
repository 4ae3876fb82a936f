package org.bpfmaps.cli;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.BackendSelectionException;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.spi.MapBackendProvider;

/**
 * One run of the {@code bpfmaps} command: global options, backend choice, the top-level commands
 * ({@code map}, {@code feature}, {@code batch}, {@code help}, {@code version}) and the error and exit-code
 * conventions of bpftool.
 *
 * <p>Commands return bpftool's return value: {@code 0}, {@code -1} for a usage or parse error, or the
 * negative errno of the failing system call; the process exit code is that value {@code & 0xff} (so ENOENT
 * gives 254, EEXIST 239, E2BIG 249, EPERM and generic errors 255). Output goes to stdout in text and JSON
 * mode; text-mode errors go to stderr as {@code Error: ...}, JSON-mode errors to stdout as
 * {@code {"error":"..."}}.
 */
final class Cli {
    /** Name printed in help texts. */
    static final String BIN = "bpfmaps";
    /** Environment variable naming the backend when {@code --backend} is absent. */
    static final String BACKEND_ENV = BpfMaps.BACKEND_ENV;

    /** Thrown by bpftool's {@code usage()}: print the current help and leave with 255. */
    static final class UsageExit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageExit() {
            super(null, null, false, false);
        }
    }

    /** Leaves the whole run with an exit code (bpftool's {@code exit()} paths). */
    static final class Exit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Exit(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /** A command: bpftool's {@code struct cmd}. */
    interface Command {
        int run(Args args);
    }

    record Entry(String name, Command command) {
    }

    final PrintStream out;
    final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final MapBackend injected;

    JsonWriter json;
    /** {@code -f}: show the paths maps are pinned at. */
    boolean showPinned;
    private String backendName;
    private final Map<String, String> backendOptions = new HashMap<>();
    private Integer cpu;
    private MapBackend backend;
    private Command lastHelp;
    private final MapCommands maps;

    Cli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, MapBackend injected) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.injected = injected;
        this.maps = new MapCommands(this);
    }

    // ---- entry --------------------------------------------------------------------------------------

    /** Runs one command line and returns the exit code. */
    int main(String[] argv) {
        int ret;
        try {
            ret = mainInner(argv);
        } catch (UsageExit e) {
            ret = usageExit();
        } catch (Exit e) {
            finishJson();
            ret = e.code;
        } finally {
            out.flush();
            err.flush();
        }
        return ret & 0xff;
    }

    private int usageExit() {
        try {
            if (lastHelp != null) {
                lastHelp.run(new Args(new String[0], 0));
            } else {
                topHelp();
            }
        } catch (RuntimeException ignored) {
            // help must not hide the usage error
        }
        finishJson();
        return 255;
    }

    private void finishJson() {
        if (json != null) {
            json.closeAll();
            json.finish();
            json = null;
        }
    }

    private int mainInner(String[] argv) {
        List<String> operands = new ArrayList<>();
        boolean pretty = false;
        boolean version = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                for (i++; i < argv.length; i++) {
                    operands.add(argv[i]);
                }
                break;
            }
            if (a.startsWith("--")) {
                String body = a.substring(2);
                String inlineValue = null;
                int eq = body.indexOf('=');
                if (eq >= 0) {
                    inlineValue = body.substring(eq + 1);
                    body = body.substring(0, eq);
                }
                String opt = longOption(body);
                if (opt == null) {
                    return unrecognized(a);
                }
                String value = null;
                if (opt.equals("backend") || opt.equals("backend-option") || opt.equals("cpu")
                        || opt.equals("base-btf")) {
                    if (inlineValue != null) {
                        value = inlineValue;
                    } else if (i + 1 < argv.length) {
                        value = argv[++i];
                    } else {
                        return unrecognized(a);
                    }
                } else if (inlineValue != null) {
                    return unrecognized(a);
                }
                switch (opt) {
                    case "json" -> json = new JsonWriter(out, pretty);
                    case "bpffs" -> showPinned = true;
                    case "pretty" -> {
                        pretty = true;
                        json = new JsonWriter(out, true);
                    }
                    case "help" -> {
                        return topHelp();
                    }
                    case "version" -> version = true;
                    case "backend" -> backendName = value;
                    case "backend-option" -> {
                        int at = value.indexOf('=');
                        if (at <= 0) {
                            error("--backend-option takes KEY=VALUE, got: %s", value);
                            return -1;
                        }
                        backendOptions.put(value.substring(0, at), value.substring(at + 1));
                    }
                    case "cpu" -> {
                        Long n = Numbers.strtoul(value, 10);
                        if (n == null || n < 0 || n > Integer.MAX_VALUE || value.isEmpty()) {
                            error("can't parse %s as a CPU number", value);
                            return -1;
                        }
                        cpu = (int) (long) n;
                    }
                    default -> {
                        // mapcompat, nomount, debug, use-loader, legacy, base-btf: accepted, no effect
                    }
                }
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    switch (c) {
                        case 'j' -> json = new JsonWriter(out, pretty);
                        case 'p' -> {
                            pretty = true;
                            json = new JsonWriter(out, true);
                        }
                        case 'h' -> {
                            return topHelp();
                        }
                        case 'V' -> version = true;
                        case 'f' -> showPinned = true;
                        case 'L', 'm', 'n', 'd', 'l' -> {
                            // accepted for compatibility, no effect
                        }
                        case 'B' -> {
                            if (k + 1 < a.length()) {
                                k = a.length();
                            } else if (i + 1 < argv.length) {
                                i++;
                            } else {
                                return unrecognized(a);
                            }
                        }
                        default -> {
                            return unrecognized(a);
                        }
                    }
                }
                continue;
            }
            operands.add(a);
        }
        String[] words = operands.toArray(new String[0]);
        int ret;
        if (version) {
            // bpftool answers -V before its JSON writer is finished: no closing newline
            ret = version();
            json = null;
            return ret;
        } else {
            ret = runTop(words);
        }
        finishJson();
        return ret;
    }

    private static final String[] LONG_OPTIONS = {"json", "help", "pretty", "version", "bpffs", "mapcompat",
        "nomount", "debug", "use-loader", "base-btf", "legacy", "backend", "backend-option", "cpu"};

    private static String longOption(String body) {
        String found = null;
        for (String o : LONG_OPTIONS) {
            if (o.equals(body)) {
                return o;
            }
            if (!body.isEmpty() && o.startsWith(body)) {
                if (found != null) {
                    return null;
                }
                found = o;
            }
        }
        return found;
    }

    private int unrecognized(String arg) {
        error("unrecognized option '%s'", arg);
        if (json != null) {
            throw new Exit(255);
        }
        throw new UsageExit();
    }

    // ---- dispatch -----------------------------------------------------------------------------------

    private List<Entry> top() {
        return List.of(
            new Entry("help", a -> topHelpCommand(a)),
            new Entry("batch", this::batch),
            new Entry("prog", a -> notSupported("prog")),
            new Entry("map", a -> onCpu(x -> select(maps.commands(), x, maps::help), a)),
            new Entry("link", a -> notSupported("link")),
            new Entry("cgroup", a -> notSupported("cgroup")),
            new Entry("perf", a -> notSupported("perf")),
            new Entry("net", a -> notSupported("net")),
            new Entry("feature", this::feature),
            new Entry("btf", a -> notSupported("btf")),
            new Entry("gen", a -> notSupported("gen")),
            new Entry("struct_ops", a -> notSupported("struct_ops")),
            new Entry("iter", a -> notSupported("iter")),
            new Entry("version", a -> version()));
    }

    /**
     * bpftool's {@code cmd_select}: with no words run the first command; otherwise the first command the word
     * is a prefix of; otherwise print help and fail.
     */
    int select(List<Entry> commands, Args args, Command help) {
        lastHelp = help;
        if (args.argc() < 1) {
            return commands.get(0).command().run(args);
        }
        String word = args.cur();
        for (Entry e : commands) {
            if (Args.isPrefix(word, e.name())) {
                Args rest = args.rest();
                rest.skip(1);
                return e.command().run(rest);
            }
        }
        Args rest = args.rest();
        rest.skip(1);
        help.run(rest);
        return -1;
    }

    /**
     * One top-level command. Failures the commands do not report themselves (a backend refusing something
     * bpftool's kernel calls never see, a backend bug) still end as bpftool ends: an error message and a
     * non-zero exit code, never a Java stack trace.
     */
    private int runTop(String[] words) {
        try {
            return select(top(), new Args(words, 0), this::topHelpCommand);
        } catch (UsageExit | Exit e) {
            throw e;
        } catch (BpfException e) {
            error("%s", e.getMessage());
            return -e.errno();
        } catch (RuntimeException e) {
            error("%s", e.toString());
            return -1;
        }
    }

    private int notSupported(String object) {
        error("'%s' is not supported by %s: only map, feature, batch, help and version are", object, BIN);
        return -1;
    }

    // ---- errors -------------------------------------------------------------------------------------

    /** bpftool's {@code p_err}. */
    void error(String format, Object... args) {
        String msg = args.length == 0 ? format : String.format(format, args);
        if (json != null) {
            json.startObject();
            json.name("error");
            json.unescaped(msg);
            json.endObject();
        } else {
            err.print("Error: " + msg + "\n");
        }
    }

    /** bpftool's {@code p_info}: stderr in text mode, nothing in JSON mode. */
    void info(String msg) {
        if (json == null) {
            err.print(msg + "\n");
        }
    }

    /** The C library's text for an errno. */
    static String strerror(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.UNKNOWN ? "Unknown error " + errno : e.description();
    }

    /** The C library's text for a backend failure. */
    static String strerror(BpfException e) {
        return strerror(e.errno());
    }

    /** bpftool's return value for a failed system call: the negative errno. */
    static int fail(BpfException e) {
        return -e.errno();
    }

    // ---- backend ------------------------------------------------------------------------------------

    /**
     * The backend, opened on first use. The choice, in order: {@code --backend NAME}; the environment variable
     * {@value #BACKEND_ENV}; {@code linux} when its provider is available. Never falls back to the simulator:
     * without a usable linux backend and no name given, the command fails and says how to choose one.
     */
    MapBackend backend() {
        if (backend != null) {
            return backend;
        }
        if (injected != null) {
            backend = injected;
            return backend;
        }
        String name;
        try {
            name = chooseBackend(backendName, env.get(BACKEND_ENV), BpfMaps.providers());
        } catch (IllegalStateException e) {
            error("%s", e.getMessage());
            throw new Exit(255);
        }
        try {
            backend = BpfMaps.open(name, backendOptions);
        } catch (BackendSelectionException e) {
            error("%s", e.getMessage());
            throw new Exit(255);
        } catch (IllegalArgumentException e) {
            error("can't open backend '%s': %s", name, e.getMessage());
            throw new Exit(255);
        } catch (RuntimeException e) {
            error("can't open backend '%s': %s", name, e.getMessage());
            throw new Exit(255);
        }
        return backend;
    }

    /**
     * The backend name: {@code flag} ({@code --backend}) when given; else {@code env}
     * ({@value #BACKEND_ENV}) when set and not blank; else {@code linux} when that provider is installed and
     * available.
     *
     * @throws IllegalStateException when none applies, with a message that says why linux cannot be used and
     *                               names {@code --backend simulator}
     */
    static String chooseBackend(String flag, String env, List<MapBackendProvider> installed) {
        if (flag != null) {
            return flag;
        }
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Optional<MapBackendProvider> linux = installed.stream().filter(p -> p.name().equals("linux")).findFirst();
        if (linux.isEmpty()) {
            throw new IllegalStateException("the linux backend is not installed; choose a backend with "
                    + "--backend simulator (or " + BACKEND_ENV + "=simulator)");
        }
        if (!linux.get().isAvailable()) {
            String why = linux.get().unavailabilityCause().map(Throwable::getMessage).orElse("no reason given");
            throw new IllegalStateException("the linux backend is not available (" + why + "); choose a backend "
                    + "with --backend simulator (or " + BACKEND_ENV + "=simulator)");
        }
        return "linux";
    }

    /** Runs {@code body} on the CPU chosen with {@code --cpu}, if any. */
    int onCpu(Command body, Args args) {
        if (cpu == null) {
            return body.run(args);
        }
        MapBackend b = backend();
        if (cpu >= b.possibleCpus()) {
            error("CPU %d is not a possible CPU (the backend has %d)", cpu, b.possibleCpus());
            return -1;
        }
        return b.onCpu(cpu, () -> body.run(args));
    }

    /** Closes a backend this run opened (not an injected one). */
    void close() {
        if (backend != null && backend != injected) {
            try {
                backend.close();
            } catch (RuntimeException ignored) {
                // nothing useful to report at exit
            }
        }
    }

    // ---- help and version ---------------------------------------------------------------------------

    private int topHelpCommand(Args a) {
        return topHelp();
    }

    private int topHelp() {
        if (json != null) {
            json.nullValue();
            return 0;
        }
        err.print("Usage: " + BIN + " [OPTIONS] OBJECT { COMMAND | help }\n"
                + "       " + BIN + " batch file FILE\n"
                + "       " + BIN + " version\n"
                + "\n"
                + "       OBJECT := { map | feature }\n"
                + "       OPTIONS := { {-j|--json} [{-p|--pretty}] | --backend { linux | simulator } |\n"
                + "                    --backend-option KEY=VALUE | --cpu N | {-V|--version} }\n"
                + "       simulator options: cpus=N, bpffs.root=PATH (default /sys/fs/bpf),\n"
                + "                          state.dir={ DIR | default } to keep pinned maps between runs\n");
        return 0;
    }

    private int version() {
        String v = Optional.ofNullable(Cli.class.getPackage().getImplementationVersion()).orElse("0.1.0");
        if (json != null) {
            json.startObject();
            json.name("version").string(v);
            json.name("bpftool_compatible").string("7.1.0");
            json.endObject();
        } else {
            out.print(BIN + " v" + v + "\n");
            out.print("speaks the map language of bpftool v7.1.0\n");
        }
        return 0;
    }

    // ---- feature probe ------------------------------------------------------------------------------

    /** The map types bpftool v7.1 (libbpf 1.1) names, in enum order. */
    static final int LAST_PROBED_TYPE = MapType.USER_RINGBUF.id();

    private int feature(Args a) {
        List<Entry> cmds = List.of(new Entry("probe", this::probe), new Entry("help", this::featureHelp));
        return select(cmds, a, this::featureHelp);
    }

    private int featureHelp(Args a) {
        if (json != null) {
            json.nullValue();
            return 0;
        }
        err.print("Usage: " + BIN + " feature probe [kernel]\n"
                + "       " + BIN + " feature help\n"
                + "\n"
                + "       Prints the map-type section of bpftool's feature probe for the chosen backend.\n");
        return 0;
    }

    private int probe(Args a) {
        if (a.argc() > 0) {
            if (Args.isPrefix(a.cur(), "kernel")) {
                a.skip(1);
            } else {
                error("%s feature probe only supports 'kernel' (map types), got: %s", BIN, a.cur());
                return -1;
            }
        }
        if (a.argc() > 0) {
            error("%s feature probe takes no options besides 'kernel', got: %s", BIN, a.cur());
            return -1;
        }
        MapBackend b = backend();
        if (json != null) {
            json.startObject();
            json.name("map_types");
            json.startObject();
        } else {
            out.print("Scanning eBPF map types...\n");
        }
        for (int id = 1; id <= LAST_PROBED_TYPE; id++) {
            MapType t = MapType.ofId(id);
            boolean ok;
            try {
                ok = b.isSupported(t);
            } catch (RuntimeException e) {
                ok = false;
            }
            if (json != null) {
                json.name("have_" + t.bpftoolName() + "_map_type").bool(ok);
            } else {
                out.print("eBPF map_type " + t.bpftoolName() + " is " + (ok ? "" : "NOT ") + "available\n");
            }
        }
        if (json != null) {
            json.endObject();
            json.endObject();
        } else {
            out.print("\n");
        }
        return 0;
    }

    // ---- batch --------------------------------------------------------------------------------------

    private static final int BATCH_LINE_LEN_MAX = 65536;

    private int batch(Args a) {
        if (a.argc() < 2) {
            error("too few parameters for batch");
            return -1;
        } else if (!Args.isPrefix(a.cur(), "file")) {
            error("expected 'file', got: %s", a.cur());
            return -1;
        } else if (a.argc() > 2) {
            error("too many parameters for batch");
            return -1;
        }
        a.next();
        String file = a.cur();
        BufferedReader reader;
        try {
            InputStream src = file.equals("-") ? in : Files.newInputStream(Path.of(file));
            reader = new BufferedReader(new InputStreamReader(src, StandardCharsets.UTF_8));
        } catch (NoSuchFileException | FileNotFoundException e) {
            error("Can't open file (%s): %s", file, "No such file or directory");
            return -1;
        } catch (AccessDeniedException e) {
            error("Can't open file (%s): %s", file, "Permission denied");
            return -1;
        } catch (IOException | RuntimeException e) {
            error("Can't open file (%s): %s", file, e.getMessage());
            return -1;
        }
        int err = 0;
        int lines = 0;
        if (json != null) {
            json.startArray();
        }
        boolean completed = false;
        try {
            String buf;
            while ((buf = readLine(reader)) != null) {
                buf = stripComment(buf);
                if (buf.length() >= BATCH_LINE_LEN_MAX - 1) {
                    // bpftool's fgets buffer filled up: it stops reading and reports E2BIG
                    error("reading batch file failed: %s", strerror(Errno.E2BIG.number()));
                    err = -1;
                    return err;
                }
                while (buf.endsWith("\\\n")) {
                    String cont = readLine(reader);
                    if (cont == null || cont.isEmpty()) {
                        error("missing continuation line on command %d", lines);
                        err = -1;
                        return err;
                    }
                    cont = stripComment(cont);
                    if (buf.length() + cont.length() + 1 > BATCH_LINE_LEN_MAX) {
                        error("command %d is too long", lines);
                        err = -1;
                        return err;
                    }
                    buf = buf.substring(0, buf.length() - 2) + cont;
                }
                List<String> words = splitWords(buf, lines);
                if (words == null) {
                    err = -1;
                    return err;
                }
                if (words.isEmpty()) {
                    continue;
                }
                if (json != null) {
                    json.startObject();
                    json.name("command");
                    json.startArray();
                    for (String w : words) {
                        json.string(w);
                    }
                    json.endArray();
                    json.name("output");
                }
                err = runTop(words.toArray(new String[0]));
                if (json != null) {
                    json.endObject();
                }
                if (err != 0) {
                    return err;
                }
                lines++;
            }
            if (json == null) {
                out.print("processed " + lines + " commands\n");
            }
            completed = true;
            return 0;
        } catch (IOException e) {
            error("reading batch file failed: %s", e.getMessage());
            completed = true;
            return -1;
        } finally {
            if (!file.equals("-")) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read-only file
                }
            }
            if (json != null && (completed || err != 0)) {
                json.endArray();
            }
        }
    }

    /** One line as {@code fgets} returns it: with its newline, if it had one. */
    private static String readLine(BufferedReader r) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = r.read()) >= 0) {
            sb.append((char) c);
            if (c == '\n') {
                break;
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash >= 0 ? line.substring(0, hash) : line;
    }

    /**
     * Splits a batch line into words as bpftool does: blanks ({@code " \t\r\n"}) separate words; a word that
     * starts with a single or double quote runs to the next same quote, blanks included; there are no escapes.
     */
    List<String> splitWords(String line, int commandNumber) {
        List<String> words = new ArrayList<>();
        String ws = " \t\r\n";
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && ws.indexOf(line.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                break;
            }
            char c = line.charAt(i);
            if (c == '\'' || c == '"') {
                int end = line.indexOf(c, i + 1);
                if (end < 0) {
                    error("unterminated quoted string in command %d", commandNumber);
                    return null;
                }
                words.add(line.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = i;
                while (end < n && ws.indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                words.add(line.substring(i, end));
                i = end + 1;
            }
        }
        return words;
    }
}
