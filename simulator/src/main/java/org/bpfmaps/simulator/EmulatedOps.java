package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;

/**
 * Base of the per-type operation sets for the map types whose elements point at kernel objects (devices, CPUs,
 * programs, sockets, cgroups, stack traces): {@code DEVMAP}, {@code DEVMAP_HASH}, {@code CPUMAP},
 * {@code STACK_TRACE}, the cgroup storages and the descriptor-valued types.
 *
 * <p>Exists so each of those types states only what differs from the kernel's defaults for such maps, which are
 * what this class answers: no lookup-and-delete and no batch command ({@code ENOTSUPP}, the batch count left as
 * user space passed it, as the kernel never writes it back), and no queue helpers. Each subclass is plugged into
 * {@link DelegatedMapObject} like the adapters of the {@code lpm}, {@code queue}, {@code bloom} and
 * {@code ringbuf} packages, and returns 0 or a positive errno from each operation.
 */
abstract class EmulatedOps implements DelegatedMapObject.Ops {

    static final int EPERM = MapObject.EPERM;
    static final int ENOENT = MapObject.ENOENT;
    static final int E2BIG = MapObject.E2BIG;
    static final int EEXIST = MapObject.EEXIST;
    static final int EINVAL = MapObject.EINVAL;
    static final int ENOSPC = MapObject.ENOSPC;
    static final int ENOMEM = MapObject.ENOMEM;
    static final int ENOTSUPP = MapObject.ENOTSUPP;
    static final int EBADF = Errno.EBADF.number();
    static final int ENODEV = Errno.ENODEV.number();
    static final int EOVERFLOW = Errno.EOVERFLOW.number();
    static final int EOPNOTSUPP = Errno.EOPNOTSUPP.number();
    /** {@code ENOTSOCK}: a descriptor that is open but not a socket. */
    static final int ENOTSOCK = 88;

    /** {@code BPF_F_RDONLY | BPF_F_WRONLY}: the descriptor access flags. */
    static final int FD_ACCESS = MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY);
    /** {@code BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG}: the program access flags. */
    static final int PROG_ACCESS = MapFlag.mask(MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG);
    static final int NUMA = MapFlag.NUMA_NODE.bit();

    final int keySize;
    final int valueSize;
    final long maxEntries;

    EmulatedOps(MapSpec spec) {
        this.keySize = spec.keySize();
        this.valueSize = spec.valueSize();
        this.maxEntries = Integer.toUnsignedLong(spec.maxEntries());
    }

    /** Flags the kernel adds to the map's own at create (reported by info and seen by the verifier). */
    int addedFlags() {
        return 0;
    }

    @Override
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    @Override
    public int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                     long elemFlags, int[] countOut) {
        countOut[0] = count;
        return ENOTSUPP;
    }

    /**
     * {@code bpf_map_lookup_elem} from a program, for the types whose helper the verifier accepts (the view refuses
     * the others before calling); none holds an element a program could read unless it says otherwise.
     */
    @Override
    public int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return ENOENT;
    }

    @Override
    public int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return EINVAL;
    }

    @Override
    public int programDelete(ByteBuffer key) {
        return EINVAL;
    }

    @Override
    public int programPush(ByteBuffer value, long flags) {
        return EINVAL;
    }

    @Override
    public int programPop(ByteBuffer value) {
        return EINVAL;
    }

    @Override
    public int programPeek(ByteBuffer value) {
        return EINVAL;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The u32 index in an array-like key. */
    static long index(ByteBuffer key) {
        return Integer.toUnsignedLong(MapObject.readU32(key, key.position()));
    }

    /** {@code array_map_get_next_key}: NULL or an index past the end gives 0, the last index ENOENT. */
    int arrayNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return MapObject.arrayNextKey(key, nextKey, maxEntries);
    }

    /** {@code roundup_pow_of_two} of a positive count that is at most 2^31. */
    static long roundUpPowerOfTwo(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    /** A refusal with {@code errno} and {@code detail}. */
    static CreateChecks.Refusal refuse(int errno, String detail) {
        return new CreateChecks.Refusal(errno, detail);
    }

    /** The create flags in hex, for messages. */
    static String hex(int flags) {
        return "0x" + Integer.toHexString(flags);
    }

    /** ENOMEM when {@code bytes} is above the simulator's per-map allocation limit, else null. */
    static CreateChecks.Refusal memoryLimit(MapSpec spec, long bytes) {
        if (bytes > CreateChecks.SIMULATED_MEMORY_LIMIT) {
            return refuse(ENOMEM, spec.type().bpftoolName() + " with max_entries "
                    + Integer.toUnsignedString(spec.maxEntries()) + " would need " + bytes + " bytes; the simulator "
                    + "allocates at most " + CreateChecks.SIMULATED_MEMORY_LIMIT + " bytes per map");
        }
        return null;
    }
}
