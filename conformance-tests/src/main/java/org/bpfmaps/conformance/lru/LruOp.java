package org.bpfmaps.conformance.lru;

import static org.bpfmaps.conformance.Bytes.hex;

import java.util.Arrays;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.UpdateFlags;

/**
 * One operation of the LRU differential, every argument fixed at generation time. {@link #cpu()} is the CPU the
 * calling thread is on ({@code MapBackend.onCpu}); program ops also name the CPU the program runs on, which may
 * differ (the kernel then runs it there by IPI). {@link #apply} renders the result canonically: {@code ok},
 * {@code found <hex>}, {@code miss}, batch counts and buffers, or {@code ERR errno=N}.
 */
public sealed interface LruOp {
    /** The CPU user-space calls are issued from. */
    int cpu();

    /** Runs the op on one side. */
    String apply(LruSide s);

    /** Renders an exception. */
    static String error(BpfException e) {
        return "ERR errno=" + e.errno() + (e.batchCount() >= 0 ? " batchCount=" + e.batchCount() : "");
    }

    /** Renders update flags. */
    static String flags(long f) {
        return UpdateFlags.describe(f);
    }

    /** {@code BPF_MAP_UPDATE_ELEM}; per-CPU maps get {@code value + i} in CPU i's slot. */
    record Update(int cpu, long key, long value, long flags) implements LruOp {
        @Override
        public String apply(LruSide s) {
            try {
                s.map.update(s.key(key), s.syscallValue(value), flags);
                return "ok";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " update key=" + key + " value=" + value + " " + LruOp.flags(flags);
        }
    }

    /** {@code BPF_MAP_LOOKUP_ELEM} (does not set the reference bit). */
    record Lookup(int cpu, long key) implements LruOp {
        @Override
        public String apply(LruSide s) {
            byte[] v = new byte[s.map.valueBufferSize()];
            try {
                return s.map.lookup(s.key(key), v) ? "found " + hex(v) : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " lookup key=" + key;
        }
    }

    /** {@code BPF_MAP_DELETE_ELEM}. */
    record Delete(int cpu, long key) implements LruOp {
        @Override
        public String apply(LruSide s) {
            try {
                return s.map.delete(s.key(key)) ? "deleted" : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " delete key=" + key;
        }
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}. */
    record LookupAndDelete(int cpu, long key) implements LruOp {
        @Override
        public String apply(LruSide s) {
            byte[] v = new byte[s.map.valueBufferSize()];
            try {
                return s.map.lookupAndDelete(s.key(key), v) ? "found " + hex(v) : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " lookupAndDelete key=" + key;
        }
    }

    /** {@code bpf_map_lookup_elem} in a program on {@code progCpu} (sets the reference bit). */
    record ProgLookup(int cpu, int progCpu, long key) implements LruOp {
        @Override
        public String apply(LruSide s) {
            byte[] v = new byte[s.map.valueSize()];
            try {
                return s.view(progCpu).lookup(s.key(key), v) ? "found " + hex(v) : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " program@cpu" + progCpu + " lookup key=" + key;
        }
    }

    /** {@code bpf_map_update_elem} in a program on {@code progCpu} (writes that CPU's slot of per-CPU maps). */
    record ProgUpdate(int cpu, int progCpu, long key, long value, long flags) implements LruOp {
        @Override
        public String apply(LruSide s) {
            try {
                s.view(progCpu).update(s.key(key), s.programValue(value), flags);
                return "ok";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " program@cpu" + progCpu + " update key=" + key + " value=" + value + " "
                    + LruOp.flags(flags);
        }
    }

    /** {@code bpf_map_delete_elem} in a program on {@code progCpu}. */
    record ProgDelete(int cpu, int progCpu, long key) implements LruOp {
        @Override
        public String apply(LruSide s) {
            try {
                return s.view(progCpu).delete(s.key(key)) ? "deleted" : "miss";
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " program@cpu" + progCpu + " delete key=" + key;
        }
    }

    /** {@code BPF_MAP_UPDATE_BATCH} of {@code keys}, values {@code value + index}. */
    record UpdateBatch(int cpu, long[] keys, long value, long flags) implements LruOp {
        @Override
        public String apply(LruSide s) {
            int ks = s.map.keySize();
            int vs = s.map.valueBufferSize();
            byte[] kb = new byte[keys.length * ks];
            byte[] vb = new byte[keys.length * vs];
            for (int i = 0; i < keys.length; i++) {
                System.arraycopy(s.key(keys[i]), 0, kb, i * ks, ks);
                System.arraycopy(s.syscallValue(value + i), 0, vb, i * vs, vs);
            }
            try {
                return "ok " + s.map.updateBatch(kb, vb, keys.length, flags);
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " updateBatch keys=" + Arrays.toString(keys) + " value=" + value + "+i "
                    + LruOp.flags(flags);
        }
    }

    /** {@code BPF_MAP_DELETE_BATCH} of {@code keys}. */
    record DeleteBatch(int cpu, long[] keys) implements LruOp {
        @Override
        public String apply(LruSide s) {
            int ks = s.map.keySize();
            byte[] kb = new byte[keys.length * ks];
            for (int i = 0; i < keys.length; i++) {
                System.arraycopy(s.key(keys[i]), 0, kb, i * ks, ks);
            }
            try {
                return "ok " + s.map.deleteBatch(kb, keys.length, 0);
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " deleteBatch keys=" + Arrays.toString(keys);
        }
    }

    /** {@code BPF_MAP_LOOKUP_BATCH} or {@code LOOKUP_AND_DELETE_BATCH} from the start, {@code count} elements. */
    record LookupBatch(int cpu, boolean andDelete, int count) implements LruOp {
        @Override
        public String apply(LruSide s) {
            int ks = s.map.keySize();
            int vs = s.map.valueBufferSize();
            byte[] out = new byte[s.map.batchCursorSize()];
            byte[] kb = new byte[count * ks];
            byte[] vb = new byte[count * vs];
            try {
                BatchResult r = andDelete ? s.map.lookupAndDeleteBatch(null, out, kb, vb, count, 0)
                        : s.map.lookupBatch(null, out, kb, vb, count, 0);
                return "count=" + r.count() + " done=" + r.done() + " keys=" + hex(kb, 0, r.count() * ks)
                        + " values=" + hex(vb, 0, r.count() * vs) + (r.count() > 0 ? " out=" + hex(out) : "");
            } catch (BpfException e) {
                return error(e);
            }
        }

        @Override
        public String toString() {
            return "cpu" + cpu + (andDelete ? " lookupAndDeleteBatch" : " lookupBatch") + " count=" + count;
        }
    }
}
