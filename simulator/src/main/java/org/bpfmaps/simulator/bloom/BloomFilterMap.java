package org.bpfmaps.simulator.bloom;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;

/**
 * {@code BPF_MAP_TYPE_BLOOM_FILTER} as the simulator's map objects see it: the type's create checks and every
 * element command of the syscall matrix (SEMANTICS §2, §4.6) and of the program helpers, over a
 * {@link BloomFilter}.
 *
 * <p>The operation set is the one {@code org.bpfmaps.simulator.MapObject} declares, made public, plus
 * {@code programPush/Pop/Peek}; each returns 0 or a positive errno after the descriptor's generic checks.
 * <ul>
 *   <li>lookup = peek: the value buffer is the <em>input</em>, never written; 0 (maybe present) or ENOENT.</li>
 *   <li>update = push, flags must be BPF_ANY (EXIST/NOEXIST: EINVAL).</li>
 *   <li>delete and get-next-key: EOPNOTSUPP (95); lookup-and-delete and every batch command: ENOTSUPP (524).</li>
 *   <li>A key buffer (non-null) is EINVAL for every command that copies a key first (lookup, update, delete,
 *       get-next-key, lookup-and-delete), as the kernel's key copy refuses a key pointer when key_size is 0.</li>
 *   <li>Programs: push and peek; pop and lookup/update/delete are refused by the verifier (EINVAL).</li>
 * </ul>
 * Not final so the simulator package can attach its own interface with an empty subclass.
 */
public class BloomFilterMap {

    static final int EINVAL = Errno.EINVAL.number();
    static final int E2BIG = Errno.E2BIG.number();
    static final int EOPNOTSUPP = Errno.EOPNOTSUPP.number();
    static final int ENOTSUPP = Errno.ENOTSUPP.number();

    /** {@code KMALLOC_MAX_SIZE} on x86_64 (4 MiB): the largest value. */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /**
     * Estimated {@code sizeof(struct bpf_bloom_filter)}: {@code struct bpf_map} (taken as 296 bytes, see
     * {@code QueueStackMap.SIZEOF_QUEUE_STACK}) plus four u32 fields.
     */
    public static final long SIZEOF_BLOOM_FILTER = 312;

    private static final int CREATE_FLAGS = MapFlag.mask(MapFlag.NUMA_NODE, MapFlag.ZERO_SEED, MapFlag.RDONLY,
            MapFlag.WRONLY, MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG);

    private final BloomFilter filter;
    private final int valueSize;

    /**
     * A map for a spec that {@link #checkCreate(MapSpec)} accepted.
     *
     * @param randomSeed the seed to use unless the spec has {@code BPF_F_ZERO_SEED} (then 0), as the kernel's
     *                   {@code get_random_u32()}
     */
    public BloomFilterMap(MapSpec spec, int randomSeed) {
        String problem = explainCreate(spec);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.valueSize = spec.valueSize();
        int seed = MapFlag.ZERO_SEED.isSet(spec.flags()) ? 0 : randomSeed;
        this.filter = new BloomFilter(valueSize, spec.maxEntries(), spec.mapExtra(), seed);
    }

    /** The element store. */
    public BloomFilter filter() {
        return filter;
    }

    // ---- create ------------------------------------------------------------------------------------------

    /**
     * {@code bloom_map_alloc_check} (E2BIG for value_size above 4 MiB) then {@code bloom_map_alloc}'s checks, all
     * EINVAL: key_size 0, value_size ≥ 1, max_entries ≥ 1, flags within NUMA_NODE, ZERO_SEED and the access flags,
     * not both RDONLY_PROG and WRONLY_PROG, no map_extra bit above bit 3. Returns 0 or the errno.
     */
    public static int checkCreate(MapSpec spec) {
        String problem = explainCreate(spec);
        if (problem == null) {
            return 0;
        }
        return Integer.toUnsignedLong(spec.valueSize()) > KMALLOC_MAX_SIZE ? E2BIG : EINVAL;
    }

