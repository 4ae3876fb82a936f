package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapSpec;

/**
 * {@code HASH_OF_MAPS}: the kernel's {@code htab} (bucket order, batch cursors, "full") whose values are
 * references to inner maps, stored as the inner map's id.
 *
 * <p>Exists to reuse {@link HashTable} for everything a hash of maps shares with {@code HASH} (so iteration order
 * is the kernel's, with {@code BPF_F_ZERO_SEED} exactly) while adding the fd-map rules of
 * {@code bpf_fd_htab_map_update_elem}: the descriptor number is resolved before any flag or capacity check, an
 * existing element's value is replaced in place (it keeps its place in its bucket), a refused update drops the
 * reference it took, and replacing or deleting an element releases the inner map it held. Lookup-and-delete is
 * not implemented by the kernel for this type ({@code ENOTSUPP}); all four batch commands are.
 */
final class HashOfMaps extends HashTable {

    private final InnerMaps inner;

    HashOfMaps(SimulatedKernel kernel, MapSpec spec, int id, int seed, InnerMaps inner) {
        super(kernel, spec, id, seed);
        this.inner = inner;
    }

    /** The inner-map template. */
    InnerMaps inner() {
        return inner;
    }

    @Override
    boolean updatesInPlace() {
        return true;
    }

    /** The inner map {@code key} holds now, or null. */
    private MapObject current(ByteBuffer key) {
        byte[] id = new byte[4];
        return super.lookup(key, ByteBuffer.wrap(id)) == 0 ? inner.byId(readU32(id, 0)) : null;
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        synchronized (kernel) {
            int[] err = new int[1];
            MapObject m = inner.acquire(value, err);
            if (m == null) {
                return err[0];
            }
            MapObject old = current(key);
            byte[] id = new byte[4];
            writeU32(id, 0, m.id);
            int r = super.update(key, ByteBuffer.wrap(id), flags);
            if (r != 0) {
                inner.release(m);
                return r;
            }
            inner.release(old);
            return 0;
        }
    }

    @Override
    int delete(ByteBuffer key) {
        synchronized (kernel) {
            MapObject old = current(key);
            int r = super.delete(key);
            if (r == 0) {
                inner.release(old);
            }
            return r;
        }
    }

    @Override
    int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    @Override
    Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                long elemFlags) {
        if (command == BpfCommand.BPF_MAP_LOOKUP_BATCH) {
            return super.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
        }
        synchronized (kernel) {
            Batch b = super.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
            if (command == BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH && (b.errno() == 0
                    || b.errno() == ENOENT)) {
                for (int i = 0; i < b.count(); i++) {
                    inner.release(inner.byId(readU32(values, i * 4)));
                }
            }
            return b;
        }
    }

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        // The helper returns the inner map itself, which a program cannot copy out: presence only.
        return super.lookup(key, ByteBuffer.wrap(new byte[4]));
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
        for (Element e : rebuildOrder()) {
            inner.release(inner.byId(readU32(e.value, 0)));
        }
    }
}
