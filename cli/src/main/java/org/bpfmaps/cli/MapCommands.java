package org.bpfmaps.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bpfmaps.Access;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.cli.PinTable.Pin;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.simulator.SimulatedKernel;

/**
 * The {@code map} commands with bpftool's grammar and output. Each method follows the matching bpftool
 * function step by step (argument checks first, then the map reference, then the element, then the call), so
 * that errors come out in the same order with the same words and exit codes.
 */
final class MapCommands {
    private static final int ENOENT = Errno.ENOENT.number();
    /** bpftool's {@code BPF_OBJ_NAME_LEN}. */
    private static final int OBJ_NAME_LEN = 16;

    private final Cli cli;
    /** For {@code show -f}: map id to the paths it is pinned at, in bpftool's order. */
    private Map<Integer, List<String>> pinned = Map.of();

    MapCommands(Cli cli) {
        this.cli = cli;
    }

    List<Cli.Entry> commands() {
        return List.of(
                new Cli.Entry("show", this::show),
                new Cli.Entry("list", this::show),
                new Cli.Entry("help", this::help),
                new Cli.Entry("dump", this::dump),
                new Cli.Entry("update", this::update),
                new Cli.Entry("lookup", this::lookup),
                new Cli.Entry("getnext", this::getnext),
                new Cli.Entry("delete", this::delete),
                new Cli.Entry("pin", this::pin),
                new Cli.Entry("event_pipe", a -> unsupported("event_pipe")),
                new Cli.Entry("create", this::create),
                new Cli.Entry("peek", this::lookup),
                new Cli.Entry("push", this::update),
                new Cli.Entry("enqueue", this::update),
                new Cli.Entry("pop", this::pop),
                new Cli.Entry("dequeue", this::pop),
                new Cli.Entry("freeze", this::freeze),
                new Cli.Entry("unpin", this::unpin));
    }

    private int unsupported(String what) {
        cli.error("'map %s' is not supported by %s", what, Cli.BIN);
        return -1;
    }

    int help(Args a) {
        if (cli.json != null) {
            cli.json.nullValue();
            return 0;
        }
        String b = Cli.BIN + " map";
        cli.err.print("Usage: " + b + " { show | list }   [MAP]\n"
                + "       " + b + " create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n"
                + "                                  entries MAX_ENTRIES name NAME [flags FLAGS] \\\n"
                + "                                  [inner_map MAP]\n"
                + "       " + b + " dump       MAP\n"
                + "       " + b + " update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
                + "       " + b + " lookup     MAP [key DATA]\n"
                + "       " + b + " getnext    MAP [key DATA]\n"
                + "       " + b + " delete     MAP  key DATA\n"
                + "       " + b + " pin        MAP  FILE\n"
                + "       " + b + " unpin      FILE\n"
                + "       " + b + " peek       MAP\n"
                + "       " + b + " push       MAP value VALUE\n"
                + "       " + b + " pop        MAP\n"
                + "       " + b + " enqueue    MAP value VALUE\n"
                + "       " + b + " dequeue    MAP\n"
                + "       " + b + " freeze     MAP\n"
                + "       " + b + " help\n"
                + "\n"
                + "       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
                + "       DATA := { [hex] BYTES }\n"
                + "       VALUE := DATA\n"
                + "       UPDATE_FLAGS := { any | exist | noexist }\n"
                + "       TYPE := a bpftool map type name, e.g. hash | array | percpu_hash | lru_hash | queue\n"
                + "       OPTIONS := { {-j|--json} [{-p|--pretty}] | --backend { linux | simulator } | --cpu N }\n");
        return 0;
    }

    // ---- map references -----------------------------------------------------------------------------

    /**
     * bpftool's {@code map_parse_fds}: {@code id N}, {@code name NAME} (every map with that name) or
     * {@code pinned PATH}. Returns {@code null} after reporting an error; an empty list when a name matched
     * nothing (bpftool says nothing then).
     */
    private List<BpfMap> parseMaps(Args a) {
        String w = a.cur();
        if (Args.isPrefix(w, "id")) {
            a.next();
            String s = a.cur();
            Long id = s == null ? null : Numbers.strtoul(s, 0);
            if (id == null) {
                cli.error("can't parse %s as ID", s);
                return null;
            }
            a.next();
            int n = (int) (long) id;
            try {
                return new ArrayList<>(List.of(cli.backend().openById(n)));
            } catch (BpfException e) {
                cli.error("get map by id (%s): %s", Integer.toUnsignedString(n), Cli.strerror(e));
                return null;
            }
        } else if (Args.isPrefix(w, "name")) {
            a.next();
            String name = a.cur();
            if (name == null || name.getBytes(StandardCharsets.UTF_8).length > OBJ_NAME_LEN - 1) {
                cli.error("can't parse name");
                return null;
            }
            a.next();
            return mapsByName(name);
        } else if (Args.isPrefix(w, "pinned")) {
            a.next();
            String path = a.cur();
            a.next();
            BpfMap m;
            try {
                m = cli.backend().openPinned(path);
            } catch (BpfException e) {
                String refusedKind = refusedObjectKind(e);
                if (refusedKind != null) {
                    cli.error("incorrect object type: %s", refusedKind);
                } else {
                    cli.error("bpf obj get (%s): %s", path, Cli.strerror(e));
                }
                return null;
            }
            String kind = objectType(m);
            if (!kind.equals("map")) {
                m.close();
                cli.error("incorrect object type: %s", kind);
                return null;
            }
            return new ArrayList<>(List.of(m));
        }
        cli.error("expected 'id', 'name' or 'pinned', got: '%s'?", w);
        return null;
    }

