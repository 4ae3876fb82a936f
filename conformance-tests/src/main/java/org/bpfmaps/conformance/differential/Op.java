package org.bpfmaps.conformance.differential;

import static org.bpfmaps.conformance.Bytes.hex;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.Access;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapInfo;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;

/**
 * One operation of a differential run, with every argument fixed at generation time so that the same op can be
 * applied to both backends and replayed. {@link #apply} returns a canonical text of the result (value bytes,
 * booleans, batch counts and buffers, or the exception class and errno) that must be equal on both sides.
 */
public sealed interface Op {
    /** Byte every output buffer is filled with before a call, so untouched bytes compare equal too. */
    byte FILL = (byte) 0x5a;

    /** Runs the op on one side and renders its result. */
    String apply(Side side);

    /** Whether the op is a program-view helper call (switchable). */
    default boolean isProgramOp() {
        return false;
    }

    /** Renders an exception the way outcomes compare them. */
    static String error(BpfException e) {
        return "ERR " + e.getClass().getSimpleName() + " errno=" + e.errno()
                + (e.batchCount() >= 0 ? " batchCount=" + e.batchCount() : "");
    }

    /**
     * Whether a batch command failed before processing anything (EPERM, EINVAL, ENOTSUPP): the kernel then
     * writes neither {@code count} nor any buffer.
     */
    static boolean refusedBeforeStart(BpfException e) {
        return e.errno() == 1 || e.errno() == 22 || e.errno() == 524;
    }

    /**
     * Renders a batch failure. Unless the side is strict, the buffers of a batch refused before it started are
     * not compared (the kernel writes none of them; the example kit checks that on its own, see
     * {@link Side#strictBatch}). Likewise {@code out_batch} after {@code ENOSPC} or after a batch that copied
     * nothing. The count of a refused batch is always compared: the kernel leaves it as passed in.
     */
    static String batchError(Side s, BpfException e) {
        if (!s.strictBatch && refusedBeforeStart(e)) {
            return error(e) + " (refused before start; buffers not compared)";
        }
        return error(e);
    }

    /** A buffer of {@code n} bytes filled with {@link #FILL}. */
    static byte[] out(int n) {
        byte[] b = new byte[Math.max(n, 0)];
        Arrays.fill(b, FILL);
        return b;
    }

    /** Size of a key buffer: the map's key size plus a deliberate error. */
    static int size(int base, int delta) {
        return Math.max(0, base + delta);
    }

