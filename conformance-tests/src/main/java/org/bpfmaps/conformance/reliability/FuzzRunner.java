package org.bpfmaps.conformance.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.reliability.FuzzCase.Buf;
import org.bpfmaps.conformance.reliability.FuzzCase.Form;
import org.bpfmaps.conformance.reliability.FuzzCase.Kind;
import org.bpfmaps.conformance.reliability.FuzzCase.Length;
import org.bpfmaps.conformance.reliability.FuzzCase.Op;

/**
 * Runs one {@link FuzzCase} on one backend and returns one outcome line per call (the create first).
 *
 * <p>Besides rendering outcomes it checks, per call, the parts of the contract that need no kernel: a closed
 * handle gives {@code MapClosedException(EBADF)}, a buffer of the wrong size (or a read-only output buffer, a
 * negative batch count, batch arrays too small for the count) gives {@code InvalidArgumentException(EINVAL)}
 * before anything reaches the kernel, and {@code ByteBuffer} position and limit are left as they were. Those
 * predictions hold whatever the map's state: a frozen map or a read-only descriptor answers a wrong size with
 * {@code EINVAL}, where the kernel would have said {@code EPERM}.
 */
public final class FuzzRunner {
    /**
     * Largest buffer the runner allocates; a buffer that would be larger is given {@link #STANDIN} bytes instead,
     * which makes it a wrong size (and keeps huge batch counts cheap to try).
     */
    static final long MAX_BUFFER = 2L << 20;
    static final long STANDIN = 4096;
    static final String CLOSED = "MapClosedException(EBADF)";
    static final String EINVAL = "InvalidArgumentException(EINVAL)";
    static final String EPERM = "PermissionDeniedException(EPERM)";

    private final MapBackend backend;
    private final int cpus;
    /** Nanoseconds spent per operation kind (and in create), for the run's report. */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> nanosByKind =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A runner for {@code backend}. */
    public FuzzRunner(MapBackend backend) {
        this.backend = backend;
        this.cpus = backend.possibleCpus();
    }

    /** The outcome lines of a case, the create first; one line per call made (= cases counted). */
    public List<String> run(FuzzCase c) {
        return backend.onCpu(0, () -> runOnCpu0(c));
    }

    private List<String> runOnCpu0(FuzzCase c) {
        List<String> out = new ArrayList<>();
        BpfMap[] holder = new BpfMap[1];
        long t0 = System.nanoTime();
        String created = Outcome.of("create " + c.spec(), () -> {
            holder[0] = backend.create(c.spec().toMapSpec());
            BpfMap m = holder[0];
            return "key=" + m.keySize() + " value=" + m.valueSize() + " max=" + Integer.toUnsignedString(m.maxEntries())
                    + " flags=0x" + Integer.toHexString(m.flags()) + " access=" + m.access();
        });
        out.add("create -> " + created);
        time("create", t0);
        BpfMap map = holder[0];
        if (map == null) {
            return out;
        }
        if (map.type().isRingBuffer()) {
            ringSpecs.incrementAndGet();
        }
        Map<Integer, ProgramView> views = new TreeMap<>();
        RingCalls ring = new RingCalls(backend, map);
        try {
            boolean deterministic = c.spec().deterministic();
            for (Op op : c.ops()) {
                if (!deterministic && op.kind() == Kind.LOOKUP_AND_DELETE_BATCH) {
                    continue; // which elements it takes depends on the hash seed; later results would diverge
                }
                long t1 = System.nanoTime();
                String outcome = Outcome.of(op + " on " + map, () -> op.kind().isRing() ? ring.call(op)
                        : call(map, views, op, deterministic));
                time(op.kind().name(), t1);
                long took = System.nanoTime() - t1;
                if (took > slowestCall) {
                    slowestCall = took;
                    slowestCallText = String.format("%.1f ms: %s on %s", took / 1e6, op, c.spec());
                }
                String expected = predict(map, op);
                if (expected != null && !expected.equals(outcome)) {
                    throw new AssertionError("contract broken on " + backend.name() + ": " + op + " on " + map
                            + " (" + c.spec() + ") gave " + outcome + ", documented: " + expected);
                }
                if (op.kind().isProgram() && probeReadCopy(map)) {
                    outcome = "* (access-flagged map copied with bpf_probe_read_kernel: a documented difference)";
                }
                if (!deterministic && op.kind() == Kind.LOOKUP_BATCH && outcome.equals("BpfException(ENOSPC)")) {
                    outcome = "ok *"; // whether the first bucket fits in count depends on the hash seed
                }
                out.add(op + " -> " + outcome);
                if (op.kind().isRing()) {
                    ringCalls.incrementAndGet();
                    if (map.type().isRingBuffer() && !outcome.startsWith("ok")) {
                        ringRefusals.incrementAndGet();
                    }
                }
            }
        } finally {
            ring.close();
            for (ProgramView v : views.values()) {
                try {
                    v.close();
                } catch (BpfException ignored) {
                    // a view of a closed map may refuse; the map close below releases what it holds
                }
            }
            map.close();
        }
        return out;
    }