    private List<BpfMap> mapsByName(String name) {
        MapBackend b = cli.backend();
        List<BpfMap> found = new ArrayList<>();
        for (int id : b.mapIds()) {
            BpfMap m;
            try {
                m = b.openById(id);
            } catch (BpfException e) {
                if (e.errno() == ENOENT) {
                    continue; // destroyed since the id was listed
                }
                cli.error("can't get map by id (%s): %s", Integer.toUnsignedString(id), Cli.strerror(e));
                closeAll(found);
                return null;
            }
            String mapName;
            try {
                mapName = m.info().name();
            } catch (BpfException e) {
                cli.error("can't get map info (%s): %s", Integer.toUnsignedString(id), Cli.strerror(e));
                m.close();
                closeAll(found);
                return null;
            }
            if (name.equals(mapName)) {
                found.add(m);
            } else {
                m.close();
            }
        }
        return found;
    }

    /** bpftool's {@code map_parse_fd}: exactly one map, or {@code null} after reporting. */
    private BpfMap parseMap(Args a) {
        List<BpfMap> maps = parseMaps(a);
        if (maps == null) {
            return null;
        }
        if (maps.size() != 1) {
            if (maps.size() > 1) {
                cli.error("several maps match this handle");
                closeAll(maps);
            }
            return null;
        }
        return maps.get(0);
    }

    /** A map with its info, for the commands that need both. */
    private record Opened(BpfMap map, MapInfo info) {
    }

    private Opened parseMapAndInfo(Args a) {
        BpfMap m = parseMap(a);
        if (m == null) {
            return null;
        }
        try {
            return new Opened(m, m.info());
        } catch (BpfException e) {
            cli.error("can't get map info: %s", Cli.strerror(e));
            m.close();
            return null;
        }
    }

    private static void closeAll(List<BpfMap> maps) {
        for (BpfMap m : maps) {
            m.close();
        }
    }

    // ---- element arguments --------------------------------------------------------------------------

    private static boolean isMapOfMaps(MapType t) {
        return t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS;
    }

    /** Per-CPU types as bpftool lists them (it does not know BPF_F_CPU variants). */
    private static boolean isPerCpu(MapType t) {
        return t != null && t.isPerCpu();
    }

    /** Where {@link #parseElem} stores the update flags. */
    private static final class Flags {
        long value = UpdateFlags.ANY;
    }

    /**
     * bpftool's {@code parse_elem}: {@code key DATA}, {@code value DATA} and one of {@code any|noexist|exist},
     * in any order. {@code key}, {@code value} and {@code flags} are null when that part is not wanted; sizes
     * tell "duplicate" from "unnecessary" in the messages.
     */
    private int parseElem(Args a, MapInfo info, byte[] key, byte[] value, int keySize, int valueSize,
                          Flags flags) {
        boolean wantKey = key != null;
        boolean wantValue = value != null;
        boolean flagsAllowed = flags != null;
        while (true) {
            String w = a.cur();
            if (w == null) {
                if (!wantKey && !wantValue) {
                    return 0;
                }
                cli.error("did not find %s", wantKey ? "key" : "value");
                return -1;
            }
            if (Args.isPrefix(w, "key")) {
                if (!wantKey) {
                    cli.error(keySize != 0 ? "duplicate key" : "unnecessary key");
                    return -1;
                }
                a.skip(1);
                if (!parseBytes(a, "key", key, keySize)) {
                    return -1;
                }
                wantKey = false;
            } else if (Args.isPrefix(w, "value")) {
                if (!wantValue) {
                    cli.error(valueSize != 0 ? "duplicate value" : "unnecessary value");
                    return -1;
                }
                a.skip(1);
                if (isMapOfMaps(info.type())) {
                    if (valueSize != 4) {
                        cli.error("value smaller than 4B for map in map?");
                        return -1;
                    }
                    if (a.cur() == null || a.peek(1) == null) {
                        cli.error("not enough value arguments for map in map");
                        return -1;
                    }
                    if (!innerMapValue(a, value)) {
                        return -1;
                    }
                    wantValue = false;
                    continue;
                }
                if (info.type() == MapType.PROG_ARRAY) {
                    cli.error("prog_array: program values are not supported by %s (it has no program API)",
                            Cli.BIN);
                    return -1;
                }
                if (!parseBytes(a, "value", value, valueSize)) {
                    return -1;
                }
                if (isPerCpu(info.type())) {
                    int step = (valueSize + 7) & ~7;
                    for (int off = step; off + valueSize <= value.length; off += step) {
                        System.arraycopy(value, 0, value, off, valueSize);
                    }
                }
                wantValue = false;
            } else if (Args.isPrefix(w, "any") || Args.isPrefix(w, "noexist") || Args.isPrefix(w, "exist")) {
                if (!flagsAllowed) {
                    cli.error("flags specified multiple times: %s", w);
                    return -1;
                }
                if (Args.isPrefix(w, "any")) {
                    flags.value = UpdateFlags.ANY;
                } else if (Args.isPrefix(w, "noexist")) {
                    flags.value = UpdateFlags.NOEXIST;
                } else {
                    flags.value = UpdateFlags.EXIST;
                }
                flagsAllowed = false;
                a.skip(1);
            } else {
                cli.error("expected key or value, got: %s", w);
                return -1;
            }
        }
    }

