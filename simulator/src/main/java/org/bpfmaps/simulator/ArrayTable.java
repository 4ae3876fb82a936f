package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code ARRAY} and {@code PERCPU_ARRAY}: {@code max_entries} zero-initialised elements indexed by a u32 key.
 *
 * <p>Exists to store elements in fixed-size chunks allocated on first write, so that a large, sparsely used array
 * costs little; an unallocated chunk reads as zeroes. Each element is stored in the user-space layout
 * ({@code round_up(value_size, 8)} bytes, per-CPU: that many per possible CPU, padding as user space wrote it).
 *
 * <p><b>Readers do not queue.</b> Writers hold the table's monitor and, while they change element bytes, the write
 * lock of a {@link java.util.concurrent.locks.StampedLock}. A system-call lookup copies the element under an
 * optimistic read stamp and keeps the copy only if no write happened meanwhile (else it copies again under the
 * monitor), so concurrent readers never wait for one another and every value read is one whole write. (The
 * kernel copies array values with no lock at all, so a kernel reader racing a writer can see a mix of two writes;
 * the simulator promises whole values.)
 */
final class ArrayTable extends MapObject {

    /** {@code sizeof(struct bpf_array)} on x86_64 6.18, derived from the kernel's memlock report (336 B). */
    static final long SIZEOF_BPF_ARRAY = 312;
    static final long PAGE = 4096;
    private static final int CHUNK_BYTES = 1 << 20;

    private final boolean percpu;
    /** Bytes per element in storage: the user-space value buffer rounded to 8. */
    private final int elemBytes;
    private final int perChunk;
    private final byte[][] chunks;
    /** Held for writing while element bytes change (inside the monitor); lookups read optimistically. */
    private final java.util.concurrent.locks.StampedLock bytes = new java.util.concurrent.locks.StampedLock();

    ArrayTable(SimulatedKernel kernel, MapSpec spec, int id) {
        super(kernel, spec, id);
        this.percpu = type == MapType.PERCPU_ARRAY;
        this.elemBytes = percpu ? valueBufferSize : slot;
        this.perChunk = Math.max(1, CHUNK_BYTES / elemBytes);
        long n = (Integer.toUnsignedLong(maxEntries) + perChunk - 1) / perChunk;
        this.chunks = new byte[(int) n][];
    }

    /** Bytes the simulator would need for the elements, used at create to refuse absurd sizes (ENOMEM). */
    static long storageBytes(MapSpec spec, int cpus) {
        long slot = (Integer.toUnsignedLong(spec.valueSize()) + 7) & ~7L;
        long elem = spec.type() == MapType.PERCPU_ARRAY ? slot * cpus : slot;
        return elem * Integer.toUnsignedLong(spec.maxEntries());
    }

    /** The index in {@code key} when it is below {@code max_entries}, else -1. */
    private long index(ByteBuffer key) {
        long i = Integer.toUnsignedLong(readU32(key, key.position()));
        return i < Integer.toUnsignedLong(maxEntries) ? i : -1;
    }

    private byte[] chunkFor(long index, boolean create) {
        int c = (int) (index / perChunk);
        byte[] chunk = chunks[c];
        if (chunk == null && create) {
            long remaining = Integer.toUnsignedLong(maxEntries) - (long) c * perChunk;
            chunk = new byte[(int) (Math.min(perChunk, remaining) * elemBytes)];
            chunks[c] = chunk;
        }
        return chunk;
    }

    private int offset(long index) {
        return (int) (index % perChunk) * elemBytes;
    }

    /**
     * Calls {@code action} with the index and a copy of the user-space value of every element that is not all
     * zero, in index order. Used to compact a persisted state (the other elements are zero in a new array).
     */
    synchronized void forEachNonZero(java.util.function.ObjIntConsumer<byte[]> action) {
        for (int c = 0; c < chunks.length; c++) {
            byte[] chunk = chunks[c];
            if (chunk == null) {
                continue;
            }
            for (int off = 0; off < chunk.length; off += elemBytes) {
                boolean zero = true;
                for (int i = off; i < off + elemBytes && zero; i++) {
                    zero = chunk[i] == 0;
                }
                if (!zero) {
                    action.accept(java.util.Arrays.copyOfRange(chunk, off, off + valueBufferSize),
                            (int) ((long) c * perChunk + off / elemBytes));
                }
            }
        }
    }