    private final java.util.concurrent.atomic.AtomicLong ringCalls = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong ringRefusals = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong ringSpecs = new java.util.concurrent.atomic.AtomicLong();

    /** Ring calls made (reader, writer, ring helpers), how many on a ring ended in an exception, ring maps made. */
    public String ringSummary() {
        return ringCalls + " ring calls (" + ringRefusals + " refused on a ring) on " + ringSpecs + " ring maps";
    }

    /**
     * Whether the linux program view copies this map's key or value with {@code bpf_probe_read_kernel} (a value
     * over 4096 bytes, or a key so large that the copy's offsets pass 32767) while the map has
     * {@code BPF_F_RDONLY_PROG} or {@code BPF_F_WRONLY_PROG}: the verifier then neither refuses the read nor folds
     * the frozen value, which the simulator does not model (its package documentation lists this difference).
     * Such program calls still must end in a documented outcome, but are not compared.
     */
    static boolean probeReadCopy(BpfMap map) {
        boolean accessFlags = MapFlag.RDONLY_PROG.isSet(map.flags()) || MapFlag.WRONLY_PROG.isSet(map.flags());
        long ks = Integer.toUnsignedLong(map.keySize());
        long vs = Integer.toUnsignedLong(map.valueSize());
        return accessFlags && (vs > 4096 || ks > 4096 || ks + vs + 64 > Short.MAX_VALUE);
    }

    private long slowestCall;
    private String slowestCallText = "";

    private void time(String what, long since) {
        nanosByKind.computeIfAbsent(what, k -> new java.util.concurrent.atomic.AtomicLong())
                .addAndGet(System.nanoTime() - since);
    }

    /** The three most expensive kinds of call so far, e.g. {@code create 3.1 s, PROGRAM_LOOKUP 1.2 s, ...}. */
    public String slowest() {
        return nanosByKind.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(3)
                .map(e -> String.format("%s %.1f s", e.getKey(), e.getValue().get() / 1e9))
                .collect(java.util.stream.Collectors.joining(", ")) + "; slowest call " + slowestCallText;
    }

    // ---- prediction ---------------------------------------------------------------------------------