    /** Resizes {@code b} by {@code delta} bytes (a deliberate wrong-size buffer), keeping its prefix. */
    static byte[] resize(byte[] b, int delta) {
        if (b == null || delta == 0) {
            return b;
        }
        return Arrays.copyOf(b, Math.max(0, b.length + delta));
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}. {@code valueDelta} makes the value buffer deliberately wrong. */
    record Lookup(byte[] key, long flags, int valueDelta) implements Op {
        @Override
        public String apply(Side s) {
            byte[] v = out(size(s.map.valueBufferSize(), valueDelta));
            try {
                boolean found = s.map.lookup(key, v, flags);
                return found ? "found " + hex(v) : "miss " + hex(v);
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "lookup key=" + hex(key) + (flags != 0 ? " flags=" + UpdateFlags.describe(flags) : "")
                    + (valueDelta != 0 ? " valueBuffer" + signed(valueDelta) : "");
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    record Update(byte[] key, byte[] value, long flags) implements Op {
        @Override
        public String apply(Side s) {
            try {
                s.map.update(key, value, flags);
                return "ok";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "update key=" + hex(key) + " value=" + hex(value) + " flags=" + UpdateFlags.describe(flags);
        }
    }

    /** {@code BPF_MAP_DELETE_ELEM}. */
    record Delete(byte[] key) implements Op {
        @Override
        public String apply(Side s) {
            try {
                return s.map.delete(key) ? "deleted" : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "delete key=" + hex(key);
        }
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY} from {@code key} (null: first). Where the backend's order is not reproducible
     * (hash without ZERO_SEED) the result is reduced to what both must agree on: whether there is a first key,
     * and that a returned key is present and differs from the one asked about.
     */
    record NextKey(byte[] key, int outDelta) implements Op {
        @Override
        public String apply(Side s) {
            byte[] next = out(size(s.map.keySize(), outDelta));
            try {
                boolean keyPresent = !s.ordered && key != null && key.length == s.map.keySize()
                        && s.map.lookup(key).isPresent();
                boolean found = s.map.nextKey(key, next);
                if (s.ordered) {
                    return found ? "next " + hex(next) : "end";
                }
                if (found) {
                    if (s.map.lookup(next).isEmpty()) {
                        return "INVARIANT VIOLATED: next key " + hex(next) + " is not in the map";
                    }
                    if (keyPresent && Arrays.equals(next, key)) {
                        return "INVARIANT VIOLATED: next key of " + hex(key) + " is itself";
                    }
                }
                return keyPresent ? "next-of-present (unordered)" : (found ? "first found" : "end");
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "nextKey key=" + (key == null ? "null" : hex(key))
                    + (outDelta != 0 ? " outBuffer" + signed(outDelta) : "");
        }
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}. */
    record LookupAndDelete(byte[] key, long flags) implements Op {
        @Override
        public String apply(Side s) {
            byte[] v = out(s.map.valueBufferSize());
            try {
                boolean found = s.map.lookupAndDelete(key, v, flags);
                return found ? "found " + hex(v) : "miss " + hex(v);
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "lookupAndDelete key=" + hex(key) + (flags != 0 ? " flags=" + UpdateFlags.describe(flags) : "");
        }
    }

    /** {@code BPF_MAP_FREEZE}. */
    record Freeze() implements Op {
        @Override
        public String apply(Side s) {
            try {
                s.map.freeze();
                return "ok";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "freeze";
        }
    }

    /** Where a batch lookup starts. */
    enum Cursor {
        /** {@code in_batch = NULL}. */
        START,
        /** The {@code out_batch} of this side's previous batch lookup (start when there was none). */
        CARRIED,
        /** The explicit bytes of the op. */
        EXPLICIT
    }

    /**
     * {@code BPF_MAP_LOOKUP_BATCH} or {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}. In unordered mode (hash without
     * ZERO_SEED) the driver only generates whole-map walks (start cursor, count >= max_entries), whose result is
     * compared as a sorted set.
     */
    record LookupBatch(boolean andDelete, Cursor cursor, byte[] explicitCursor, int count, long elemFlags,
                       int outDelta) implements Op {
        @Override
        public String apply(Side s) {
            BpfMap m = s.map;
            byte[] in = switch (cursor) {
                case START -> null;
                case CARRIED -> s.carriedCursor;
                case EXPLICIT -> explicitCursor;
            };
            byte[] outBatch = out(size(m.batchCursorSize(), outDelta));
            int n = Math.max(count, 0);
            byte[] keys = out(n * m.keySize());
            byte[] values = out(n * m.valueBufferSize());
            String head;
            int got = 0;
            boolean compareCursor = true;
            try {
                BatchResult r = andDelete ? m.lookupAndDeleteBatch(in, outBatch, keys, values, count, elemFlags)
                        : m.lookupBatch(in, outBatch, keys, values, count, elemFlags);
                got = r.count();
                head = "count=" + r.count() + " done=" + r.done();
                compareCursor = s.strictBatch || r.count() > 0;
            } catch (BpfException e) {
                if (!s.strictBatch && refusedBeforeStart(e)) {
                    return batchError(s, e);
                }
                head = error(e);
                got = Math.max(0, e.batchCount());
                compareCursor = s.strictBatch || e.errno() != 28;
            }
            if (outBatch.length == m.batchCursorSize() && compareCursor) {
                s.carriedCursor = outBatch.clone();
            }
            String cursorText = compareCursor ? hex(outBatch) : "(not compared: nothing copied)";
            if (s.ordered) {
                return head + " out_batch=" + cursorText + " keys=" + hex(keys) + " values=" + hex(values);
            }
            List<String> pairs = new ArrayList<>();
            int k = m.keySize();
            int v = m.valueBufferSize();
            for (int i = 0; i < Math.min(got, n); i++) {
                pairs.add(hex(keys, i * k, k) + "=" + hex(values, i * v, v));
            }
            pairs.sort(null);
            return head + " out_batch=" + cursorText + " elements(sorted)=" + pairs;
        }

        @Override
        public String toString() {
            return (andDelete ? "lookupAndDeleteBatch" : "lookupBatch") + " in_batch="
                    + (cursor == Cursor.EXPLICIT ? hex(explicitCursor) : cursor.name().toLowerCase()) + " count="
                    + count + (elemFlags != 0 ? " elem_flags=" + UpdateFlags.describe(elemFlags) : "")
                    + (outDelta != 0 ? " outBatch" + signed(outDelta) : "");
        }
    }

    /** {@code BPF_MAP_UPDATE_BATCH} of {@code count} packed pairs. */
    record UpdateBatch(byte[] keys, byte[] values, int count, long elemFlags) implements Op {
        @Override
        public String apply(Side s) {
            try {
                return "ok count=" + s.map.updateBatch(keys, values, count, elemFlags);
            } catch (BpfException e) {
                return batchError(s, e);
            }
        }

        @Override
        public String toString() {
            return "updateBatch count=" + count + " keys=" + hex(keys) + " values=" + hex(values)
                    + (elemFlags != 0 ? " elem_flags=" + UpdateFlags.describe(elemFlags) : "");
        }
    }

    /** {@code BPF_MAP_DELETE_BATCH} of {@code count} packed keys. */
    record DeleteBatch(byte[] keys, int count, long elemFlags) implements Op {
        @Override
        public String apply(Side s) {
            try {
                return "ok count=" + s.map.deleteBatch(keys, count, elemFlags);
            } catch (BpfException e) {
                return batchError(s, e);
            }
        }

        @Override
        public String toString() {
            return "deleteBatch count=" + count + " keys=" + hex(keys)
                    + (elemFlags != 0 ? " elem_flags=" + UpdateFlags.describe(elemFlags) : "");
        }
    }

    /** Program view {@code bpf_map_lookup_elem} on {@code cpu}. */
    record ProgramLookup(int cpu, byte[] key) implements Op {
        @Override
        public String apply(Side s) {
            try {
                ProgramView p = s.view(cpu);
                byte[] v = out(s.map.valueSize());
                return p.lookup(key, v) ? "found " + hex(v) : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public boolean isProgramOp() {
            return true;
        }

        @Override
        public String toString() {
            return "program[cpu " + cpu + "] lookup key=" + hex(key);
        }
    }

    /** Program view {@code bpf_map_update_elem} on {@code cpu}. */
    record ProgramUpdate(int cpu, byte[] key, byte[] value, long flags) implements Op {
        @Override
        public String apply(Side s) {
            try {
                s.view(cpu).update(key, value, flags);
                return "ok";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public boolean isProgramOp() {
            return true;
        }

        @Override
        public String toString() {
            return "program[cpu " + cpu + "] update key=" + hex(key) + " value=" + hex(value) + " flags="
                    + UpdateFlags.describe(flags);
        }
    }

    /** Program view {@code bpf_map_delete_elem} on {@code cpu}. */
    record ProgramDelete(int cpu, byte[] key) implements Op {
        @Override
        public String apply(Side s) {
            try {
                return s.view(cpu).delete(key) ? "deleted" : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public boolean isProgramOp() {
            return true;
        }

        @Override
        public String toString() {
            return "program[cpu " + cpu + "] delete key=" + hex(key);
        }
    }

    /**
     * Runs a lookup, update, delete, get_next_key or lookup-and-delete through the {@code ByteBuffer} overloads:
     * every buffer sits at {@code offset} inside a larger heap or direct buffer whose other bytes are a guard
     * pattern. The outcome text is the inner op's; a backend that moves position or limit, or writes outside
     * them, produces an {@code INVARIANT VIOLATED} outcome instead.
     */
    record ViaByteBuffer(Op inner, int offset, boolean direct) implements Op {
        private static final byte GUARD = (byte) 0x33;

        private ByteBuffer place(byte[] data) {
            if (data == null) {
                return null;
            }
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(offset + data.length + 5)
                    : ByteBuffer.allocate(offset + data.length + 5);
            for (int i = 0; i < b.capacity(); i++) {
                b.put(i, GUARD);
            }
            b.put(offset, data);
            b.position(offset).limit(offset + data.length);
            return b;
        }

        /** The bytes between the original position and limit, or a violation text. */
        private String check(ByteBuffer b, int length, String what) {
            if (b == null) {
                return null;
            }
            if (b.position() != offset || b.limit() != offset + length) {
                return "INVARIANT VIOLATED: " + what + " buffer moved: position " + b.position() + " limit "
                        + b.limit() + ", expected " + offset + " and " + (offset + length);
            }
            ByteBuffer all = b.duplicate().clear();
            for (int i = 0; i < all.capacity(); i++) {
                if ((i < offset || i >= offset + length) && all.get(i) != GUARD) {
                    return "INVARIANT VIOLATED: " + what + " buffer written outside position..limit at " + i;
                }
            }
            return null;
        }

        private static byte[] bytes(ByteBuffer b, int off, int length) {
            byte[] out = new byte[length];
            b.get(off, out);
            return out;
        }

        @Override
        public String apply(Side s) {
            BpfMap m = s.map;
            try {
                if (inner instanceof Lookup l) {
                    ByteBuffer k = place(l.key());
                    int n = size(m.valueBufferSize(), l.valueDelta());
                    ByteBuffer v = place(out(n));
                    boolean found = m.lookup(k, v, l.flags());
                    String bad = firstNonNull(check(k, l.key().length, "key"), check(v, n, "value"));
                    return bad != null ? bad : (found ? "found " : "miss ") + hex(bytes(v, offset, n));
                }
                if (inner instanceof Update u) {
                    ByteBuffer k = place(u.key());
                    ByteBuffer v = place(u.value());
                    m.update(k, v, u.flags());
                    String bad = firstNonNull(check(k, len(u.key()), "key"), check(v, len(u.value()), "value"));
                    return bad != null ? bad : "ok";
                }
                if (inner instanceof Delete d) {
                    ByteBuffer k = place(d.key());
                    boolean deleted = m.delete(k);
                    String bad = check(k, len(d.key()), "key");
                    return bad != null ? bad : deleted ? "deleted" : "miss";
                }
                if (inner instanceof LookupAndDelete l) {
                    ByteBuffer k = place(l.key());
                    int n = m.valueBufferSize();
                    ByteBuffer v = place(out(n));
                    boolean found = m.lookupAndDelete(k, v, l.flags());
                    String bad = firstNonNull(check(k, len(l.key()), "key"), check(v, n, "value"));
                    return bad != null ? bad : (found ? "found " : "miss ") + hex(bytes(v, offset, n));
                }
                if (inner instanceof NextKey nk && s.ordered) {
                    ByteBuffer k = place(nk.key());
                    int n = size(m.keySize(), nk.outDelta());
                    ByteBuffer next = place(out(n));
                    boolean found = m.nextKey(k, next);
                    String bad = firstNonNull(check(k, len(nk.key()), "key"), check(next, n, "next key"));
                    return bad != null ? bad : found ? "next " + hex(bytes(next, offset, n)) : "end";
                }
                return inner.apply(s);
            } catch (BpfException e) {
                return error(e);
            }
        }

        private static int len(byte[] b) {
            return b == null ? 0 : b.length;
        }

        private static String firstNonNull(String a, String b) {
            return a != null ? a : b;
        }

        @Override
        public String toString() {
            return inner + " [via " + (direct ? "direct" : "heap") + " ByteBuffers at offset " + offset + "]";
        }
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD}: the attributes both kernels must report (not the id). */
    record Info() implements Op {
        @Override
        public String apply(Side s) {
            try {
                MapInfo i = s.map.info();
                // RDONLY/WRONLY are masked: the kernel drops them from the map's flags (they belong to the fd),
                // the simulator reported them; MapConformanceKit#infoOmitsFdFlags checks that on its own.
                int flags = i.flags() & ~(MapFlag.RDONLY.bit() | MapFlag.WRONLY.bit());
                return "info type=" + i.type() + " key=" + i.keySize() + " value=" + i.valueSize() + " max="
                        + i.maxEntries() + " flags=0x" + Integer.toHexString(flags) + " name='" + i.name()
                        + "' extra=" + i.mapExtra() + " frozen=" + i.frozen() + " memlock=" + i.memlock();
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "info";
        }
    }

    /**
     * Runs {@code inner} through a second descriptor of the same map, opened by id with {@code access}
     * ({@code BPF_MAP_GET_FD_BY_ID} with {@code open_flags}): read-only descriptors must refuse writes with EPERM,
     * write-only ones reads, whatever the map allows.
     */
    record ViaOtherFd(Op inner, Access access) implements Op {
        @Override
        public String apply(Side s) {
            BpfMap original = s.map;
            BpfMap other;
            try {
                other = s.other(access);
            } catch (BpfException e) {
                return "open by id: " + error(e);
            }
            s.map = other;
            try {
                return inner.apply(s);
            } finally {
                s.map = original;
            }
        }

        @Override
        public String toString() {
            return inner + " [via a second fd opened by id, " + access + "]";
        }
    }

    private static String signed(int d) {
        return d > 0 ? "+" + d : String.valueOf(d);
    }
}
