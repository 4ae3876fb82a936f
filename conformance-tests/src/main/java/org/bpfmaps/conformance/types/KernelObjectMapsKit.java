package org.bpfmaps.conformance.types;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.reliability.Outcome;

/**
 * Differential property for the map types whose values name kernel objects: devices ({@code DEVMAP},
 * {@code DEVMAP_HASH}), CPUs ({@code CPUMAP}), stack traces ({@code STACK_TRACE}), cgroup storage
 * ({@code CGROUP_STORAGE}, {@code PERCPU_CGROUP_STORAGE}) and descriptors ({@code PROG_ARRAY},
 * {@code PERF_EVENT_ARRAY}, {@code CGROUP_ARRAY}, {@code SOCKMAP}, {@code SOCKHASH}, {@code XSKMAP},
 * {@code REUSEPORT_SOCKARRAY}), and {@code ARENA} (whose element commands all fail).
 *
 * <p>Each try draws a type, a create spec (mostly valid, often with one size, max_entries or flag changed) and
 * random commands, runs them on two backends and demands the same outcome line for every call: the create (with
 * the info the kernel reports: flags, max_entries, memlock), each element command (exception class and errno, or
 * the bytes returned), the batch commands, freeze, a full dump by get-next-key, and the element helpers of a
 * program view. Values are what user space can give such maps without devices, programs, sockets or cgroups of
 * its own: the loopback ifindex 1, ifindexes that do not exist, queue sizes around the limit, and as descriptors
 * another map's fd, 0 to 2 (open files that are not BPF objects), a number that is not open, and -1. A subclass
 * names the two backends.
 */
public abstract class KernelObjectMapsKit {

    /** The types this kit compares. */
    public static final List<MapType> TYPES = List.of(MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP,
            MapType.STACK_TRACE, MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE, MapType.PROG_ARRAY,
            MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.SOCKMAP, MapType.SOCKHASH, MapType.XSKMAP,
            MapType.REUSEPORT_SOCKARRAY, MapType.ARENA);

    /** A descriptor number that no test process has open. */
    static final int NOT_OPEN = 0x3fff0000;

    /** The first backend (the reference, e.g. the simulator). */
    protected abstract MapBackend openA();

    /** The second backend (e.g. linux). */
    protected abstract MapBackend openB();

    private MapBackend a;
    private MapBackend b;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final Map<MapType, AtomicLong> perType = new TreeMap<>();

    @BeforeProperty
    void openBackends() {
        a = openA();
        b = openB();
    }