    /** The documented outcome when it does not depend on the kernel, else {@code null}. */
    private String predict(BpfMap map, Op op) {
        if (op.kind() == Kind.CLOSE) {
            return "ok";
        }
        if (op.kind().isRing()) {
            return null; // checked against the other backend; the descriptor used may be one still open
        }
        if (map.isClosed()) {
            return op.kind().isProgram() ? null : CLOSED;
        }
        long ks = Integer.toUnsignedLong(map.keySize());
        long vbs = map.valueBufferSize();
        switch (op.kind()) {
            case LOOKUP_COPY:
                return keyOk(op.key(), ks, false) ? null : EINVAL;
            case LOOKUP_INTO, LOOKUP_FLAGS, LOOKUP_BUFFER, LOOKUP_AND_DELETE, LOOKUP_AND_DELETE_BUFFER:
                return keyOk(op.key(), ks, false) && outOk(op.value(), vbs, op.kind().usesByteBuffers())
                        ? null : EINVAL;
            case UPDATE, UPDATE_BUFFER:
                return keyOk(op.key(), ks, false) && inOk(op.value(), vbs) ? null : EINVAL;
            case DELETE, DELETE_BUFFER:
                return keyOk(op.key(), ks, false) ? null : EINVAL;
            case NEXT_KEY, NEXT_KEY_BUFFER:
                return keyOk(op.key(), ks, true) && outOk(op.value(), ks, op.kind().usesByteBuffers())
                        ? null : EINVAL;
            case LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH: {
                long cursor = map.batchCursorSize();
                long inLen = op.cursor().bytes(cursor);
                boolean inOk = inLen < 0 || inLen == cursor;
                boolean outOk = op.cursor().offset() != 1;
                return inOk && outOk && batchOk(op, ks, vbs, true) ? null : EINVAL;
            }
            case UPDATE_BATCH:
                return batchOk(op, ks, vbs, true) ? null : EINVAL;
            case DELETE_BATCH:
                return batchOk(op, ks, vbs, false) ? null : EINVAL;
            case PROGRAM_LOOKUP, PROGRAM_UPDATE, PROGRAM_DELETE, PROGRAM_PUSH, PROGRAM_POP, PROGRAM_PEEK:
                return predictProgram(map, op);
            default:
                return null;
        }
    }

    private String predictProgram(BpfMap map, Op op) {
        boolean accessFlags = MapFlag.RDONLY_PROG.isSet(map.flags()) || MapFlag.WRONLY_PROG.isSet(map.flags());
        if (op.cpu() < 0 || op.cpu() >= cpus || accessFlags || map.type().isRingBuffer()) {
            return null; // which refusal comes first is the backend's (and the verifier's) business
        }
        boolean reads = op.kind() == Kind.PROGRAM_LOOKUP || op.kind() == Kind.PROGRAM_PEEK
                || op.kind() == Kind.PROGRAM_POP;
        boolean writes = op.kind() != Kind.PROGRAM_LOOKUP && op.kind() != Kind.PROGRAM_PEEK;
        if ((reads && !map.access().canRead()) || (writes && !map.access().canWrite())) {
            return EPERM; // a program view never widens its handle's access; checked before the arguments
        }
        long ks = Integer.toUnsignedLong(map.keySize());
        long vs = Integer.toUnsignedLong(map.valueSize());
        boolean keyed = switch (op.kind()) {
            case PROGRAM_LOOKUP, PROGRAM_UPDATE, PROGRAM_DELETE -> true;
            default -> false;
        };
        boolean valued = op.kind() != Kind.PROGRAM_DELETE;
        boolean ok = (!keyed || op.key().bytes(ks) == ks) && (!valued || op.value().bytes(vs) == vs);
        return ok ? null : EINVAL;
    }

    private static boolean keyOk(Buf b, long keySize, boolean nullMeansFirst) {
        long n = clamp(b.bytes(keySize));
        if (n < 0) {
            return keySize == 0 || nullMeansFirst;
        }
        return n == keySize;
    }

    private static boolean inOk(Buf b, long size) {
        long n = clamp(b.bytes(size));
        if (size == 0 && n <= 0) {
            return true;
        }
        return n == size;
    }

    private static boolean outOk(Buf b, long size, boolean byteBuffer) {
        long n = clamp(b.bytes(size));
        if (size == 0 && n <= 0) {
            return true;
        }
        if (n < 0) {
            return false;
        }
        if (byteBuffer && readOnly(b.form())) {
            return false;
        }
        return n == size;
    }

    private static boolean batchOk(Op op, long ks, long vbs, boolean values) {
        if (op.count() < 0) {
            return false;
        }
        long keysWanted = op.count() * ks;
        long keys = clamp(op.key().bytes(keysWanted));
        if (keys < 0 || keys < keysWanted) {
            return false;
        }
        if (values) {
            long valuesWanted = op.count() * vbs;
            long v = clamp(op.value().bytes(valuesWanted));
            return v >= 0 && v >= valuesWanted;
        }
        return true;
    }

    private static long clamp(long n) {
        return n > MAX_BUFFER ? STANDIN : n;
    }

    private static boolean readOnly(Form f) {
        return f == Form.READ_ONLY_HEAP || f == Form.READ_ONLY_DIRECT;
    }

