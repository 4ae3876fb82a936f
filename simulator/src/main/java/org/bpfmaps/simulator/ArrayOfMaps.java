package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapSpec;

/**
 * {@code ARRAY_OF_MAPS}: {@code max_entries} slots indexed by a u32 key, each empty or holding a reference to an
 * inner map that matches the template.
 *
 * <p>Exists because an array of maps is an fd array, not an array of values: a system-call update takes a
 * descriptor number and only {@code BPF_ANY} ({@code bpf_fd_array_map_update_elem}), lookup answers the inner
 * map's id or {@code ENOENT} for an empty slot, delete empties a slot ({@code ENOENT} when already empty, unlike
 * {@code ARRAY}), there is no lookup-and-delete, and of the batch commands only lookup and update exist. Slots live
 * in a sparse map so a large array costs nothing until it is filled.
 */
final class ArrayOfMaps extends MapObject {

    private final InnerMaps inner;
    /** Filled slots by index; guarded by this (changes also under the kernel's monitor, taken first). */
    private final Map<Integer, MapObject> slots = new HashMap<>();

    ArrayOfMaps(SimulatedKernel kernel, MapSpec spec, int id, InnerMaps inner) {
        super(kernel, spec, id);
        this.inner = inner;
    }

    /** The inner-map template. */
    InnerMaps inner() {
        return inner;
    }

    /** Calls {@code action} with the key and inner map id of every filled slot, in index order (compaction). */
    synchronized void forEachSlot(java.util.function.ObjIntConsumer<byte[]> action) {
        new java.util.TreeMap<>(slots).forEach((index, m) -> {
            byte[] key = new byte[4];
            writeU32(key, 0, index);
            action.accept(key, m.id);
        });
    }

    /** The index in {@code key} when it is below {@code max_entries}, else -1. */
    private long index(ByteBuffer key) {
        long i = Integer.toUnsignedLong(readU32(key, key.position()));
        return i < Integer.toUnsignedLong(maxEntries) ? i : -1;
    }

    @Override
    int lookup(ByteBuffer key, ByteBuffer value) {
        long i = index(key);
        synchronized (this) {
            MapObject m = i < 0 ? null : slots.get((int) i);
            if (m == null) {
                return ENOENT;
            }
            writeU32(value, value.position(), m.id);
            return 0;
        }
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        if (flags != 0) {
            return EINVAL; // only BPF_ANY
        }
        long i = index(key);
        if (i < 0) {
            return E2BIG;
        }
        synchronized (kernel) {
            int[] err = new int[1];
            MapObject m = inner.acquire(value, err);
            if (m == null) {
                return err[0];
            }
            MapObject old;
            synchronized (this) {
                old = slots.put((int) i, m);
            }
            inner.release(old);
            return 0;
        }
    }

    @Override
    int delete(ByteBuffer key) {
        long i = Integer.toUnsignedLong(readU32(key, key.position()));
        if (i >= Integer.toUnsignedLong(maxEntries)) {
            return E2BIG;
        }
        synchronized (kernel) {
            MapObject old;
            synchronized (this) {
                old = slots.remove((int) i);
            }
            if (old == null) {
                return ENOENT;
            }
            inner.release(old);
            return 0;
        }
    }

    @Override
    int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return arrayNextKey(key, nextKey);
    }

    @Override
    int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    @Override
    Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                long elemFlags) {
        switch (command) {
            case BPF_MAP_LOOKUP_BATCH:
                return lookupBatch(inBatch, outBatch, keys, values, count, elemFlags);
            case BPF_MAP_UPDATE_BATCH:
                return GenericBatch.update(this, keys, values, count, elemFlags);
            default:
                return new Batch(ENOTSUPP, count); // count untouched
        }
    }

    /**
     * {@code generic_map_lookup_batch} over fd slots: get-next-key from the key cursor, then the slot's id. An
     * empty slot (lookup {@code ENOENT}) is stepped over: it is neither copied nor counted, but the walk moves past
     * it, and the cursor written to {@code out_batch} (when anything was copied) is the last index walked, copied
     * or not. Past the last index: {@code ENOENT} with the count copied.
     */
    private Batch lookupBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                              long elemFlags) {
        if (elemFlags != 0) {
            return new Batch(EINVAL, count);
        }
        if (count == 0) {
            return new Batch(0, 0);
        }
        ByteBuffer prev = inBatch == null ? null : ByteBuffer.wrap(inBatch.clone());
        int cp = 0;
        int err = 0;
        synchronized (this) {
            while (cp < count) {
                ByteBuffer k = ByteBuffer.wrap(new byte[4]);
                err = nextKey(prev, k);
                if (err != 0) {
                    break;
                }
                if (lookup(k, ByteBuffer.wrap(values, cp * 4, 4)) == 0) {
                    System.arraycopy(k.array(), 0, keys, cp * 4, 4);
                    cp++;
                }
                prev = k;
            }
        }
        if (cp > 0) {
            System.arraycopy(prev.array(), 0, outBatch, 0, 4);
        }
        return new Batch(err, cp);
    }

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        // The helper returns the inner map itself, which a program cannot copy out: presence only.
        long i = index(key);
        synchronized (this) {
            return i >= 0 && slots.containsKey((int) i) ? 0 : ENOENT;
        }
    }

    @Override
    int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return EINVAL; // the verifier allows only bpf_map_lookup_elem on a map-in-map
    }

    @Override
    int programDelete(ByteBuffer key) {
        return EINVAL;
    }

    @Override
    void destroyed() {
        List<MapObject> held;
        synchronized (this) {
            held = new ArrayList<>(slots.values());
            slots.clear();
        }
        for (MapObject m : held) {
            inner.release(m);
        }
    }

    /** {@code array_map_mem_usage} for 8-byte pointer slots. */
    @Override
    long memlock() {
        return ArrayTable.SIZEOF_BPF_ARRAY + Integer.toUnsignedLong(maxEntries) * 8;
    }
}
