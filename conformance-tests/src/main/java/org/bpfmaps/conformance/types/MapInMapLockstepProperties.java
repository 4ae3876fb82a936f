package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
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
 * {@code ARRAY_OF_MAPS} and {@code HASH_OF_MAPS} on two backends in lockstep: random sequences that create
 * candidate inner maps from a fixed pool of specs (compatible and incompatible with one another: other types,
 * sizes, {@code max_entries} with and without {@code BPF_F_INNER_MAP}, a read-only creating descriptor,
 * {@code BPF_F_RDONLY_PROG}), create outer maps over random templates and attributes (valid and invalid), and then
 * update slots with member descriptors, closed members' numbers, the standard streams 0 to 2, numbers nothing has
 * open and the outer maps themselves, look up, delete, walk keys, run the four batch commands, lookup-and-delete,
 * freeze, use the program view, and close members and outers. Each step must give the same outcome on both (the
 * result or the exception class with its errno, batch counts included); a looked-up inner map id is compared as
 * "which map of the sequence" since ids differ between backends. Hash-of-maps outers are created with
 * {@code BPF_F_ZERO_SEED}, so key order must be identical.
 *
 * <p><b>Lifetime.</b> A slot keeps its inner map alive after its last descriptor closes, so its id stays in
 * {@code mapIds()}; once released (slot replaced or deleted, outer map gone) the id goes. Backend A must answer at
 * once (the simulator releases immediately); the kernel may free a released inner map only after an RCU grace
 * period or from a work queue, so for B the invariant is: present whenever A says present, and gone within
 * {@value #GONE_WITHIN_MS} ms whenever A says gone.
 *
 * <p>A descriptor number that either backend's process has open for something else is never used as a "closed"
 * or "bogus" number (on linux the JVM's own files come and go); such steps are skipped on both, and so is a step
 * during which such a number was taken (checked again after the calls: the JVM opened a file between the check
 * and the system call in one CI run, and the kernel answered EINVAL for that file where the simulator's EBADF was
 * right for the number it was given).
 */
public abstract class MapInMapLockstepProperties {

    /** How long backend B may take to drop a released inner map's id. */
    public static final int GONE_WITHIN_MS = 3000;

    /** Outcomes seen per kind of step (for the coverage report printed after the property). */
    private static final Map<String, Integer> STATS = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Prints how often each kind of step ended in each outcome, so a run shows what it covered. */
    @net.jqwik.api.lifecycle.AfterContainer
    static void printCoverage() {
        if (!STATS.isEmpty()) {
            StringBuilder sb = new StringBuilder("[map-in-map lockstep] steps by outcome:");
            STATS.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
            System.out.println(sb);
            STATS.clear();
        }
    }

    protected abstract MapBackend newBackendA();

    protected abstract MapBackend newBackendB();


    /** The pool of candidate inner maps. */
    private static final MapSpec[] MEMBERS = {
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(3).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).flags(MapFlag.INNER_MAP).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(3).flags(MapFlag.INNER_MAP).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(8).maxEntries(2).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).flags(MapFlag.RDONLY).build(),
        MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build(),
        MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(8).build(),
        MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).flags(MapFlag.NO_PREALLOC).build(),
        MapSpec.builder(MapType.QUEUE).valueSize(4).maxEntries(4).build(),
        MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build(),
        MapSpec.builder(MapType.LPM_TRIE).keySize(8).valueSize(4).maxEntries(4).flags(MapFlag.NO_PREALLOC).build(),
        MapSpec.builder(MapType.PERCPU_ARRAY).keySize(4).valueSize(4).maxEntries(2).build(),
        MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2).flags(MapFlag.RDONLY_PROG).build(),
        MapSpec.builder(MapType.BLOOM_FILTER).valueSize(4).maxEntries(4).build(),
    };

    private static final int[] AOM_FLAGS = {0, 0, 0, MapFlag.RDONLY_PROG.bit(), MapFlag.WRONLY_PROG.bit(),
        MapFlag.INNER_MAP.bit(), MapFlag.PRESERVE_ELEMS.bit(), MapFlag.ZERO_SEED.bit(), MapFlag.NO_PREALLOC.bit(),
        MapFlag.MMAPABLE.bit(), MapFlag.RDONLY.bit()};
    private static final int[] HOM_FLAGS = {0, 0, 0, MapFlag.NO_PREALLOC.bit(), MapFlag.RDONLY_PROG.bit(),
        MapFlag.WRONLY_PROG.bit(), MapFlag.INNER_MAP.bit(), MapFlag.MMAPABLE.bit(), MapFlag.NO_COMMON_LRU.bit(),
        MapFlag.WRONLY.bit()};

    /** One backend's objects in a sequence: members and outers by index, and labels for map ids. */
    private final class Side {
        final MapBackend backend;
        final List<BpfMap> members = new ArrayList<>();
        final List<Integer> memberFds = new ArrayList<>();
        final List<BpfMap> outers = new ArrayList<>();
        final Map<Integer, String> labels = new HashMap<>();

        Side(MapBackend backend) {
            this.backend = backend;
        }

        String label(int id) {
            return labels.getOrDefault(id, "unknown id");
        }

        void closeAll() {
            for (BpfMap m : outers) {
                if (m != null) {
                    m.close();
                }
            }
            for (BpfMap m : members) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }

    /** Where an update's descriptor number comes from. */
    private record Source(int kind, int index) {
        static final int MEMBER = 0;
        static final int STDIO = 1;
        static final int BOGUS = 2;
        static final int OUTER = 3;

        @Override
        public String toString() {
            return new String[] {"member m", "stdio ", "bogus #", "outer o"}[kind] + index;
        }
    }

    private static final int[] BOGUS = {-1, 1 << 20, 0x7fffffff, 4095};

    /** The descriptor number {@code s} stands for on {@code side}, or null when the step must be skipped. */
    private Integer number(Side side, Source s) {
        switch (s.kind()) {
            case Source.MEMBER: {
                BpfMap m = side.members.get(s.index());
                Integer fd = side.memberFds.get(s.index());
                if (fd == null) {
                    return BOGUS[0];
                }
                if (m.isClosed()) {
                    return isOpen(side, fd) ? null : fd; // a reused number would name something else
                }
                return fd;
            }
            case Source.STDIO:
                return s.index();
            case Source.BOGUS:
                return isOpen(side, BOGUS[s.index()]) ? null : BOGUS[s.index()];
            default: {
                BpfMap o = side.outers.get(s.index());
                return o == null || o.isClosed() ? null : o.fd();
            }
        }
    }

    private Source source(SplittableRandom r, Side a) {
        int k = r.nextInt(10);
        if (k < 7 && !a.members.isEmpty()) {
            return new Source(Source.MEMBER, r.nextInt(a.members.size()));
        }
        if (k < 7) {
            return new Source(Source.STDIO, r.nextInt(3));
        }
        if (k < 8 && !a.outers.isEmpty()) {
            return new Source(Source.OUTER, r.nextInt(a.outers.size()));
        }
        return new Source(Source.BOGUS, r.nextInt(BOGUS.length));
    }

    @Property(tries = 40)
    void mapInMapSequencesAgree(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> log = new ArrayList<>();
        try (MapBackend ba = newBackendA(); MapBackend bb = newBackendB()) {
            Side a = new Side(ba);
            Side b = new Side(bb);
            try {
                for (int step = 0; step < 130; step++) {
                    step(r, a, b, step, seed, log);
                }
            } finally {
                a.closeAll();
                b.closeAll();
            }
        }
    }

    private void step(SplittableRandom r, Side a, Side b, int step, long seed, List<String> log) {
        int what = r.nextInt(100);
        String op;
        String ea;
        String eb;
        if (what < 10 || a.members.isEmpty()) {
            int spec = r.nextInt(MEMBERS.length);
            op = "create member m" + a.members.size() + " " + MEMBERS[spec];
            ea = createMember(a, MEMBERS[spec]);
            eb = createMember(b, MEMBERS[spec]);
        } else if (what < 18 || a.outers.isEmpty()) {
            boolean array = r.nextBoolean();
            int key = array ? (r.nextInt(12) == 0 ? 8 : 4) : new int[] {4, 4, 4, 1, 8}[r.nextInt(5)];
            int value = r.nextInt(12) == 0 ? 8 : 4;
            int max = r.nextInt(15) == 0 ? 0 : 1 + r.nextInt(4);
            int flags = array ? AOM_FLAGS[r.nextInt(AOM_FLAGS.length)]
                    : HOM_FLAGS[r.nextInt(HOM_FLAGS.length)] | MapFlag.ZERO_SEED.bit();
            int t = r.nextInt(12);
            // template: a member (perhaps closed), none, or an outer map (a map-in-map)
            int template = t == 0 ? -1 : t == 1 && !a.outers.isEmpty() ? -2 - r.nextInt(a.outers.size())
                    : r.nextInt(a.members.size());
            MapType type = array ? MapType.ARRAY_OF_MAPS : MapType.HASH_OF_MAPS;
            op = "create outer o" + a.outers.size() + " " + type.bpftoolName() + " key " + key + " value " + value
                    + " max " + max + " flags 0x" + Integer.toHexString(flags) + " template "
                    + (template == -1 ? "none" : template >= 0 ? "m" + template : "o" + (-2 - template));
            ea = createOuter(a, type, key, value, max, flags, template);
            eb = createOuter(b, type, key, value, max, flags, template);
        } else {
            List<Integer> open = new ArrayList<>();
            for (int i = 0; i < a.outers.size(); i++) {
                if (a.outers.get(i) != null && b.outers.get(i) != null && (!a.outers.get(i).isClosed()
                        || r.nextInt(20) == 0)) {
                    open.add(i);
                }
            }
            if (open.isEmpty()) {
                log.add(step + " (no outer map to use)");
                return;
            }
            int o = open.get(r.nextInt(open.size()));
            BpfMap oa = a.outers.get(o);
            BpfMap ob = b.outers.get(o);
            int max = Math.max(1, oa.isClosed() ? 1 : oa.maxEntries());
            byte[] key = oa.keySize() == 4 ? Bytes.u32(r.nextInt(max + 2)) : Bytes.filled(oa.keySize(),
                    r.nextInt(max + 2));
            int kind = r.nextInt(100);
            if (kind < 30) {
                Source s = source(r, a);
                long flags = r.nextInt(6) == 0 ? new long[] {1, 2, 4, 8}[r.nextInt(4)] : 0;
                Integer na = number(a, s);
                Integer nb = number(b, s);
                op = "o" + o + " update key " + Bytes.hex(key) + " <- " + s + " flags " + flags;
                if (na == null || nb == null) {
                    log.add(step + " " + op + " (skipped: number in use)");
                    return;
                }
                ea = Outcome.run(op, () -> oa.update(key, Bytes.u32(na), flags));
                eb = Outcome.run(op, () -> ob.update(key, Bytes.u32(nb), flags));
                if (number(a, s) == null || number(b, s) == null) {
                    log.add(step + " " + op + " (skipped: number reused during the step)");
                    return;
                }
            } else if (kind < 45) {
                op = "o" + o + " lookup key " + Bytes.hex(key);
                ea = lookup(a, oa, key, op);
                eb = lookup(b, ob, key, op);
            } else if (kind < 55) {
                op = "o" + o + " delete key " + Bytes.hex(key);
                ea = Outcome.of(op, () -> String.valueOf(oa.delete(key)));
                eb = Outcome.of(op, () -> String.valueOf(ob.delete(key)));
            } else if (kind < 62) {
                boolean first = r.nextInt(3) == 0;
                op = "o" + o + " next key after " + (first ? "null" : Bytes.hex(key));
                ea = nextKeys(oa, first ? null : key, op);
                eb = nextKeys(ob, first ? null : key, op);
            } else if (kind < 72) {
                int count = r.nextInt(6);
                boolean delete = r.nextInt(3) == 0;
                long elemFlags = r.nextInt(10) == 0 ? 4 : 0;
                op = "o" + o + (delete ? " lookup_and_delete" : " lookup") + " batch count " + count + " flags "
                        + elemFlags;
                ea = readBatch(a, oa, delete, count, elemFlags, op);
                eb = readBatch(b, ob, delete, count, elemFlags, op);
            } else if (kind < 78) {
                int count = 1 + r.nextInt(3);
                Source[] sources = new Source[count];
                byte[] keys = new byte[count * oa.keySize()];
                int[] keyInts = new int[count];
                for (int i = 0; i < count; i++) {
                    sources[i] = source(r, a);
                    keyInts[i] = r.nextInt(max + 2);
                }
                op = "o" + o + " update batch keys " + java.util.Arrays.toString(keyInts) + " <- "
                        + java.util.Arrays.toString(sources);
                byte[] va = values(a, sources);
                byte[] vb = values(b, sources);
                if (va == null || vb == null) {
                    log.add(step + " " + op + " (skipped: number in use)");
                    return;
                }
                for (int i = 0; i < count; i++) {
                    System.arraycopy(oa.keySize() == 4 ? Bytes.u32(keyInts[i]) : Bytes.filled(oa.keySize(),
                            keyInts[i]), 0, keys, i * oa.keySize(), oa.keySize());
                }
                ea = Outcome.of(op, () -> batchCall(() -> "" + oa.updateBatch(keys, va, count, 0)));
                eb = Outcome.of(op, () -> batchCall(() -> "" + ob.updateBatch(keys, vb, count, 0)));
                if (values(a, sources) == null || values(b, sources) == null) {
                    log.add(step + " " + op + " (skipped: number reused during the step)");
                    return;
                }
            } else if (kind < 82) {
                int count = 1 + r.nextInt(3);
                byte[] keys = new byte[count * oa.keySize()];
                for (int i = 0; i < count; i++) {
                    int k = r.nextInt(max + 2);
                    System.arraycopy(oa.keySize() == 4 ? Bytes.u32(k) : Bytes.filled(oa.keySize(), k), 0, keys,
                            i * oa.keySize(), oa.keySize());
                }
                op = "o" + o + " delete batch keys " + Bytes.hex(keys);
                ea = Outcome.of(op, () -> batchCall(() -> "" + oa.deleteBatch(keys, count, 0)));
                eb = Outcome.of(op, () -> batchCall(() -> "" + ob.deleteBatch(keys, count, 0)));
            } else if (kind < 84) {
                op = "o" + o + " lookup_and_delete key " + Bytes.hex(key);
                ea = Outcome.of(op, () -> String.valueOf(oa.lookupAndDelete(key, new byte[4])));
                eb = Outcome.of(op, () -> String.valueOf(ob.lookupAndDelete(key, new byte[4])));
            } else if (kind < 85) {
                op = "o" + o + " freeze";
                ea = Outcome.run(op, oa::freeze);
                eb = Outcome.run(op, ob::freeze);
            } else if (kind < 88) {
                op = "o" + o + " info";
                ea = Outcome.of(op, () -> info(oa.info()));
                eb = Outcome.of(op, () -> info(ob.info()));
            } else if (kind < 92) {
                int helper = r.nextInt(3);
                op = "o" + o + " program " + new String[] {"lookup", "update", "delete"}[helper] + " key "
                        + Bytes.hex(key);
                ea = program(oa, helper, key, op);
                eb = program(ob, helper, key, op);
            } else if (kind < 95) {
                int m = r.nextInt(a.members.size());
                op = "close member m" + m + " then check its id";
                ea = closeAndCheck(a, m);
                eb = closeAndCheck(b, m);
                if (ea.equals("gone") && eb.equals("present")) {
                    eb = waitGone(b, m);
                }
            } else if (kind < 99) {
                int m = r.nextInt(a.members.size());
                op = "check member m" + m + " id";
                ea = alive(a, m);
                eb = alive(b, m);
                if (ea.equals("gone") && eb.equals("present")) {
                    eb = waitGone(b, m);
                }
            } else {
                op = "close outer o" + o;
                oa.close();
                ob.close();
                ea = "closed";
                eb = "closed";
            }
        }
        log.add(step + " " + op + "\n    A: " + ea + "\n    B: " + eb);
        String kindName = op.replaceAll("^o\\d+ ", "").replaceAll(" (key|keys|count|after|m\\d|o\\d|<-).*", "")
                .replaceAll("\\d+", "");
        String result = ea.startsWith("ok") ? (ea.contains("Exception(") ? "failed batch" : "ok")
                : Outcome.errnoOf(ea) == null ? ea : Outcome.errnoOf(ea);
        STATS.merge(kindName + " -> " + result, 1, Integer::sum);
        if (!ea.equals(eb)) {
            int from = Math.max(0, log.size() - 15);
            assertEquals(ea, eb, "seed " + seed + ", step " + step + "; last steps:\n"
                    + String.join("\n", log.subList(from, log.size())));
        }
    }

    private String createMember(Side s, MapSpec spec) {
        String label = "m" + s.members.size();
        try {
            BpfMap m = s.backend.create(spec);
            s.members.add(m);
            s.memberFds.add(m.fd());
            s.labels.put(m.id(), label);
            return "ok";
        } catch (BpfException e) {
            s.members.add(null);
            s.memberFds.add(null);
            return Outcome.describe("create member", e);
        }
    }

    private String createOuter(Side s, MapType type, int key, int value, int max, int flags, int template) {
        BpfMap inner = template == -1 ? null : template >= 0 ? s.members.get(template)
                : s.outers.get(-2 - template);
        String label = "o" + s.outers.size();
        if (template != -1 && inner == null) {
            s.outers.add(null);
            return "no template";
        }
        MapSpec spec = MapSpec.builder(type).keySize(key).valueSize(value).maxEntries(max).flags(flags)
                .innerMap(inner).build();
        try {
            BpfMap m = s.backend.create(spec);
            s.outers.add(m);
            s.labels.put(m.id(), label);
            return "ok";
        } catch (BpfException e) {
            s.outers.add(null);
            return Outcome.describe("create outer", e);
        }
    }

    private static String lookup(Side s, BpfMap outer, byte[] key, String op) {
        return Outcome.of(op, () -> {
            byte[] v = new byte[4];
            return outer.lookup(key, v) ? s.label(Bytes.u32At(v, 0)) : "miss";
        });
    }

    private static String nextKeys(BpfMap outer, byte[] key, String op) {
        return Outcome.of(op, () -> {
            byte[] next = new byte[outer.keySize()];
            return outer.nextKey(key, next) ? Bytes.hex(next) : "end";
        });
    }

    /** A batch call's result, or its failure with the count the backend reported. */
    private static String batchCall(java.util.function.Supplier<String> call) {
        try {
            return call.get();
        } catch (BpfException e) {
            return Outcome.describe("batch", e) + " count " + e.batchCount();
        }
    }

    private static String readBatch(Side s, BpfMap outer, boolean delete, int count, long elemFlags, String op) {
        return Outcome.of(op, () -> batchCall(() -> {
            StringBuilder sb = new StringBuilder();
            byte[] in = null;
            for (int round = 0; round < 3; round++) {
                byte[] out = new byte[outer.batchCursorSize()];
                byte[] keys = new byte[count * outer.keySize()];
                byte[] values = new byte[count * 4];
                BatchResult res = delete ? outer.lookupAndDeleteBatch(in, out, keys, values, count, elemFlags)
                        : outer.lookupBatch(in, out, keys, values, count, elemFlags);
                sb.append('[').append(res.count()).append(res.done() ? " end" : "");
                for (int i = 0; i < res.count(); i++) {
                    sb.append(' ').append(Bytes.hex(keys, i * outer.keySize(), outer.keySize())).append('=')
                            .append(s.label(Bytes.u32At(values, i * 4)));
                }
                sb.append(']');
                if (res.done() || res.count() == 0) {
                    break;
                }
                in = out;
            }
            return sb.toString();
        }));
    }

    private static byte[] valuesOf(int[] numbers) {
        byte[] v = new byte[numbers.length * 4];
        for (int i = 0; i < numbers.length; i++) {
            System.arraycopy(Bytes.u32(numbers[i]), 0, v, i * 4, 4);
        }
        return v;
    }

    private byte[] values(Side s, Source[] sources) {
        int[] numbers = new int[sources.length];
        for (int i = 0; i < sources.length; i++) {
            Integer n = number(s, sources[i]);
            if (n == null) {
                return null;
            }
            numbers[i] = n;
        }
        return valuesOf(numbers);
    }

    private static String info(MapInfo i) {
        return i.type().bpftoolName() + " key " + i.keySize() + " value " + i.valueSize() + " max "
                + i.maxEntries() + " flags 0x" + Integer.toHexString(i.flags()) + (i.frozen() ? " frozen" : "");
    }

    private static String program(BpfMap outer, int helper, byte[] key, String op) {
        return Outcome.of(op, () -> {
            try (ProgramView p = outer.programView(0)) {
                byte[] value = new byte[4];
                switch (helper) {
                    case 0:
                        boolean found = p.lookup(key, value);
                        return found + " " + Bytes.hex(value);
                    case 1:
                        p.update(key, Bytes.u32(0), 0);
                        return "updated";
                    default:
                        return String.valueOf(p.delete(key));
                }
            }
        });
    }

    private static String closeAndCheck(Side s, int m) {
        BpfMap member = s.members.get(m);
        if (member == null) {
            return "never created";
        }
        member.close();
        return alive(s, m);
    }

    private static String alive(Side s, int m) {
        BpfMap member = s.members.get(m);
        if (member == null) {
            return "never created";
        }
        int id = member.id();
        for (int x : s.backend.mapIds()) {
            if (x == id) {
                return "present";
            }
        }
        return "gone";
    }

    /** Polls until member {@code m}'s id is gone from {@code s}, at most {@link #GONE_WITHIN_MS}. */
    private static String waitGone(Side s, int m) {
        long deadline = System.nanoTime() + GONE_WITHIN_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (alive(s, m).equals("gone")) {
                return "gone";
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return alive(s, m).equals("gone") ? "gone" : "present after " + GONE_WITHIN_MS + " ms";
    }

    /**
     * Whether descriptor number {@code fd} is open on {@code s}'s backend for anything: on linux the process's
     * table ({@code /proc/self/fd}), elsewhere the maps of this sequence (a simulated kernel's descriptors are
     * only the maps made in it).
     */
    private static boolean isOpen(Side s, int fd) {
        if (s.backend.name().equals("linux")) {
            return fd >= 0 && Files.exists(Path.of("/proc/self/fd/" + fd), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        for (List<BpfMap> maps : List.of(s.members, s.outers)) {
            for (BpfMap m : maps) {
                if (m != null && !m.isClosed() && m.fd() == fd) {
                    return true;
                }
            }
        }
        return false;
    }
}