    // ---- execution ----------------------------------------------------------------------------------

    private String call(BpfMap map, Map<Integer, ProgramView> views, Op op, boolean det) {
        long ks = Integer.toUnsignedLong(map.keySize());
        long vbs = map.valueBufferSize();
        long flags = op.flags();
        switch (op.kind()) {
            case LOOKUP_COPY: {
                Optional<byte[]> v = map.lookup(key(map, op, ks));
                return v.map(b -> found(map, b, det)).orElse("missing");
            }
            case LOOKUP_INTO: {
                byte[] v = array(op.value(), vbs, 0);
                return map.lookup(key(map, op, ks), v) ? found(map, v, det) : "missing";
            }
            case LOOKUP_FLAGS: {
                byte[] v = array(op.value(), vbs, 0);
                return map.lookup(key(map, op, ks), v, flags) ? found(map, v, det) : "missing";
            }
            case LOOKUP_BUFFER: {
                ByteBuffer k = buffer(op.key(), key(map, op, ks));
                ByteBuffer v = buffer(op.value(), array(op.value(), vbs, 0));
                Snapshot sk = Snapshot.of(k);
                Snapshot sv = Snapshot.of(v);
                boolean f = map.lookup(k, v, flags);
                sk.check(k, op);
                sv.check(v, op);
                return f ? found(map, contents(v), det) : "missing";
            }
            case UPDATE:
                map.update(key(map, op, ks), array(op.value(), vbs, fill(op)), flags);
                return "";
            case UPDATE_BUFFER: {
                ByteBuffer k = buffer(op.key(), key(map, op, ks));
                ByteBuffer v = buffer(op.value(), array(op.value(), vbs, fill(op)));
                Snapshot sk = Snapshot.of(k);
                Snapshot sv = Snapshot.of(v);
                map.update(k, v, flags);
                sk.check(k, op);
                sv.check(v, op);
                return "";
            }
            case DELETE:
                return map.delete(key(map, op, ks)) ? "deleted" : "missing";
            case DELETE_BUFFER: {
                ByteBuffer k = buffer(op.key(), key(map, op, ks));
                Snapshot sk = Snapshot.of(k);
                boolean d = map.delete(k);
                sk.check(k, op);
                return d ? "deleted" : "missing";
            }
            case NEXT_KEY: {
                byte[] k = key(map, op, ks);
                byte[] n = array(op.value(), ks, 0);
                boolean f = map.nextKey(k, n);
                return nextKeyResult(f, n, det, k == null);
            }
            case NEXT_KEY_BUFFER: {
                byte[] karr = key(map, op, ks);
                ByteBuffer k = karr == null ? null : buffer(op.key(), karr);
                ByteBuffer n = buffer(op.value(), array(op.value(), ks, 0));
                Snapshot sk = Snapshot.of(k);
                Snapshot sn = Snapshot.of(n);
                boolean f = map.nextKey(k, n);
                sk.check(k, op);
                sn.check(n, op);
                return nextKeyResult(f, contents(n), det, k == null);
            }
            case LOOKUP_AND_DELETE: {
                byte[] v = array(op.value(), vbs, 0);
                return map.lookupAndDelete(key(map, op, ks), v, flags) ? found(map, v, true) : "missing";
            }
            case LOOKUP_AND_DELETE_BUFFER: {
                ByteBuffer k = buffer(op.key(), key(map, op, ks));
                ByteBuffer v = buffer(op.value(), array(op.value(), vbs, 0));
                Snapshot sk = Snapshot.of(k);
                Snapshot sv = Snapshot.of(v);
                boolean f = map.lookupAndDelete(k, v, flags);
                sk.check(k, op);
                sv.check(v, op);
                return f ? found(map, contents(v), true) : "missing";
            }
            case FREEZE:
                map.freeze();
                return "";
            case INFO: {
                MapInfo i = map.info();
                return i.type() + " key=" + i.keySize() + " value=" + i.valueSize() + " max="
                        + Integer.toUnsignedString(i.maxEntries()) + " flags=0x" + Integer.toHexString(i.flags())
                        + " name=" + i.name() + " frozen=" + i.frozen();
            }
            case CLOSE:
                map.close();
                return "";
            case LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH:
                return readBatch(map, op, ks, vbs, det);
            case UPDATE_BATCH: {
                byte[] keys = batchKeys(map, op, ks);
                byte[] values = array(op.value(), Math.max(0, op.count()) * vbs, fill(op));
                return "count=" + map.updateBatch(keys, values, op.count(), flags);
            }
            case DELETE_BATCH:
                return "count=" + map.deleteBatch(batchKeys(map, op, ks), op.count(), flags);
            default:
                return program(map, views, op, det);
        }
    }