    @AfterProperty
    void closeBackends() {
        System.out.println("kernel-object maps differential: " + created + " maps created, " + calls
                + " calls compared; maps per type " + perType);
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    // ---- the case ------------------------------------------------------------------------------------

    /** One word of a value: a literal u32, or a descriptor of a kind each backend turns into its own number. */
    public enum Word {
        LIT, MAP_FD, STDIN, STDOUT, STDERR, NOT_OPEN, MINUS_ONE
    }

    /** A value: two words (the second only in 8-byte values) and a fill byte for the rest of the buffer. */
    public record Value(Word firstKind, int first, Word secondKind, int second, int fill) {
        @Override
        public String toString() {
            return "{" + (firstKind == Word.LIT ? Integer.toUnsignedString(first) : firstKind) + ", "
                    + (secondKind == Word.LIT ? Integer.toUnsignedString(second) : secondKind) + ", fill " + fill + "}";
        }
    }

    /** The kinds of command. */
    public enum Kind {
        LOOKUP, UPDATE, DELETE, NEXT_KEY, NEXT_KEY_FIRST, LOOKUP_AND_DELETE, LOOKUP_BATCH, UPDATE_BATCH,
        DELETE_BATCH, LOOKUP_AND_DELETE_BATCH, FREEZE, INFO, DUMP, PROGRAM_LOOKUP, PROGRAM_UPDATE, PROGRAM_DELETE
    }

    /** One command: its key (a u32 index, the rest of the key filled with the key's low byte), value and flags. */
    public record Op(Kind kind, int key, Value value, long flags, int count) {
        @Override
        public String toString() {
            return kind + " key " + Integer.toUnsignedString(key) + (kind == Kind.UPDATE || kind == Kind.UPDATE_BATCH
                    || kind == Kind.PROGRAM_UPDATE ? " value " + value : "") + " flags " + flags
                    + (kind.name().endsWith("BATCH") ? " count " + count : "");
        }
    }

    /** A create spec and the commands to run on the map. */
    public record Case(MapSpec spec, List<Op> ops) {
        @Override
        public String toString() {
            return spec + " with " + ops.size() + " ops";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(TYPES).flatMap(t -> Combinators.combine(specs(t), ops(t).list().ofMinSize(5)
                .ofMaxSize(40)).as(Case::new));
    }

    /** A valid spec of {@code type}, with one of its attributes often replaced by a random or boundary one. */
    static Arbitrary<MapSpec> specs(MapType type) {
        int key = switch (type) {
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> 8;
            case ARENA -> 0;
            default -> 4;
        };
        Arbitrary<Integer> keys = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(key)),
                Tuple.of(2, Arbitraries.of(0, 1, 4, 8, 12, 16, 17, 512, 513)));
        Arbitrary<Integer> values = switch (type) {
            case DEVMAP, DEVMAP_HASH, CPUMAP, SOCKMAP, SOCKHASH, REUSEPORT_SOCKARRAY -> Arbitraries.frequencyOf(
                    Tuple.of(8, Arbitraries.of(4, 8)), Tuple.of(1, Arbitraries.of(0, 1, 12, 16)));
            case STACK_TRACE -> Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(8, 16, 32, 64, 1016)),
                    Tuple.of(2, Arbitraries.of(0, 4, 12, 24, 1024, 4064, 4096)));
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> Arbitraries.frequencyOf(
                    Tuple.of(8, Arbitraries.of(1, 4, 8, 12)),
                    Tuple.of(2, Arbitraries.of(0, 4096, 32768, 32769, 65407, 65408)));
            case ARENA -> Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(0)), Tuple.of(1, Arbitraries.of(4, 8)));
            default -> Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(4)), Tuple.of(1, Arbitraries.of(0, 8, 12)));
        };
        int usualMax = type == MapType.CGROUP_STORAGE || type == MapType.PERCPU_CGROUP_STORAGE ? 0 : 4;
        Arbitrary<Integer> maxes = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(usualMax)),
                Tuple.of(3, Arbitraries.of(0, 1, 2, 3, 5, 8)), Tuple.of(1, switch (type) {
                    case ARENA -> Arbitraries.of(1 << 20, (1 << 20) + 1, -1);
                    // refused before anything is allocated (more buckets than a u32 byte count holds)
                    case SOCKHASH -> Arbitraries.of(1000, (1 << 27) + 1, 1 << 28, -1);
                    default -> Arbitraries.of(255, 256, 257, 1000);
                }));
        int usualFlags = type == MapType.ARENA ? MapFlag.MMAPABLE.bit() : 0;
        Arbitrary<Long> extras = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0L)),
                Tuple.of(type == MapType.ARENA ? 4 : 1, Arbitraries.of(1L, 4096L, 4095L, 1L << 32, (1L << 32) - 4096)));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(usualFlags)),
                Tuple.of(4, Arbitraries.of(MapFlag.NO_PREALLOC, MapFlag.NUMA_NODE, MapFlag.RDONLY, MapFlag.WRONLY,
                        MapFlag.STACK_BUILD_ID, MapFlag.ZERO_SEED, MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG,
                        MapFlag.CLONE, MapFlag.MMAPABLE, MapFlag.PRESERVE_ELEMS, MapFlag.INNER_MAP,
                        MapFlag.SEGV_ON_FAULT, MapFlag.NO_USER_CONV).map(f -> f.bit() | usualFlags)),
                Tuple.of(1, Arbitraries.of(MapFlag.mask(MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG),
                        MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY), 1 << 13, 1 << 19)));
        return Combinators.combine(keys, values, maxes, flags, extras).as((k, v, m, f, x) -> MapSpec.builder(type)
                .keySize(k).valueSize(v).maxEntries(m).flags(f).mapExtra(x).name("kobj").build());
    }

    /** Commands for a map of {@code type}, with the values its kind takes. */
    static Arbitrary<Op> ops(MapType type) {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(16, Arbitraries.of(Kind.LOOKUP, Kind.DELETE, Kind.NEXT_KEY, Kind.NEXT_KEY_FIRST)),
                Tuple.of(20, Arbitraries.just(Kind.UPDATE)),
                Tuple.of(3, Arbitraries.of(Kind.LOOKUP_AND_DELETE, Kind.DUMP, Kind.INFO)),
                Tuple.of(2, Arbitraries.of(Kind.LOOKUP_BATCH, Kind.UPDATE_BATCH, Kind.DELETE_BATCH,
                        Kind.LOOKUP_AND_DELETE_BATCH)),
                Tuple.of(1, Arbitraries.of(Kind.FREEZE, Kind.PROGRAM_LOOKUP, Kind.PROGRAM_UPDATE,
                        Kind.PROGRAM_DELETE)));
        Arbitrary<Integer> keys = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().between(0, 5)),
                Tuple.of(1, Arbitraries.of(255, 256, 1000, -1, 0x01010101)));
        Arbitrary<Long> flags = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just(0L)),
                Tuple.of(4, Arbitraries.of(1L, 2L)), Tuple.of(1, Arbitraries.of(3L, 4L, 8L, 0x20L)));
        Arbitrary<Integer> counts = Arbitraries.integers().between(0, 4);
        return Combinators.combine(kinds, keys, values(type), flags, counts).as(Op::new);
    }

    static Arbitrary<Value> values(MapType type) {
        Arbitrary<Word> fds = Arbitraries.of(Word.MAP_FD, Word.STDIN, Word.STDOUT, Word.STDERR, Word.NOT_OPEN,
                Word.MINUS_ONE);
        Arbitrary<Integer> fill = Arbitraries.of(0, 0, 0x5a);
        switch (type) {
            case DEVMAP:
            case DEVMAP_HASH:
            case CPUMAP: {
                Arbitrary<Integer> first = type == MapType.CPUMAP
                        ? Arbitraries.of(0, 1, 192, 16384, 16385, -1)
                        : Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(1)),
                        Tuple.of(3, Arbitraries.of(0, 1000, 0x01010101)));
                Arbitrary<Tuple.Tuple2<Word, Integer>> second = Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.of(0, -1).map(v -> Tuple.of(Word.LIT, v))),
                        Tuple.of(4, fds.map(w -> Tuple.of(w, 0))));
                return Combinators.combine(first, second, fill).as((f, s, x) ->
                        new Value(Word.LIT, f, s.get1(), s.get2(), x));
            }
            case STACK_TRACE:
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
            case ARENA:
                return Combinators.combine(Arbitraries.integers(), fill).as((f, x) ->
                        new Value(Word.LIT, f, Word.LIT, 0, x));
            default: {
                Arbitrary<Integer> high = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)),
                        Tuple.of(1, Arbitraries.of(1, -1)));
                return Combinators.combine(fds, high, fill).as((w, h, x) -> new Value(w, 0, Word.LIT, h, x));
            }
        }
    }

    // ---- running ----------------------------------------------------------------------------------

    @Property(tries = 600, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void kernelObjectMapsAgree(@ForAll("cases") Case c) {
        List<String> ra = run(a, c);
        List<String> rb = run(b, c);
        for (int i = 0; i < Math.max(ra.size(), rb.size()); i++) {
            String x = i < ra.size() ? ra.get(i) : "(no call)";
            String y = i < rb.size() ? rb.get(i) : "(no call)";
            if (!x.equals(y)) {
                StringBuilder sb = new StringBuilder("backends disagree at call " + i + " of " + c.spec()
                        + "\n  " + a.name() + ": " + x + "\n  " + b.name() + ": " + y + "\n  calls so far:");
                for (int j = 0; j < i; j++) {
                    sb.append("\n    ").append(ra.get(j));
                }
                throw new AssertionError(sb.toString());
            }
        }
        calls.addAndGet(ra.size());
    }

    /** The outcome lines of {@code c} on {@code backend}: the create, then one per command. */
    private List<String> run(MapBackend backend, Case c) {
        List<String> out = new ArrayList<>();
        BpfMap[] holder = new BpfMap[1];
        out.add("create -> " + Outcome.of("create " + c.spec(), () -> {
            holder[0] = backend.create(c.spec());
            return describe(holder[0].info());
        }));
        BpfMap map = holder[0];
        if (map == null) {
            return out;
        }
        if (backend == a) {
            created.incrementAndGet();
            synchronized (perType) {
                perType.computeIfAbsent(c.spec().type(), t -> new AtomicLong()).incrementAndGet();
            }
        }
        BpfMap other = null;
        ProgramView view = null;
        try {
            other = backend.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build());
            int otherFd = other.fd();
            for (Op op : c.ops()) {
                if (view == null && op.kind().name().startsWith("PROGRAM")) {
                    view = map.programView(0);
                }
                ProgramView v = view;
                out.add(op + " -> " + Outcome.of(op + " on " + map, () -> call(map, v, op, otherFd)));
            }
        } finally {
            if (view != null) {
                view.close();
            }
            if (other != null) {
                other.close();
            }
            map.close();
        }
        return out;
    }

    private static String describe(MapInfo info) {
        return "key=" + info.keySize() + " value=" + info.valueSize() + " max=" + Integer.toUnsignedString(
                info.maxEntries()) + " flags=0x" + Integer.toHexString(info.flags()) + " map_extra=0x" + Long.toHexString(info.mapExtra())
                + " memlock=" + info.memlock();
    }

    private String call(BpfMap map, ProgramView view, Op op, int otherFd) {
        int ks = map.keySize();
        int vbs = map.valueBufferSize();
        byte[] key = key(ks, op.key());
        switch (op.kind()) {
            case LOOKUP: {
                byte[] value = new byte[vbs];
                return map.lookup(key, value, 0) ? "found " + Bytes.hex(value) : "missing";
            }
            case UPDATE:
                map.update(key, value(vbs, op.value(), otherFd), op.flags());
                return "";
            case DELETE:
                return map.delete(key) ? "deleted" : "missing";
            case NEXT_KEY:
            case NEXT_KEY_FIRST: {
                byte[] next = new byte[ks];
                boolean found = map.nextKey(op.kind() == Kind.NEXT_KEY ? key : null, next);
                return found ? "next " + Bytes.hex(next) : "end";
            }
            case LOOKUP_AND_DELETE: {
                byte[] value = new byte[vbs];
                return map.lookupAndDelete(key, value, op.flags() & 1) ? "found " + Bytes.hex(value) : "missing";
            }
            case LOOKUP_BATCH:
            case LOOKUP_AND_DELETE_BATCH: {
                int n = op.count();
                byte[] keys = new byte[n * ks];
                byte[] values = new byte[n * vbs];
                byte[] outBatch = new byte[map.batchCursorSize()];
                BatchResult r = op.kind() == Kind.LOOKUP_BATCH
                        ? map.lookupBatch(null, outBatch, keys, values, n, 0)
                        : map.lookupAndDeleteBatch(null, outBatch, keys, values, n, 0);
                return "count=" + r.count() + " done=" + r.done() + " keys=" + Bytes.hex(keys) + " values="
                        + Bytes.hex(values);
            }
            case UPDATE_BATCH: {
                int n = op.count();
                byte[] keys = new byte[n * ks];
                byte[] values = new byte[n * vbs];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(key(ks, op.key() + i), 0, keys, i * ks, ks);
                    System.arraycopy(value(vbs, op.value(), otherFd), 0, values, i * vbs, vbs);
                }
                return "count=" + map.updateBatch(keys, values, n, 0);
            }
            case DELETE_BATCH: {
                int n = op.count();
                byte[] keys = new byte[n * ks];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(key(ks, op.key() + i), 0, keys, i * ks, ks);
                }
                return "count=" + map.deleteBatch(keys, n, 0);
            }
            case FREEZE:
                map.freeze();
                return "";
            case INFO:
                return describe(map.info());
            case DUMP:
                return dump(map);
            case PROGRAM_LOOKUP: {
                byte[] value = new byte[map.valueSize()];
                return view.lookup(key, value) ? "found " + Bytes.hex(value) : "missing";
            }
            case PROGRAM_UPDATE:
                view.update(key, value(map.valueSize(), op.value(), otherFd), op.flags());
                return "";
            default:
                return view.delete(key) ? "deleted" : "missing";
        }
    }

    /** Every key by get-next-key from the start, with its value (at most 64, to bound a cycle). */
    private static String dump(BpfMap map) {
        StringBuilder sb = new StringBuilder();
        byte[] cur = null;
        for (int i = 0; i < 64; i++) {
            byte[] next = new byte[map.keySize()];
            if (!map.nextKey(cur, next)) {
                return sb.append("end").toString();
            }
            sb.append(Bytes.hex(next)).append('=');
            byte[] value = new byte[map.valueBufferSize()];
            sb.append(Outcome.of("lookup", () -> map.lookup(next, value, 0) ? Bytes.hex(value) : "missing"))
                    .append("; ");
            cur = next;
        }
        return sb.append("...").toString();
    }

    static byte[] key(int size, int index) {
        byte[] k = new byte[size];
        ByteBuffer bb = ByteBuffer.wrap(k).order(ByteOrder.nativeOrder());
        if (size >= 4) {
            bb.putInt(0, index);
            for (int i = 4; i < size; i++) {
                k[i] = (byte) index;
            }
        } else if (size > 0) {
            k[0] = (byte) index;
        }
        return k;
    }

    static byte[] value(int size, Value v, int mapFd) {
        byte[] out = new byte[size];
        java.util.Arrays.fill(out, (byte) v.fill());
        ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        if (size >= 4) {
            bb.putInt(0, word(v.firstKind(), v.first(), mapFd));
        }
        if (size >= 8) {
            bb.putInt(4, word(v.secondKind(), v.second(), mapFd));
        }
        return out;
    }

    private static int word(Word kind, int literal, int mapFd) {
        return switch (kind) {
            case LIT -> literal;
            case MAP_FD -> mapFd;
            case STDIN -> 0;
            case STDOUT -> 1;
            case STDERR -> 2;
            case NOT_OPEN -> NOT_OPEN;
            case MINUS_ONE -> -1;
        };
    }
}