    // ---- system calls -------------------------------------------------------------------------------------

    @Override
    int lookup(ByteBuffer key, ByteBuffer value) {
        long i = index(key);
        if (i < 0) {
            return ENOENT;
        }
        long stamp = bytes.tryOptimisticRead();
        if (stamp != 0) {
            copyElement(i, value);
            if (bytes.validate(stamp)) {
                return 0;
            }
        }
        synchronized (this) {
            copyElement(i, value);
            return 0;
        }
    }

    private void copyElement(long i, ByteBuffer value) {
        byte[] chunk = chunkFor(i, false);
        if (chunk == null) {
            zero(value, valueBufferSize);
        } else {
            copyOut(chunk, offset(i), value);
        }
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        if (badUpdateFlags(flags)) {
            return EINVAL;
        }
        if (percpu && Long.compareUnsigned(flags, 2) > 0) {
            return EINVAL; // bpf_percpu_array_update: flags > BPF_EXIST, F_LOCK included
        }
        long i = index(key);
        if (i < 0) {
            return E2BIG;
        }
        if ((flags & 3) == 1) {
            return EEXIST; // BPF_NOEXIST: every element always exists
        }
        if ((flags & 4) != 0) {
            return EINVAL; // BPF_F_LOCK without a spin lock in the value
        }
        synchronized (this) {
            long stamp = bytes.writeLock();
            try {
                copyIn(value, chunkFor(i, true), offset(i));
            } finally {
                bytes.unlockWrite(stamp);
            }
            return 0;
        }
    }

    @Override
    int delete(ByteBuffer key) {
        return EINVAL;
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
                return GenericBatch.lookup(this, inBatch, outBatch, keys, values, count, elemFlags);
            case BPF_MAP_UPDATE_BATCH:
                return GenericBatch.update(this, keys, values, count, elemFlags);
            default:
                return new Batch(ENOTSUPP, count); // no delete or lookup-and-delete batch; count untouched
        }
    }

    // ---- program helpers ------------------------------------------------------------------------------------

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        long i = index(key);
        if (i < 0) {
            return ENOENT;
        }
        synchronized (this) {
            byte[] chunk = chunkFor(i, false);
            if (chunk == null) {
                zero(value, valueSize);
            } else {
                value.put(value.position(), chunk, offset(i) + (percpu ? cpu * slot : 0), valueSize);
            }
            return 0;
        }
    }

    @Override
    int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        if (badUpdateFlags(flags)) {
            return EINVAL;
        }
        long i = index(key);
        if (i < 0) {
            return E2BIG;
        }
        if ((flags & 3) == 1) {
            return EEXIST;
        }
        if ((flags & 4) != 0) {
            return EINVAL;
        }
        synchronized (this) {
            byte[] chunk = chunkFor(i, true);
            int off = offset(i) + (percpu ? cpu * slot : 0);
            // copy_map_value: a program writes value_size bytes; the slot's padding keeps what it had
            long stamp = bytes.writeLock();
            try {
                value.get(value.position(), chunk, off, valueSize);
            } finally {
                bytes.unlockWrite(stamp);
            }
            return 0;
        }
    }

    @Override
    int programDelete(ByteBuffer key) {
        return EINVAL;
    }

    /** {@code array_map_mem_usage}; matches the kernel's 336 B for value 4, 3 entries. */
    @Override
    long memlock() {
        long entries = Integer.toUnsignedLong(maxEntries);
        long usage = SIZEOF_BPF_ARRAY;
        if (percpu) {
            return usage + entries * 8 + entries * slot * cpus;
        }
        if (has(MapFlag.MMAPABLE)) {
            return pageAlign(usage) + pageAlign(entries * slot);
        }
        return usage + entries * slot;
    }

    private static long pageAlign(long n) {
        return (n + PAGE - 1) & ~(PAGE - 1);
    }
}