    private String readBatch(BpfMap map, Op op, long ks, long vbs, boolean det) {
        int cursor = map.batchCursorSize();
        byte[] in = op.cursor().length() == Length.NULL ? null : array(op.cursor(), cursor, 0);
        byte[] outBatch = op.cursor().offset() == 1 ? null : new byte[cursor];
        long n = Math.max(0, op.count());
        byte[] keys = array(op.key(), n * ks, 0);
        byte[] values = array(op.value(), n * vbs, 0);
        BatchResult r = op.kind() == Kind.LOOKUP_BATCH
                ? map.lookupBatch(in, outBatch, keys, values, op.count(), op.flags())
                : map.lookupAndDeleteBatch(in, outBatch, keys, values, op.count(), op.flags());
        if (!det) {
            return "*";
        }
        int c = r.count();
        return "count=" + c + " done=" + r.done() + " keys=" + Bytes.hex(Arrays.copyOf(keys, (int) (c * ks)))
                + " values=" + Bytes.hex(withoutPerCpuPadding(map, Arrays.copyOf(values, (int) (c * vbs))));
    }

    private String program(BpfMap map, Map<Integer, ProgramView> views, Op op, boolean det) {
        ProgramView v = views.get(op.cpu());
        if (v == null) {
            v = map.programView(op.cpu());
            views.put(op.cpu(), v);
        }
        long ks = Integer.toUnsignedLong(map.keySize());
        long vs = Integer.toUnsignedLong(map.valueSize());
        switch (op.kind()) {
            case PROGRAM_LOOKUP: {
                byte[] value = array(op.value(), vs, 0);
                return v.lookup(key(map, op, ks), value) ? "found " + Bytes.hex(value) : "missing";
            }
            case PROGRAM_UPDATE:
                v.update(key(map, op, ks), array(op.value(), vs, fill(op)), op.flags());
                return "";
            case PROGRAM_DELETE:
                return v.delete(key(map, op, ks)) ? "deleted" : "missing";
            case PROGRAM_PUSH:
                v.push(array(op.value(), vs, fill(op)), op.flags());
                return "";
            case PROGRAM_POP: {
                byte[] value = array(op.value(), vs, 0);
                return v.pop(value) ? "found " + Bytes.hex(value) : "missing";
            }
            default: {
                byte[] value = array(op.value(), vs, 0);
                boolean f = v.peek(value);
                if (!det && map.type() == MapType.BLOOM_FILTER) {
                    return "*";
                }
                return f ? "found " + Bytes.hex(value) : "missing";
            }
        }
    }

    private static String found(BpfMap map, byte[] value, boolean det) {
        if (!det && map.type() == MapType.BLOOM_FILTER) {
            return "*"; // a bloom filter's false positives depend on its random seed
        }
        return "found " + Bytes.hex(withoutPerCpuPadding(map, value));
    }

    /**
     * Per-CPU values with each slot's padding (bytes value_size..round_up(value_size, 8)) zeroed. When a program
     * creates a per-CPU element, the kernel fills its own slot's padding from the program's stack and leaves the
     * other slots' padding as the reused preallocated element had it; no model can know those bytes. Padding
     * round-trips for syscall writes are checked exactly by the conformance kit and the differential run.
     */
    static byte[] withoutPerCpuPadding(BpfMap map, byte[] values) {
        if (!map.type().isPerCpu() || map.valueSize() % 8 == 0) {
            return values;
        }
        byte[] out = values.clone();
        int slot = (map.valueSize() + 7) & ~7;
        for (int base = 0; base + slot <= out.length; base += slot) {
            Arrays.fill(out, base + map.valueSize(), base + slot, (byte) 0);
        }
        return out;
    }

