package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.simulator.lru.LruEngine;
import org.bpfmaps.spi.AbstractBpfMap;

/**
 * The kernel-side map object ({@code struct bpf_map}) that every descriptor of one map shares.
 *
 * <p>Exists to separate what belongs to the map (elements, frozen state, reference count, id) from what belongs to
 * one descriptor (its access mode, its closed state, see {@link SimBpfMap}). Subclasses hold the elements of one
 * family of types and implement the type's operations after the descriptor has checked permissions; they return
 * {@code 0} or a positive errno, exactly as the kernel's map ops do. Every element operation runs under the
 * object's monitor, which makes each one atomic per element (and per map) for concurrent callers.
 */
abstract class MapObject {

    static final int EPERM = Errno.EPERM.number();
    static final int EBUSY = Errno.EBUSY.number();
    static final int ENOENT = Errno.ENOENT.number();
    static final int E2BIG = Errno.E2BIG.number();
    static final int EACCES = Errno.EACCES.number();
    static final int EEXIST = Errno.EEXIST.number();
    static final int EINVAL = Errno.EINVAL.number();
    static final int ENOSPC = Errno.ENOSPC.number();
    static final int ENOMEM = Errno.ENOMEM.number();
    static final int ENOTSUPP = Errno.ENOTSUPP.number();

    /**
     * Outcome of a batch command on the object: errno (0 for success) and the kernel's {@code count} as user space
     * reads it back, which is the requested count when the kernel refused the command before writing it (as the
     * linux backend reports it too).
     */
    record Batch(int errno, int count) {
    }

    final SimulatedKernel kernel;
    final MapType type;
    final int keySize;
    final int valueSize;
    final int maxEntries;
    final int flags;
    final String name;
    final long mapExtra;
    final int id;
    final int cpus;
    /** {@code round_up(value_size, 8)}: the per-CPU stride of user-space buffers and the array element stride. */
    final int slot;
    /** Bytes of a user-space value buffer (per-CPU: {@code slot * cpus}). */
    final int valueBufferSize;

    private volatile boolean frozen;
    /** Live writable shared mappings (ring buffer readers and writers): {@code map->writecnt}; guarded by this. */
    private int writableMappings;
    /** Descriptors and pins referring to this object; guarded by the kernel. */
    int references;

    MapObject(SimulatedKernel kernel, MapSpec spec, int id) {
        this.kernel = kernel;
        this.type = spec.type();
        this.keySize = spec.keySize();
        this.valueSize = spec.valueSize();
        // htab_map_alloc rounds an LRU map with BPF_F_NO_COMMON_LRU to a multiple of the CPU count
        this.maxEntries = spec.type().isLru() && MapFlag.NO_COMMON_LRU.isSet(spec.flags())
                ? (int) LruEngine.effectiveMaxEntries(Integer.toUnsignedLong(spec.maxEntries()), kernel.possibleCpus(), true)
                : spec.maxEntries();
        this.flags = spec.flags();
        this.name = CreateChecks.storedName(spec);
        this.mapExtra = spec.mapExtra();
        this.id = id;
        this.cpus = kernel.possibleCpus();
        this.slot = (int) AbstractBpfMap.roundUp8(valueSize);
        this.valueBufferSize = AbstractBpfMap.valueBufferSize(type, valueSize, cpus);
    }

    // ---- state shared by all types --------------------------------------------------------------------

    boolean isFrozen() {
        return frozen;
    }

    /**
     * {@code BPF_MAP_FREEZE} after the descriptor's permission check; a second freeze never gets here. A live
     * writable mapping makes it {@code EBUSY}, as {@code map_freeze} answers while {@code writecnt} is not zero.
     */
    int freeze() {
        synchronized (this) {
            if (frozen) {
                return EPERM;
            }
            if (writableMappings > 0) {
                return EBUSY;
            }
            frozen = true;
            return 0;
        }
    }

    /**
     * A writable shared mapping is made (a ring buffer reader's consumer page, a user ring writer's producer and
     * data pages): {@code EPERM} on a frozen map, as {@code bpf_map_mmap} refuses {@code VM_WRITE} then; else
     * counted until {@link #unmapWritable()}.
     */
    int mapWritable() {
        synchronized (this) {
            if (frozen) {
                return EPERM;
            }
            writableMappings++;
            return 0;
        }
    }

    /** A mapping counted by {@link #mapWritable()} is gone. */
    void unmapWritable() {
        synchronized (this) {
            writableMappings--;
        }
    }

    /**
     * Whether an update's answer depends on the calling process's descriptor table while the map never stores
     * what it is given (the descriptor maps of types whose objects the simulator does not have): such updates are
     * not journalled, as a later kernel would resolve the numbers differently and nothing is there to replay.
     */
    boolean updatesDependOnDescriptors() {
        return false;
    }

