package org.bpfmaps.conformance.differential;

import static org.bpfmaps.conformance.Bytes.hex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.bpfmaps.Access;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.ProgramView;

/**
 * One backend's half of a lockstep run: its map, its program views (one per CPU, opened on first use) and the
 * batch cursor its last batch lookup returned.
 */
public final class Side implements AutoCloseable {
    final String name;
    final MapBackend backend;
    final UnaryOperator<BpfMap> decorator;
    /** Whether results that depend on iteration order are compared exactly (array, or hash with ZERO_SEED). */
    boolean ordered;
    /**
     * Whether batch results are compared in full even where the kernel writes nothing: the buffers of a batch
     * refused before it starts, {@code out_batch} of a batch that copied nothing or failed with ENOSPC. On by
     * default; {@code -Dbpfmaps.differential.lenientBatch=true} relaxes it (it was needed while the linux backend
     * copied stale scratch memory there; the example kit checks those cases on their own as well).
     */
    boolean strictBatch = !Boolean.getBoolean("bpfmaps.differential.lenientBatch");
    BpfMap map;
    byte[] carriedCursor;
    private final Map<Integer, ProgramView> views = new TreeMap<>();
    private final Map<Access, BpfMap> others = new java.util.EnumMap<>(Access.class);

    Side(String name, MapBackend backend, UnaryOperator<BpfMap> decorator) {
        this.name = name;
        this.backend = backend;
        this.decorator = decorator;
    }

    /** Creates the map; the outcome includes the attributes the map reports. */
    String create(MapSpec spec, boolean ordered) {
        this.ordered = ordered;
        try {
            map = decorator.apply(backend.create(spec));
            return "created key=" + map.keySize() + " value=" + map.valueSize() + " max=" + map.maxEntries()
                    + " flags=0x" + Integer.toHexString(map.flags()) + " valueBuffer=" + map.valueBufferSize()
                    + " cursor=" + map.batchCursorSize();
        } catch (BpfException e) {
            map = null;
            return Op.error(e);
        }
    }

    /** A second descriptor of the map with {@code access}, opened by id on first use. */
    BpfMap other(Access access) {
        BpfMap m = others.get(access);
        if (m == null) {
            m = decorator.apply(backend.openById(map.id(), access));
            others.put(access, m);
        }
        return m;
    }

    /** The program view on {@code cpu}, opened on first use. */
    ProgramView view(int cpu) {
        ProgramView v = views.get(cpu);
        if (v == null) {
            v = map.programView(cpu);
            views.put(cpu, v);
        }
        return v;
    }

    /**
     * Walks the map with get_next_key from null and looks every key up. Ordered: the sequence; unordered: the
     * sorted set, after checking that no key came twice.
     */
    String walk() {
        List<String> seen = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int limit = Math.max(map.maxEntries(), 0) * 2 + 8;
        try {
            byte[] cur = null;
            byte[] next = Op.out(map.keySize());
            while (map.nextKey(cur, next)) {
                String k = hex(next);
                if (!keys.add(k)) {
                    return "INVARIANT VIOLATED: get_next_key walk returned " + k + " twice: " + seen;
                }
                byte[] v = Op.out(map.valueBufferSize());
                boolean found = map.lookup(next, v);
                seen.add(k + "=" + (found ? hex(v) : "MISSING"));
                if (seen.size() > limit) {
                    return "INVARIANT VIOLATED: get_next_key walk longer than " + limit + ": " + seen;
                }
                cur = next.clone();
            }
        } catch (BpfException e) {
            return "walk " + Op.error(e) + " after " + seen;
        }
        if (!ordered) {
            seen.sort(null);
        }
        return "walk " + seen;
    }

    /**
     * Walks the map with lookup batches of {@code chunk} elements, carrying the cursor, doubling the chunk after
     * ENOSPC. Every key must come exactly once; ordered maps compare the sequence, others the sorted set.
     */
    String batchWalk(int chunk) {
        List<String> seen = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int c = Math.max(chunk, 1);
        byte[] in = null;
        int k = map.keySize();
        int vs = map.valueBufferSize();
        try {
            for (int call = 0; call < 200; call++) {
                byte[] outBatch = Op.out(map.batchCursorSize());
                byte[] kb = Op.out(c * k);
                byte[] vb = Op.out(c * vs);
                BatchResult r;
                try {
                    r = map.lookupBatch(in, outBatch, kb, vb, c, 0);
                } catch (BpfException e) {
                    if (e.errno() == 28 && c < 4096) {
                        c *= 2;
                        continue;
                    }
                    throw e;
                }
                for (int i = 0; i < r.count(); i++) {
                    String key = hex(kb, i * k, k);
                    if (!keys.add(key)) {
                        return "INVARIANT VIOLATED: batch walk returned " + key + " twice: " + seen;
                    }
                    seen.add(key + "=" + hex(vb, i * vs, vs));
                }
                if (r.done()) {
                    if (!ordered) {
                        seen.sort(null);
                    }
                    return "batch walk " + seen;
                }
                in = outBatch;
            }
            return "INVARIANT VIOLATED: batch walk did not end after 200 calls: " + seen;
        } catch (BpfException e) {
            return "batch walk " + Op.batchError(this, e) + " after " + seen.size() + " elements";
        }
    }

    @Override
    public void close() {
        for (ProgramView v : views.values()) {
            try {
                v.close();
            } catch (RuntimeException ignored) {
                // closing is best effort; the map close below releases the rest
            }
        }
        views.clear();
        for (BpfMap m : others.values()) {
            m.close();
        }
        others.clear();
        if (map != null) {
            map.close();
            map = null;
        }
        carriedCursor = null;
    }
}