    /** Why {@link #checkCreate(MapSpec)} refuses a spec, or null when it does not. */
    public static String explainCreate(MapSpec spec) {
        int flags = spec.flags();
        if (Integer.toUnsignedLong(spec.valueSize()) > KMALLOC_MAX_SIZE) {
            return "value_size is above KMALLOC_MAX_SIZE (4 MiB)";
        }
        if (spec.keySize() != 0 || spec.valueSize() == 0 || spec.maxEntries() == 0) {
            return "a bloom filter needs key_size 0 and value_size, max_entries of at least 1";
        }
        if ((flags & ~CREATE_FLAGS) != 0) {
            return "flags 0x" + Integer.toHexString(flags) + " are not valid for bloom_filter (only NUMA_NODE, "
                    + "ZERO_SEED and the access flags)";
        }
        if (MapFlag.RDONLY_PROG.isSet(flags) && MapFlag.WRONLY_PROG.isSet(flags)) {
            return "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other";
        }
        if ((spec.mapExtra() & ~0xFL) != 0) {
            return "map_extra 0x" + Long.toHexString(spec.mapExtra()) + ": only bits 0..3 (the number of hash "
                    + "functions) may be set";
        }
        return null;
    }

    /**
     * {@code sizeof(struct bpf_bloom_filter)} plus the bit array in bytes rounded up to 8 (the 2^32-bit array is
     * {@code BITS_TO_BYTES(U32_MAX)} = 2^29 bytes).
     */
    public long memlock() {
        long bytes = filter.bits() >>> 3;
        return SIZEOF_BLOOM_FILTER + ((bytes + 7) & ~7L);
    }

    // ---- system calls --------------------------------------------------------------------------------------

    /** {@code BPF_MAP_LOOKUP_ELEM} = peek; {@code value} is read, not written. */
    public int lookup(ByteBuffer key, ByteBuffer value) {
        if (key != null) {
            return EINVAL;
        }
        return filter.peek(bytes(value, valueSize), 0);
    }

    /** {@code BPF_MAP_UPDATE_ELEM} = push; flags must be BPF_ANY. */
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        if (key != null) {
            return EINVAL;
        }
        return filter.push(bytes(value, valueSize), 0, flags);
    }

    /** {@code BPF_MAP_DELETE_ELEM}: EOPNOTSUPP. */
    public int delete(ByteBuffer key) {
        return key != null ? EINVAL : EOPNOTSUPP;
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}: EOPNOTSUPP. */
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return key != null ? EINVAL : EOPNOTSUPP;
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: ENOTSUPP (524). */
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return key != null ? EINVAL : ENOTSUPP;
    }

    /** Every batch command: ENOTSUPP (524), count 0. */
    public int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                     long elemFlags, int[] countOut) {
        countOut[0] = 0;
        return ENOTSUPP;
    }

    // ---- program helpers ------------------------------------------------------------------------------------

    /** {@code bpf_map_lookup_elem}: refused by the verifier for bloom filters (EINVAL). */
    public int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return EINVAL;
    }

    /** {@code bpf_map_update_elem}: refused by the verifier (EINVAL). */
    public int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return EINVAL;
    }

    /** {@code bpf_map_delete_elem}: refused by the verifier (EINVAL). */
    public int programDelete(ByteBuffer key) {
        return EINVAL;
    }

    /** {@code bpf_map_push_elem}: 0, or EINVAL when flags ≠ BPF_ANY. */
    public int programPush(ByteBuffer value, long flags) {
        return filter.push(bytes(value, valueSize), 0, flags);
    }

    /** {@code bpf_map_pop_elem}: refused by the verifier for bloom filters (EINVAL). */
    public int programPop(ByteBuffer value) {
        return EINVAL;
    }

    /** {@code bpf_map_peek_elem}: 0 or ENOENT; {@code value} is the input. */
    public int programPeek(ByteBuffer value) {
        return filter.peek(bytes(value, valueSize), 0);
    }

    static byte[] bytes(ByteBuffer buffer, int n) {
        byte[] out = new byte[n];
        buffer.get(buffer.position(), out, 0, n);
        return out;
    }
}