    /** Maps opened as map-in-map values, held until the element command is done. */
    private final List<BpfMap> valueMaps = new ArrayList<>();

    /** A map-in-map value {@code id N | pinned PATH | name NAME}: the kernel takes the inner map's descriptor. */
    private boolean innerMapValue(Args a, byte[] value) {
        Args two = new Args(new String[] {a.cur(), a.peek(1)}, 0);
        BpfMap inner = parseMap(two);
        if (inner == null) {
            return false;
        }
        a.skip(2);
        valueMaps.add(inner);
        int fd = inner.fd();
        value[0] = (byte) fd;
        value[1] = (byte) (fd >>> 8);
        value[2] = (byte) (fd >>> 16);
        value[3] = (byte) (fd >>> 24);
        return true;
    }

    private void closeValueMaps() {
        closeAll(valueMaps);
        valueMaps.clear();
    }

    /** bpftool's {@code parse_bytes}: optional {@code hex}, then exactly {@code n} byte words. */
    private boolean parseBytes(Args a, String what, byte[] into, int n) {
        int base = 0;
        if (Args.isPrefix(a.cur(), "hex")) {
            base = 16;
            a.skip(1);
        }
        int i = 0;
        while (i < n && a.peek(i) != null) {
            String word = a.peek(i);
            Long v = Numbers.strtoul(word, base);
            if (v == null) {
                cli.error("error parsing byte: %s", word);
                return false;
            }
            into[i] = (byte) (long) v;
            i++;
        }
        if (i != n) {
            cli.error("%s expected %d bytes got %d", what, n, i);
            return false;
        }
        a.skip(n);
        return true;
    }

    private static byte[] keyBuffer(MapInfo info) {
        return info.keySize() != 0 ? new byte[info.keySize()] : null;
    }

    private static byte[] valueBuffer(BpfMap m, MapInfo info) {
        return info.valueSize() != 0 ? new byte[m.valueBufferSize()] : null;
    }

    /** The value buffer the API wants even when bpftool would pass none. */
    private static byte[] apiValue(BpfMap m, byte[] value) {
        return value != null ? value : new byte[m.valueBufferSize()];
    }

    // ---- printing -----------------------------------------------------------------------------------

    /** bpftool's {@code print_entry_plain}. */
    private void printEntryPlain(MapInfo info, int cpus, byte[] key, byte[] value) {
        StringBuilder sb = new StringBuilder();
        int ks = info.keySize();
        int vs = info.valueSize();
        if (!isPerCpu(info.type())) {
            boolean breakNames = Integer.compareUnsigned(ks, 16) > 0 || Integer.compareUnsigned(vs, 16) > 0;
            boolean singleLine = Long.compareUnsigned(Integer.toUnsignedLong(ks) + Integer.toUnsignedLong(vs),
                    24) <= 0 && !breakNames;
            if (ks != 0) {
                sb.append("key:").append(breakNames ? '\n' : ' ');
                Numbers.hex(sb, key, 0, ks);
                sb.append(singleLine ? "  " : "\n");
            }
            if (vs != 0) {
                sb.append("value:").append(breakNames ? '\n' : ' ');
                Numbers.hex(sb, value, 0, vs);
            }
            sb.append('\n');
        } else {
            int step = (vs + 7) & ~7;
            if (ks != 0) {
                sb.append("key:\n");
                Numbers.hex(sb, key, 0, ks);
                sb.append('\n');
            }
            if (vs != 0) {
                for (int i = 0; i < cpus; i++) {
                    sb.append(String.format("value (CPU %02d):%c", i, vs > 16 ? '\n' : ' '));
                    Numbers.hex(sb, value, i * step, vs);
                    sb.append('\n');
                }
            }
        }
        cli.out.print(sb);
    }

    /** bpftool's {@code print_entry_json}. */
    private void printEntryJson(MapInfo info, int cpus, byte[] key, byte[] value) {
        JsonWriter j = cli.json;
        j.startObject();
        j.name("key");
        Numbers.hexJson(j, key == null ? new byte[0] : key, 0, info.keySize());
        if (!isPerCpu(info.type())) {
            j.name("value");
            Numbers.hexJson(j, value == null ? new byte[0] : value, 0, info.valueSize());
        } else {
            int step = (info.valueSize() + 7) & ~7;
            j.name("values");
            j.startArray();
            for (int i = 0; i < cpus; i++) {
                j.startObject();
                j.field("cpu", Integer.toString(i));
                j.name("value");
                Numbers.hexJson(j, value, i * step, info.valueSize());
                j.endObject();
            }
            j.endArray();
        }
        j.endObject();
    }

