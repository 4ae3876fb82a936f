package org.bpfmaps.conformance.lru;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;

/** One backend's half of an LRU differential run: its map and its program views (one per CPU, opened on use). */
public final class LruSide implements AutoCloseable {
    final String name;
    final MapBackend backend;
    BpfMap map;
    private final Map<Integer, ProgramView> views = new TreeMap<>();
    private byte[] walkCur;
    private byte[] walkNext;

    LruSide(String name, MapBackend backend) {
        this.name = name;
        this.backend = backend;
    }

    /** A key of the map's key size (4 or 8 bytes), host order. */
    byte[] key(long k) {
        int ks = map.keySize();
        ByteBuffer b = ByteBuffer.allocate(ks).order(ByteOrder.nativeOrder());
        if (ks == 4) {
            b.putInt((int) k);
        } else {
            b.putLong(k);
        }
        return b.array();
    }

    private long keyOf(byte[] k) {
        ByteBuffer b = ByteBuffer.wrap(k).order(ByteOrder.nativeOrder());
        return k.length == 4 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
    }

    /** A syscall value buffer: {@code v + i} in CPU i's slot for per-CPU maps, else {@code v}. */
    byte[] syscallValue(long v) {
        int slots = map.type().isPerCpu() ? map.possibleCpus() : 1;
        int slot = map.type().isPerCpu() ? Bytes.roundUp8(map.valueSize()) : map.valueSize();
        ByteBuffer b = ByteBuffer.allocate(map.valueBufferSize()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < slots; i++) {
            b.putLong(i * slot, v + i);
        }
        return b.array();
    }

    /** A program's value: {@code value_size} bytes. */
    byte[] programValue(long v) {
        return ByteBuffer.allocate(map.valueSize()).order(ByteOrder.nativeOrder()).putLong(0, v).array();
    }

    /** The program view on {@code cpu}. */
    ProgramView view(int cpu) {
        ProgramView v = views.get(cpu);
        if (v == null) {
            v = map.programView(cpu);
            views.put(cpu, v);
        }
        return v;
    }

    /** The keys in get_next_key order, e.g. {@code [4 1 7]}; with {@code values}, each key's syscall value too. */
    String walk(boolean values) {
        StringBuilder sb = new StringBuilder("[");
        if (walkCur == null || walkCur.length != map.keySize()) {
            walkCur = new byte[map.keySize()];
            walkNext = new byte[map.keySize()];
        }
        byte[] cur = null;
        byte[] v = values ? new byte[map.valueBufferSize()] : null;
        int limit = 2 * Math.max(map.maxEntries(), 1) + 8;
        int n = 0;
        while (map.nextKey(cur, walkNext)) {
            if (++n > limit) {
                return "INVARIANT VIOLATED: get_next_key walk longer than " + limit + ": " + sb;
            }
            if (n > 1) {
                sb.append(' ');
            }
            sb.append(keyOf(walkNext));
            if (values) {
                sb.append('=').append(map.lookup(walkNext, v) ? Bytes.hex(v) : "MISSING");
            }
            System.arraycopy(walkNext, 0, walkCur, 0, walkNext.length);
            cur = walkCur;
        }
        return sb.append(']').toString();
    }

    @Override
    public void close() {
        try {
            for (ProgramView v : views.values()) {
                try {
                    v.close();
                } catch (RuntimeException ignored) {
                    // best effort: closing the map releases the rest
                }
            }
        } finally {
            views.clear();
            if (map != null) {
                map.close();
                map = null;
            }
        }
    }
}