    /** Whether the map has {@code flag}, counting the flags the kernel adds at create ({@link #reportedFlags()}). */
    boolean has(MapFlag flag) {
        return flag.isSet(reportedFlags());
    }

    /**
     * The map's flags as the kernel keeps them: those it was created with plus any the type adds (device maps add
     * {@code BPF_F_RDONLY_PROG}); {@code info()} reports these, less the descriptor flags.
     */
    int reportedFlags() {
        return flags;
    }

    /**
     * Called once, under the kernel's monitor, when the last reference went and the map left the id table: a
     * map-in-map releases the inner maps its slots held.
     */
    void destroyed() {
    }

    /** Bytes the kernel would charge for this map ({@code memlock} in fdinfo). */
    abstract long memlock();

    // ---- system-call element commands (permissions already checked) -----------------------------------

    abstract int lookup(ByteBuffer key, ByteBuffer value);

    abstract int update(ByteBuffer key, ByteBuffer value, long flags);

    abstract int delete(ByteBuffer key);

    abstract int nextKey(ByteBuffer key, ByteBuffer nextKey);

    abstract int lookupAndDelete(ByteBuffer key, ByteBuffer value);

    abstract Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                         long elemFlags);

    // ---- program helpers (no syscall permissions, one CPU's slot) -------------------------------------

    /** {@code bpf_map_lookup_elem} from a program on {@code cpu}; {@code value} is {@code value_size} bytes. */
    abstract int programLookup(ByteBuffer key, ByteBuffer value, int cpu);

    /** {@code bpf_map_update_elem} from a program on {@code cpu}. */
    abstract int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu);

    /** {@code bpf_map_delete_elem} from a program. */
    abstract int programDelete(ByteBuffer key);

    // ---- helpers for subclasses -------------------------------------------------------------------------

    /** The kernel's update-flag check shared by hash and array types: {@code (flags & ~F_LOCK) > BPF_EXIST}. */
    static boolean badUpdateFlags(long flags) {
        return Long.compareUnsigned(flags & ~UpdateFlags.F_LOCK, UpdateFlags.EXIST) > 0;
    }

    /** Reads a little-endian u32 at absolute {@code index}. */
    static int readU32(ByteBuffer b, int index) {
        return (b.get(index) & 0xff) | (b.get(index + 1) & 0xff) << 8 | (b.get(index + 2) & 0xff) << 16
                | (b.get(index + 3) & 0xff) << 24;
    }

    /** Writes a little-endian u32 at absolute {@code index}. */
    static void writeU32(ByteBuffer b, int index, int v) {
        b.put(index, (byte) v);
        b.put(index + 1, (byte) (v >>> 8));
        b.put(index + 2, (byte) (v >>> 16));
        b.put(index + 3, (byte) (v >>> 24));
    }

    static int readU32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void writeU32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /**
     * Copies a user-space value buffer into internal storage of the same layout. For per-CPU types the whole
     * {@code round_up(value_size, 8)} slot of each CPU is kept, padding included: the kernel copies values with
     * {@code copy_map_value_long}, so 6.18 returns the padding bytes it was given (the conformance kit checks this
     * on the kernel; SEMANTICS.md section 3 says "zero on read", which the kernel does not do).
     */
    final void copyIn(ByteBuffer src, byte[] dst, int dstOff) {
        src.get(src.position(), dst, dstOff, valueBufferSize);
    }

    /** Copies one stored value (internal layout = user-space layout) into a caller's buffer. */
    final void copyOut(byte[] src, int srcOff, ByteBuffer dst) {
        dst.put(dst.position(), src, srcOff, valueBufferSize);
    }

    /** Writes {@code n} zero bytes at {@code dst}'s position without allocating. */
    static void zero(ByteBuffer dst, int n) {
        int p = dst.position();
        for (int i = 0; i < n; i++) {
            dst.put(p + i, (byte) 0);
        }
    }

    /**
     * {@code array_map_get_next_key}, which every array-shaped map shares: the first index without a key or after
     * an index out of range, the next index, {@code ENOENT} after the last.
     */
    final int arrayNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return arrayNextKey(key, nextKey, Integer.toUnsignedLong(maxEntries));
    }

    /** {@link #arrayNextKey(ByteBuffer, ByteBuffer)} for {@code max} entries. */
    static int arrayNextKey(ByteBuffer key, ByteBuffer nextKey, long max) {
        long next;
        if (key == null) {
            next = 0;
        } else {
            long i = Integer.toUnsignedLong(readU32(key, key.position()));
            if (i >= max) {
                next = 0;
            } else if (i == max - 1) {
                return ENOENT;
            } else {
                next = i + 1;
            }
        }
        writeU32(nextKey, nextKey.position(), (int) next);
        return 0;
    }
}