    private void printKeyValue(MapInfo info, int cpus, byte[] key, byte[] value) {
        if (cli.json != null) {
            printEntryJson(info, cpus, key, value);
        } else {
            printEntryPlain(info, cpus, key, value);
        }
    }

    /** bpftool's {@code print_entry_error}, for a dump entry whose lookup failed. */
    private void printEntryError(MapInfo info, byte[] key, int errno) {
        if ((isMapOfMaps(info.type()) || info.type() == MapType.PROG_ARRAY) && errno == ENOENT) {
            return;
        }
        if (cli.json != null) {
            JsonWriter j = cli.json;
            j.startObject();
            j.name("key");
            Numbers.hexJson(j, key, 0, info.keySize());
            j.name("value");
            j.startObject();
            j.stringField("error", Cli.strerror(errno));
            j.endObject();
            j.endObject();
            return;
        }
        String msg;
        if (errno == ENOENT) {
            msg = "<no entry>";
        } else if (errno == Errno.ENOSPC.number() && info.type() == MapType.REUSEPORT_SOCKARRAY) {
            msg = "<cannot read>";
        } else {
            msg = Cli.strerror(errno);
        }
        int ks = info.keySize();
        boolean breakNames = ks > 16 || msg.length() > 16;
        boolean singleLine = ks + msg.length() <= 24 && !breakNames;
        StringBuilder sb = new StringBuilder("key:").append(breakNames ? '\n' : ' ');
        Numbers.hex(sb, key, 0, ks);
        sb.append(singleLine ? "  " : "\n");
        sb.append("value:").append(breakNames ? '\n' : ' ').append(msg).append('\n');
        cli.out.print(sb);
    }

    private static String typeName(MapInfo info) {
        return info.type() != null ? info.type().bpftoolName() : null;
    }