    private static String nextKeyResult(boolean found, byte[] next, boolean det, boolean first) {
        if (!det && !first) {
            return "*"; // whether a key is the last one depends on the hash seed
        }
        if (!found) {
            return "end";
        }
        return det ? "next " + Bytes.hex(next) : "next";
    }

    // ---- buffers ------------------------------------------------------------------------------------

    private static int fill(Op op) {
        return op.keyIndex() * 37 + 1;
    }

    /** The key bytes: key index {@code i} as a host-order u32 (LPM: prefix length 5*i, data bytes i). */
    private static byte[] key(BpfMap map, Op op, long ks) {
        byte[] k = array(op.key(), ks, 0);
        if (k == null) {
            return null;
        }
        int i = op.keyIndex();
        if (map.type() == MapType.LPM_TRIE && k.length >= 4) {
            ByteBuffer.wrap(k).order(ByteOrder.nativeOrder()).putInt(0, i * 5);
            Arrays.fill(k, 4, k.length, (byte) (i * 17));
        } else if (k.length >= 4) {
            ByteBuffer.wrap(k).order(ByteOrder.nativeOrder()).putInt(0, i);
        } else if (k.length > 0) {
            k[0] = (byte) i;
        }
        return k;
    }

    private static byte[] batchKeys(BpfMap map, Op op, long ks) {
        long n = Math.max(0, op.count());
        byte[] keys = array(op.key(), n * ks, 0);
        if (keys == null || ks == 0) {
            return keys;
        }
        for (long e = 0; (e + 1) * ks <= keys.length; e++) {
            int i = (int) ((op.keyIndex() + e) % 8);
            int off = (int) (e * ks);
            if (map.type() == MapType.LPM_TRIE && ks >= 4) {
                ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder()).putInt(off, i * 5);
                Arrays.fill(keys, off + 4, (int) (off + ks), (byte) (i * 17));
            } else if (ks >= 4) {
                ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder()).putInt(off, i);
            } else {
                keys[off] = (byte) i;
            }
        }
        return keys;
    }

    /** A byte array of the buffer's length for {@code wanted} bytes (clamped), filled with {@code fill}. */
    static byte[] array(Buf b, long wanted, int fill) {
        long n = clamp(b.bytes(wanted));
        if (n < 0) {
            return null;
        }
        byte[] a = new byte[(int) n];
        if (fill != 0) {
            Arrays.fill(a, (byte) fill);
        }
        return a;
    }

    /** A ByteBuffer holding {@code bytes} between position and limit, made as the buffer's form says. */
    static ByteBuffer buffer(Buf b, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        int off = b.offset();
        ByteBuffer bb;
        switch (b.form()) {
            case HEAP -> bb = ByteBuffer.wrap(bytes);
            case DIRECT -> bb = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            case HEAP_SLICE -> {
                bb = ByteBuffer.allocate(off + bytes.length + 5);
                bb.position(off);
                bb.put(bytes);
                bb.position(off).limit(off + bytes.length);
            }
            case DIRECT_SLICE -> {
                ByteBuffer big = ByteBuffer.allocateDirect(off + bytes.length + 3);
                big.position(off);
                big.put(bytes);
                big.position(off).limit(off + bytes.length);
                bb = big.slice();
            }
            case READ_ONLY_HEAP -> bb = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            default -> bb = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
        }
        return bb;
    }

    private static byte[] contents(ByteBuffer b) {
        if (b == null) {
            return new byte[0];
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Position and limit before a call, to check the call left them alone. */
    private record Snapshot(int position, int limit) {
        static Snapshot of(ByteBuffer b) {
            return b == null ? new Snapshot(-1, -1) : new Snapshot(b.position(), b.limit());
        }

        void check(ByteBuffer b, Op op) {
            if (b != null && (b.position() != position || b.limit() != limit)) {
                throw new Outcome.Undocumented(op + ": ByteBuffer position/limit moved from " + position + "/"
                        + limit + " to " + b.position() + "/" + b.limit() + " (documented: unchanged)", null);
            }
        }
    }
}
