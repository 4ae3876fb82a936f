package org.bpfmaps.conformance.lru;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;

/**
 * One LRU map of a sanity scenario with the vocabulary of {@code test_lru_map.c}: u64 keys, u64 values (every
 * CPU's slot for per-CPU maps), inserts with NOEXIST, "lookup with the reference bit" through a program view and
 * plain syscall lookups. Program views are opened per CPU on first use and closed with the map.
 *
 * <p>Which CPU user-space calls come from is the caller's business ({@link MapBackend#onCpu}).
 */
public final class LruMapUnderTest implements AutoCloseable {
    private final BpfMap map;
    private final Map<Integer, ProgramView> views = new TreeMap<>();

    private LruMapUnderTest(BpfMap map) {
        this.map = map;
    }

    /** Creates an LRU map of {@code type} with 8-byte keys and values. */
    public static LruMapUnderTest create(MapBackend backend, MapType type, boolean noCommonLru, int maxEntries) {
        MapSpec.Builder b = MapSpec.builder(type).keySize(8).valueSize(8).maxEntries(maxEntries).name("lru_sanity");
        if (noCommonLru) {
            b.with(MapFlag.NO_COMMON_LRU);
        }
        return new LruMapUnderTest(backend.create(b.build()));
    }

    /** The map itself. */
    public BpfMap map() {
        return map;
    }

    /** A u64 key in host order. */
    public static byte[] key(long k) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(k).array();
    }

    /** A value buffer with {@code v} in every CPU's slot (or the one slot). */
    public byte[] value(long v) {
        ByteBuffer b = ByteBuffer.allocate(map.valueBufferSize()).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 8) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Reads the u64 of slot {@code slot} of a value buffer. */
    public static long slot(byte[] value, int slot) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong(slot * 8);
    }

    /** {@code BPF_MAP_UPDATE_ELEM} with {@code flags}, value {@code v}; exceptions propagate. */
    public void update(long k, long v, long flags) {
        map.update(key(k), value(v), flags);
    }

    /** Inserts a new key as the selftest does: NOEXIST, value = key. */
    public void insert(long k) {
        update(k, k, UpdateFlags.NOEXIST);
    }

    /** Inserts keys {@code from..to} (inclusive) in ascending order. */
    public void insertRange(long from, long to) {
        for (long k = from; k <= to; k++) {
            insert(k);
        }
    }

    /** Syscall lookup: does not set the reference bit. */
    public Optional<byte[]> syscallLookup(long k) {
        return map.lookup(key(k));
    }

    /** Program lookup on {@code cpu}: sets the reference bit of the element it finds. */
    public boolean refLookup(int cpu, long k) {
        return view(cpu).lookup(key(k)).isPresent();
    }

    /** Syscall delete; {@code false} when missing. */
    public boolean delete(long k) {
        return map.delete(key(k));
    }

    /** Syscall lookup-and-delete; the value when the key was there. */
    public Optional<byte[]> lookupAndDelete(long k) {
        byte[] v = new byte[map.valueBufferSize()];
        return map.lookupAndDelete(key(k), v) ? Optional.of(v) : Optional.empty();
    }

    /** Every key, walked with get_next_key from the start. */
    public TreeSet<Long> keys() {
        TreeSet<Long> out = new TreeSet<>();
        byte[] cur = null;
        byte[] next = new byte[8];
        int limit = 2 * Math.max(map.maxEntries(), 1) + 8;
        while (map.nextKey(cur, next)) {
            long k = ByteBuffer.wrap(next).order(ByteOrder.nativeOrder()).getLong();
            if (!out.add(k) || out.size() > limit) {
                throw new AssertionError("get_next_key walk repeated key " + k + " or did not end: " + out);
            }
            cur = next.clone();
        }
        return out;
    }

    private ProgramView view(int cpu) {
        return views.computeIfAbsent(cpu, map::programView);
    }

    @Override
    public void close() {
        try {
            for (ProgramView v : views.values()) {
                v.close();
            }
        } finally {
            views.clear();
            map.close();
        }
    }
}