    /** bpftool's {@code show_map_header_plain}. */
    private void headerPlain(MapInfo info) {
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(info.id())).append(": ");
        String t = typeName(info);
        sb.append(t != null ? t + "  " : "type ?  ");
        if (!info.name().isEmpty()) {
            sb.append("name ").append(info.name()).append("  ");
        }
        sb.append("flags 0x").append(Integer.toHexString(info.flags()));
        if (info.ifindex() != 0) {
            sb.append("  offloaded_to ifindex ").append(Integer.toUnsignedString(info.ifindex()));
        }
        sb.append('\n');
        cli.out.print(sb);
    }

    /** bpftool's {@code show_map_header_json}. */
    private void headerJson(MapInfo info) {
        JsonWriter j = cli.json;
        j.field("id", Integer.toUnsignedString(info.id()));
        String t = typeName(info);
        if (t != null) {
            j.stringField("type", t);
        }
        if (!info.name().isEmpty()) {
            j.stringField("name", info.name());
        }
        j.field("flags", Integer.toString(info.flags()));
    }

    /** bpftool's {@code show_map_close_plain}. */
    private void showPlain(MapInfo info) {
        headerPlain(info);
        StringBuilder sb = new StringBuilder();
        sb.append("\tkey ").append(Integer.toUnsignedString(info.keySize())).append("B  value ")
                .append(Integer.toUnsignedString(info.valueSize())).append("B  max_entries ")
                .append(Integer.toUnsignedString(info.maxEntries()));
        sb.append("  memlock ").append(info.memlock()).append('B');
        for (String path : pinned.getOrDefault(info.id(), List.of())) {
            sb.append("\n\tpinned ").append(path);
        }
        if (info.btfId() != 0 || info.frozen()) {
            sb.append("\n\t");
        }
        if (info.btfId() != 0) {
            sb.append("btf_id ").append(info.btfId());
        }
        if (info.frozen()) {
            sb.append(info.btfId() != 0 ? "  " : "").append("frozen");
        }
        sb.append('\n');
        cli.out.print(sb);
    }

    /** bpftool's {@code show_map_close_json}. */
    private void showJson(MapInfo info) {
        JsonWriter j = cli.json;
        j.startObject();
        headerJson(info);
        if (info.ifindex() != 0) {
            j.name("dev").startObject().field("ifindex", Integer.toUnsignedString(info.ifindex())).endObject();
        }
        j.field("bytes_key", Integer.toUnsignedString(info.keySize()));
        j.field("bytes_value", Integer.toUnsignedString(info.valueSize()));
        j.field("max_entries", Integer.toUnsignedString(info.maxEntries()));
        j.field("bytes_memlock", Long.toString(info.memlock()));
        j.field("frozen", info.frozen() ? "1" : "0");
        if (info.btfId() != 0) {
            j.field("btf_id", Integer.toString(info.btfId()));
        }
        if (!pinned.isEmpty()) {
            j.name("pinned");
            j.startArray();
            for (String path : pinned.getOrDefault(info.id(), List.of())) {
                j.string(path);
            }
            j.endArray();
        }
        j.endObject();
    }

    private void showOne(MapInfo info) {
        if (cli.json != null) {
            showJson(info);
        } else {
            showPlain(info);
        }
    }

    // ---- pinned paths (show -f) ----------------------------------------------------------------------

    /**
     * Every pinned map, by id. On the simulator its bpffs lists the pins (sorted by path). On linux, like
     * bpftool, every bpf file system in {@code /proc/mounts} is walked depth first in directory order, and each
     * file that opens as a map is recorded.
     */
    private Map<Integer, List<String>> pinnedTable() {
        List<Pin> found = new ArrayList<>();
        MapBackend b = cli.backend();
        if (b instanceof SimulatedKernel kernel) {
            for (String path : kernel.pinnedPaths()) {
                recordPin(b, path, found);
            }
            return PinTable.order(found);
        }
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].startsWith("bpf")) {
                    mounts.add(unescapeMount(f[1]));
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        for (String mount : mounts) {
            try (Stream<Path> walk = Files.walk(Path.of(mount))) {
                walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .forEach(p -> recordPin(b, p.toString(), found));
            } catch (IOException | UncheckedIOException e) {
                // an unreadable tree contributes nothing, as nftw errors end bpftool's walk quietly
            }
        }
        return PinTable.order(found);
    }

    private static String unescapeMount(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static void recordPin(MapBackend b, String path, List<Pin> found) {
        try (BpfMap m = b.openPinned(path, Access.READ_ONLY)) {
            if (!objectType(m).equals("map")) {
                return;
            }
            MapInfo info = m.info();
            if (!(m instanceof LinuxMap) && !isMapObject(b, info)) {
                return;
            }
            found.add(new Pin(info.id(), path));
        } catch (RuntimeException e) {
            // not a map, or not readable: bpftool skips it too
        }
    }

    private static final java.util.regex.Pattern NOT_A_MAP =
            java.util.regex.Pattern.compile("is a bpf[-_]([a-z]+), not a map");

    /**
     * The object kind ({@code prog}, {@code link}) when the backend refused to open a pinned non-map, as the linux
     * backend does with EINVAL and a detail naming the object; null for any other failure.
     */
    static String refusedObjectKind(BpfException e) {
        if (e.errno() != 22 || e.getMessage() == null) {
            return null;
        }
        java.util.regex.Matcher m = NOT_A_MAP.matcher(e.getMessage());
        return m.find() ? m.group(1) : null;
    }

    /**
     * What kind of BPF object a pinned path opened as, the way bpftool tells: from the descriptor's
     * {@code /proc/self/fd} link ({@code anon_inode:bpf-map}, {@code bpf-prog}, {@code bpf-link}). The bpfmaps
     * API opens any pinned object as a map, so without this a pinned program would be shown as a map made of
     * program info. Maps of backends without descriptors are maps.
     */
    static String objectType(BpfMap m) {
        if (!(m instanceof LinuxMap linux)) {
            return "map";
        }
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + linux.fd())).toString();
            if (link.contains("bpf-map")) {
                return "map";
            } else if (link.contains("bpf-prog")) {
                return "prog";
            } else if (link.contains("bpf-link")) {
                return "link";
            }
            return "unknown";
        } catch (IOException | RuntimeException e) {
            return "map";
        }
    }

    /**
     * Whether a pinned object is really a map. The API cannot ask for the object type of a pinned path, and a
     * pinned program opened as a map yields program info read as map info; the map with that id must then
     * describe itself the same way.
     */
    private static boolean isMapObject(MapBackend b, MapInfo info) {
        try (BpfMap byId = b.openById(info.id(), Access.READ_ONLY)) {
            MapInfo again = byId.info();
            return again.type() == info.type() && again.keySize() == info.keySize()
                    && again.valueSize() == info.valueSize() && again.maxEntries() == info.maxEntries()
                    && again.flags() == info.flags() && again.name().equals(info.name());
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- commands -----------------------------------------------------------------------------------

    private int show(Args a) {
        pinned = cli.showPinned ? pinnedTable() : Map.of();
        if (a.argc() == 2) {
            return showSubset(a);
        }
        if (a.argc() != 0) {
            cli.error("what is '%s'?", a.cur());
            return -1;
        }
        MapBackend b = cli.backend();
        if (cli.json != null) {
            cli.json.startArray();
        }
        int ret = 0;
        for (int id : b.mapIds()) {
            BpfMap m;
            try {
                m = b.openById(id);
            } catch (BpfException e) {
                if (e.errno() == ENOENT) {
                    continue;
                }
                cli.error("can't get map by id (%s): %s", Integer.toUnsignedString(id), Cli.strerror(e));
                ret = -1;
                break;
            }
            try {
                showOne(m.info());
            } catch (BpfException e) {
                cli.error("can't get map info: %s", Cli.strerror(e));
                ret = -1;
                break;
            } finally {
                m.close();
            }
        }
        if (cli.json != null) {
            cli.json.endArray();
        }
        return ret;
    }

    private int showSubset(Args a) {
        List<BpfMap> maps = parseMaps(a);
        if (maps == null || maps.isEmpty()) {
            return -1;
        }
        int err = 0;
        boolean array = cli.json != null && maps.size() > 1;
        if (array) {
            cli.json.startArray();
        }
        try {
            for (BpfMap m : maps) {
                MapInfo info;
                try {
                    info = m.info();
                } catch (BpfException e) {
                    cli.error("can't get map info: %s", Cli.strerror(e));
                    err = -1;
                    break;
                }
                showOne(info);
            }
        } finally {
            closeAll(maps);
        }
        if (array) {
            cli.json.endArray();
        }
        return err;
    }

    private int dump(Args a) {
        if (a.argc() != 2) {
            throw new Cli.UsageExit();
        }
        List<BpfMap> maps = parseMaps(a);
        if (maps == null || maps.isEmpty()) {
            return -1;
        }
        int err = -1;
        boolean many = maps.size() > 1;
        try {
            if (cli.json != null && many) {
                cli.json.startArray();
            }
            for (int i = 0; i < maps.size(); i++) {
                BpfMap m = maps.get(i);
                MapInfo info;
                try {
                    info = m.info();
                } catch (BpfException e) {
                    cli.error("can't get map info: %s", Cli.strerror(e));
                    break;
                }
                err = dumpOne(m, info, many);
                if (cli.json == null && i != maps.size() - 1) {
                    cli.out.print("\n");
                }
                if (err != 0) {
                    break;
                }
            }
            if (cli.json != null && many) {
                cli.json.endArray();
            }
        } finally {
            closeAll(maps);
        }
        return err;
    }

    /** bpftool's {@code map_dump}: every key by get-next-key, each looked up. */
    private int dumpOne(BpfMap m, MapInfo info, boolean header) {
        JsonWriter j = cli.json;
        if (j != null) {
            if (header) {
                j.startObject();
                headerJson(info);
                j.name("elements");
            }
            j.startArray();
        } else if (header) {
            headerPlain(info);
        }
        int cpus = m.possibleCpus();
        byte[] key;
        byte[] next = info.keySize() != 0 ? new byte[info.keySize()] : null;
        byte[] value = apiValue(m, valueBuffer(m, info));
        byte[] prev = null;
        int count = 0;
        int err = 0;
        while (true) {
            try {
                if (!m.nextKey(prev, next == null ? new byte[0] : next)) {
                    break;
                }
            } catch (BpfException e) {
                err = Cli.fail(e);
                break;
            }
            key = next == null ? null : next.clone();
            try {
                if (m.lookup(key, value)) {
                    printKeyValue(info, cpus, key, value);
                    count++;
                } else {
                    printEntryError(info, key, ENOENT);
                }
            } catch (BpfException e) {
                printEntryError(info, key, e.errno());
            }
            prev = key;
        }
        if (j != null) {
            j.endArray();
            if (header) {
                j.endObject();
            }
        } else {
            cli.out.print("Found " + count + " element" + (count != 1 ? "s" : "") + "\n");
        }
        return err;
    }

    private int update(Args a) {
        if (a.argc() < 2) {
            throw new Cli.UsageExit();
        }
        Opened o = parseMapAndInfo(a);
        if (o == null) {
            return -1;
        }
        BpfMap m = o.map();
        MapInfo info = o.info();
        int err;
        try {
            byte[] key = keyBuffer(info);
            byte[] value = valueBuffer(m, info);
            Flags flags = new Flags();
            err = parseElem(a, info, key, value, info.keySize(), info.valueSize(), flags);
            if (err == 0) {
                try {
                    m.update(key, apiValue(m, value), flags.value);
                } catch (BpfException e) {
                    cli.error("update failed: %s", Cli.strerror(e));
                    err = Cli.fail(e);
                }
            }
        } finally {
            closeValueMaps();
            m.close();
        }
        if (err == 0 && cli.json != null) {
            cli.json.nullValue();
        }
        return err;
    }

    private int lookup(Args a) {
        if (a.argc() < 2) {
            throw new Cli.UsageExit();
        }
        Opened o = parseMapAndInfo(a);
        if (o == null) {
            return -1;
        }
        BpfMap m = o.map();
        MapInfo info = o.info();
        try {
            byte[] key = keyBuffer(info);
            byte[] value = apiValue(m, valueBuffer(m, info));
            if (parseElem(a, info, key, null, info.keySize(), 0, null) != 0) {
                return -1;
            }
            boolean found;
            try {
                found = m.lookup(key, value);
            } catch (BpfException e) {
                cli.error("lookup failed: %s", Cli.strerror(e));
                return Cli.fail(e);
            }
            if (!found) {
                if (cli.json != null) {
                    cli.json.nullValue();
                } else {
                    StringBuilder sb = new StringBuilder("key:\n");
                    if (key != null) {
                        Numbers.hex(sb, key, 0, info.keySize());
                    }
                    cli.out.print(sb.append("\n\nNot found\n"));
                }
                return -ENOENT;
            }
            printKeyValue(info, m.possibleCpus(), key, value);
            return 0;
        } finally {
            m.close();
        }
    }

    private int getnext(Args a) {
        if (a.argc() < 2) {
            throw new Cli.UsageExit();
        }
        Opened o = parseMapAndInfo(a);
        if (o == null) {
            return -1;
        }
        BpfMap m = o.map();
        MapInfo info = o.info();
        try {
            byte[] key = new byte[info.keySize()];
            byte[] next = new byte[info.keySize()];
            if (a.argc() > 0) {
                if (parseElem(a, info, key, null, info.keySize(), 0, null) != 0) {
                    return -1;
                }
            } else {
                key = null;
            }
            try {
                if (!m.nextKey(key, next)) {
                    cli.error("can't get next key: %s", Cli.strerror(ENOENT));
                    return -ENOENT;
                }
            } catch (BpfException e) {
                cli.error("can't get next key: %s", Cli.strerror(e));
                return Cli.fail(e);
            }
            if (cli.json != null) {
                JsonWriter j = cli.json;
                j.startObject();
                if (key != null) {
                    j.name("key");
                    Numbers.hexJson(j, key, 0, info.keySize());
                } else {
                    j.field("key", "null");
                }
                j.name("next_key");
                Numbers.hexJson(j, next, 0, info.keySize());
                j.endObject();
            } else {
                StringBuilder sb = new StringBuilder();
                if (key != null) {
                    sb.append("key:\n");
                    Numbers.hex(sb, key, 0, info.keySize()).append('\n');
                } else {
                    sb.append("key: None\n");
                }
                sb.append("next key:\n");
                Numbers.hex(sb, next, 0, info.keySize()).append('\n');
                cli.out.print(sb);
            }
            return 0;
        } finally {
            m.close();
        }
    }

    private int delete(Args a) {
        if (a.argc() < 2) {
            throw new Cli.UsageExit();
        }
        Opened o = parseMapAndInfo(a);
        if (o == null) {
            return -1;
        }
        BpfMap m = o.map();
        MapInfo info = o.info();
        int err;
        try {
            byte[] key = new byte[info.keySize()];
            err = parseElem(a, info, key, null, info.keySize(), 0, null);
            if (err == 0) {
                try {
                    if (!m.delete(info.keySize() == 0 ? null : key)) {
                        cli.error("delete failed: %s", Cli.strerror(ENOENT));
                        err = -ENOENT;
                    }
                } catch (BpfException e) {
                    cli.error("delete failed: %s", Cli.strerror(e));
                    err = Cli.fail(e);
                }
            }
        } finally {
            m.close();
        }
        if (err == 0 && cli.json != null) {
            cli.json.nullValue();
        }
        return err;
    }

    private int pop(Args a) {
        if (a.argc() < 2) {
            throw new Cli.UsageExit();
        }
        Opened o = parseMapAndInfo(a);
        if (o == null) {
            return -1;
        }
        BpfMap m = o.map();
        MapInfo info = o.info();
        try {
            byte[] key = keyBuffer(info);
            byte[] value = apiValue(m, valueBuffer(m, info));
            boolean found;
            try {
                found = m.lookupAndDelete(key, value);
            } catch (BpfException e) {
                cli.error("pop failed: %s", Cli.strerror(e));
                return Cli.fail(e);
            }
            if (!found) {
                if (cli.json != null) {
                    cli.json.nullValue();
                } else {
                    cli.out.print("Error: empty map\n");
                }
                return -ENOENT;
            }
            printKeyValue(info, m.possibleCpus(), key, value);
            return 0;
        } finally {
            m.close();
        }
    }

    private int freeze(Args a) {
        if (!requireArgs(a, 2)) {
            return -1;
        }
        BpfMap m = parseMap(a);
        if (m == null) {
            return -1;
        }
        try {
            if (a.argc() > 0) {
                cli.error("what is '%s'?", a.cur());
                return -1;
            }
            try {
                m.freeze();
            } catch (BpfException e) {
                cli.error("failed to freeze map: %s", Cli.strerror(e));
                return Cli.fail(e);
            }
        } finally {
            m.close();
        }
        if (cli.json != null) {
            cli.json.nullValue();
        }
        return 0;
    }

    private int pin(Args a) {
        if (!requireArgs(a, 3)) {
            return -Errno.EINVAL.number();
        }
        BpfMap m = parseMap(a);
        if (m == null) {
            return -1;
        }
        int err;
        try {
            err = pinMap(m, a.cur());
        } finally {
            m.close();
        }
        if (err == 0 && cli.json != null) {
            cli.json.nullValue();
        }
        return err;
    }

    /** bpftool's {@code do_pin_fd}, without mounting a bpffs where there is none. */
    private int pinMap(BpfMap m, String path) {
        try {
            m.pin(path);
            return 0;
        } catch (BpfException e) {
            cli.error("can't pin the object (%s): %s", path, Cli.strerror(e));
            return Cli.fail(e);
        }
    }

    /**
     * {@code map unpin PATH} (not in bpftool): removes a pin. On linux it unlinks the file, as {@code rm}
     * would; on the simulator it calls {@link SimulatedKernel#unpin(String)}, which the {@link MapBackend} API
     * itself does not offer.
     */
    private int unpin(Args a) {
        if (a.argc() != 1) {
            cli.error("'unpin' needs exactly 1 argument (the pinned path), %d found", a.argc());
            return -1;
        }
        String path = a.cur();
        MapBackend b = cli.backend();
        if (b instanceof SimulatedKernel kernel) {
            try {
                kernel.unpin(path);
            } catch (BpfException e) {
                cli.error("can't unpin (%s): %s", path, Cli.strerror(e));
                return Cli.fail(e);
            }
            if (cli.json != null) {
                cli.json.nullValue();
            }
            return 0;
        }
        if (!b.name().equals("linux")) {
            cli.error("can't unpin (%s): the %s backend offers no unlink for its bpf file system", path, b.name());
            return -1;
        }
        try {
            Files.delete(Path.of(path));
        } catch (NoSuchFileException e) {
            cli.error("can't unpin (%s): %s", path, Cli.strerror(ENOENT));
            return -ENOENT;
        } catch (DirectoryNotEmptyException e) {
            cli.error("can't unpin (%s): %s", path, "Directory not empty");
            return -39;
        } catch (IOException | SecurityException e) {
            cli.error("can't unpin (%s): %s", path, e.getMessage());
            return -1;
        }
        if (cli.json != null) {
            cli.json.nullValue();
        }
        return 0;
    }

    /** bpftool's {@code REQ_ARGS(n)}. */
    private boolean requireArgs(Args a, int n) {
        if (a.argc() < n) {
            cli.error("'%s' needs at least %d arguments, %d found", a.prev(), n, a.argc());
            return false;
        }
        return true;
    }

    /** bpftool's {@code parse_u32_arg}; {@code current} non-zero means "already specified". */
    private Integer parseU32(Args a, int current, String what) {
        a.next();
        if (current != 0) {
            cli.error("%s already specified", what);
            return null;
        }
        String s = a.cur();
        Long v = s == null ? null : Numbers.strtoul(s, 0);
        if (v == null) {
            cli.error("can't parse %s as %s", s, what);
            return null;
        }
        a.next();
        return (int) (long) v;
    }

    private int create(Args a) {
        if (!requireArgs(a, 7)) {
            return -1;
        }
        String pinfile = a.cur();
        a.skip(1);
        MapType type = null;
        int keySize = 0;
        int valueSize = 0;
        int maxEntries = 0;
        int flags = 0;
        String name = null;
        BpfMap inner = null;
        try {
            while (a.argc() > 0) {
                if (!requireArgs(a, 2)) {
                    return -1;
                }
                String w = a.cur();
                if (Args.isPrefix(w, "type")) {
                    a.next();
                    if (type != null) {
                        cli.error("map type already specified");
                        return -1;
                    }
                    type = MapType.ofBpftoolName(a.cur());
                    if (type == null || type == MapType.UNSPEC) {
                        cli.error("unrecognized map type: %s", a.cur());
                        return -1;
                    }
                    a.next();
                } else if (Args.isPrefix(w, "name")) {
                    a.next();
                    name = a.cur();
                    a.skip(1);
                } else if (Args.isPrefix(w, "key")) {
                    Integer v = parseU32(a, keySize, "key size");
                    if (v == null) {
                        return -1;
                    }
                    keySize = v;
                } else if (Args.isPrefix(w, "value")) {
                    Integer v = parseU32(a, valueSize, "value size");
                    if (v == null) {
                        return -1;
                    }
                    valueSize = v;
                } else if (Args.isPrefix(w, "entries")) {
                    Integer v = parseU32(a, maxEntries, "max entries");
                    if (v == null) {
                        return -1;
                    }
                    maxEntries = v;
                } else if (Args.isPrefix(w, "flags")) {
                    Integer v = parseU32(a, flags, "flags");
                    if (v == null) {
                        return -1;
                    }
                    flags = v;
                } else if (Args.isPrefix(w, "dev")) {
                    cli.error("offload devices (dev %s) are not supported by %s", a.peek(1), Cli.BIN);
                    return -1;
                } else if (Args.isPrefix(w, "inner_map")) {
                    a.next();
                    if (a.argc() < 2) {
                        throw new Cli.UsageExit();
                    }
                    if (inner != null) {
                        inner.close();
                    }
                    Opened o = parseMapAndInfo(a);
                    if (o == null) {
                        return -1;
                    }
                    inner = o.map();
                } else {
                    cli.error("unknown arg %s", w);
                    return -1;
                }
            }
            if (name == null) {
                cli.error("map name not specified");
                return -1;
            }
            MapSpec spec = MapSpec.builder(type == null ? MapType.UNSPEC : type)
                    .keySize(keySize).valueSize(valueSize).maxEntries(maxEntries).flags(flags)
                    .name(truncateName(name)).innerMap(inner).build();
            BpfMap m;
            try {
                m = cli.backend().create(spec);
            } catch (BpfException e) {
                cli.error("map create failed: %s", Cli.strerror(e));
                return -1;
            }
            int err;
            try {
                err = pinMap(m, pinfile);
            } finally {
                m.close();
            }
            if (err != 0) {
                return err;
            }
            if (cli.json != null) {
                cli.json.nullValue();
            }
            return 0;
        } finally {
            if (inner != null) {
                inner.close();
            }
        }
    }

    /** libbpf copies at most 15 bytes of the name into the 16-byte field. */
    private static String truncateName(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= OBJ_NAME_LEN - 1) {
            return name;
        }
        return new String(b, 0, OBJ_NAME_LEN - 1, StandardCharsets.UTF_8);
    }
}
