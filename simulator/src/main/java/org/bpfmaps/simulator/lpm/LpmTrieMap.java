package org.bpfmaps.simulator.lpm;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;

/**
 * {@code BPF_MAP_TYPE_LPM_TRIE} as the simulator's map objects see it: the type's create checks and every element
 * command of the syscall matrix (SEMANTICS §2) and of the program helpers, over an {@link LpmTrie}.
 *
 * <p>The operation set is the one {@code org.bpfmaps.simulator.MapObject} declares, made public (that class is
 * package-private), plus {@code programPush/Pop/Peek}. Each method is called after the descriptor's generic
 * checks (command flags, read/write permission, frozen state, {@code BPF_F_LOCK}) and returns 0 or a positive
 * errno. Buffers are read and written at their position with absolute access; positions do not move.
 * Not final so the simulator package can attach its own interface with an empty subclass.
 */
public class LpmTrieMap {

    static final int EINVAL = Errno.EINVAL.number();
    static final int ENOENT = Errno.ENOENT.number();
    static final int EINTR = Errno.EINTR.number();
    static final int ENOTSUPP = Errno.ENOTSUPP.number();

    /** {@code KMALLOC_MAX_SIZE} on x86_64 (4 MiB). */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** {@code sizeof(struct lpm_trie_node)} in 6.18: two child pointers, prefixlen, flags. */
    public static final long SIZEOF_NODE = 24;
    /** {@code LPM_VAL_SIZE_MAX}: {@code KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - sizeof(struct lpm_trie_node)}. */
    public static final long MAX_VALUE_SIZE = KMALLOC_MAX_SIZE - LpmTrie.MAX_DATA_SIZE - SIZEOF_NODE;
    /** {@code MAP_LOOKUP_RETRIES} of {@code generic_map_lookup_batch}. */
    static final int LOOKUP_RETRIES = 3;

    private static final int ACCESS_MASK = MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY, MapFlag.RDONLY_PROG,
            MapFlag.WRONLY_PROG);
    private static final int CREATE_FLAGS = MapFlag.mask(MapFlag.NO_PREALLOC, MapFlag.NUMA_NODE) | ACCESS_MASK;

    private final LpmTrie trie;
    private final int keySize;
    private final int valueSize;

    /** A map for a spec that {@link #checkCreate(MapSpec)} accepted. */
    public LpmTrieMap(MapSpec spec) {
        String problem = explainCreate(spec);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.keySize = spec.keySize();
        this.valueSize = spec.valueSize();
        this.trie = new LpmTrie(keySize, valueSize, spec.maxEntries());
    }

    /** The element store. */
    public LpmTrie trie() {
        return trie;
    }

    // ---- create ------------------------------------------------------------------------------------------

    /**
     * {@code trie_alloc}'s checks, all EINVAL: max_entries ≥ 1, {@code BPF_F_NO_PREALLOC} set, no flag besides
     * NO_PREALLOC, NUMA_NODE and the four access flags, not both RDONLY_PROG and WRONLY_PROG, key_size 5..260,
     * value_size 1..{@link #MAX_VALUE_SIZE}. Returns 0 or EINVAL. The generic checks (map_extra, name, NUMA node,
     * RDONLY with WRONLY) are the caller's.
     */
    public static int checkCreate(MapSpec spec) {
        return explainCreate(spec) == null ? 0 : EINVAL;
    }

    /** Why {@link #checkCreate(MapSpec)} refuses a spec, or null when it does not. */
    public static String explainCreate(MapSpec spec) {
        int flags = spec.flags();
        long keySize = Integer.toUnsignedLong(spec.keySize());
        long valueSize = Integer.toUnsignedLong(spec.valueSize());
        if (spec.maxEntries() == 0) {
            return "max_entries must be at least 1";
        }
        if (!MapFlag.NO_PREALLOC.isSet(flags)) {
            return "an LPM trie needs BPF_F_NO_PREALLOC";
        }
        if ((flags & ~CREATE_FLAGS) != 0) {
            return "flags 0x" + Integer.toHexString(flags) + " are not valid for lpm_trie (only NO_PREALLOC, "
                    + "NUMA_NODE and the access flags)";
        }
        if (MapFlag.RDONLY_PROG.isSet(flags) && MapFlag.WRONLY_PROG.isSet(flags)) {
            return "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other";
        }
        if (keySize < LpmTrie.DATA_OFFSET + LpmTrie.MIN_DATA_SIZE
                || keySize > LpmTrie.DATA_OFFSET + LpmTrie.MAX_DATA_SIZE) {
            return "key_size " + keySize + " is outside 5..260 (4-byte prefixlen + 1..256 data bytes)";
        }
        if (valueSize < 1 || valueSize > MAX_VALUE_SIZE) {
            return "value_size " + valueSize + " is outside 1.." + MAX_VALUE_SIZE;
        }
        return null;
    }

    /** {@code trie_mem_usage}: {@code (sizeof(node) + data_size + value_size) * n_entries}. */
    public long memlock() {
        return (SIZEOF_NODE + (keySize - LpmTrie.DATA_OFFSET) + valueSize) * trie.size();
    }

    // ---- system calls --------------------------------------------------------------------------------------

    /** {@code BPF_MAP_LOOKUP_ELEM}: longest-prefix match; ENOENT on a miss or a prefixlen above the maximum. */
    public int lookup(ByteBuffer key, ByteBuffer value) {
        // Per-thread scratch for the key and the matched value, so a lookup allocates nothing once warm.
        byte[][] scratch = lookupScratch.get();
        byte[] k = scratch[0];
        byte[] out = scratch[1];
        key.get(key.position(), k, 0, keySize);
        int err = trie.lookupInto(k, out, 0);
        if (err == 0) {
            value.put(value.position(), out, 0, valueSize);
        }
        return err;
    }

    private final ThreadLocal<byte[][]> lookupScratch = ThreadLocal.withInitial(this::newLookupScratch);

    private byte[][] newLookupScratch() {
        return new byte[][] {new byte[keySize], new byte[valueSize]};
    }

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        return trie.update(bytes(key, keySize), bytes(value, valueSize), flags);
    }

    /** {@code BPF_MAP_DELETE_ELEM}: exact prefix. */
    public int delete(ByteBuffer key) {
        return trie.delete(bytes(key, keySize));
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}: post-order; null, unknown or oversized key → the first key. */
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        byte[] next = new byte[keySize];
        int err = trie.nextKey(key == null ? null : bytes(key, keySize), next);
        if (err == 0) {
            nextKey.put(nextKey.position(), next, 0, keySize);
        }
        return err;
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: the trie has no such op, ENOTSUPP (524). */
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOTSUPP;
    }

    /**
     * The batch commands: lookup, update and delete are the kernel's generic ones (key cursors); lookup-and-delete
     * is ENOTSUPP. Returns the errno; {@code countOut[0]} receives the kernel's {@code count}.
     */
    public int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                     long elemFlags, int[] countOut) {
        countOut[0] = 0;
        switch (command) {
            case BPF_MAP_LOOKUP_BATCH:
                return lookupBatch(inBatch, outBatch, keys, values, count, elemFlags, countOut);
            case BPF_MAP_UPDATE_BATCH:
                return updateBatch(keys, values, count, elemFlags, countOut);
            case BPF_MAP_DELETE_BATCH:
                return deleteBatch(keys, count, elemFlags, countOut);
            default:
                return ENOTSUPP;
        }
    }

    /**
     * {@code generic_map_lookup_batch}: from the cursor {@code inBatch} (null: the start), get-next-key then
     * lookup, up to {@code count} elements; a key that vanishes between the two is retried from the same cursor
     * up to three times, then EINTR. Ends with ENOENT (count = copied) when the walk runs out. {@code outBatch}
     * receives the last key copied, when any was.
     */
    int lookupBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count, long elemFlags,
                    int[] countOut) {
        if (elemFlags != 0) {
            // only BPF_F_LOCK is a valid bit, and no LPM value holds a spin lock; refused before the walk
            // starts, so the kernel never writes count and it reads back as passed in
            countOut[0] = count;
            return EINVAL;
        }
        if (count == 0) {
            return 0;
        }
        byte[] prev = inBatch == null ? null : inBatch.clone();
        byte[] key = new byte[keySize];
        int retry = LOOKUP_RETRIES;
        int cp = 0;
        int err = 0;
        while (cp < count) {
            err = trie.nextKey(prev, key);
            if (err != 0) {
                break;
            }
            err = trie.lookupInto(key, values, cp * valueSize);
            if (err == ENOENT) {
                if (retry-- > 0) {
                    continue;
                }
                err = EINTR;
                break;
            }
            System.arraycopy(key, 0, keys, cp * keySize, keySize);
            prev = key.clone();
            retry = LOOKUP_RETRIES;
            cp++;
        }
        countOut[0] = cp;
        if (cp > 0) {
            System.arraycopy(prev, 0, outBatch, 0, keySize);
        }
        return err;
    }

    /** {@code generic_map_update_batch}: in order, stopping at the first error; count = updated. */
    int updateBatch(byte[] keys, byte[] values, int count, long elemFlags, int[] countOut) {
        if (elemFlags != 0) {
            countOut[0] = count; // refused before the first element: count reads back as passed in
            return EINVAL;
        }
        byte[] key = new byte[keySize];
        byte[] value = new byte[valueSize];
        for (int i = 0; i < count; i++) {
            System.arraycopy(keys, i * keySize, key, 0, keySize);
            System.arraycopy(values, i * valueSize, value, 0, valueSize);
            int err = trie.update(key, value, 0);
            if (err != 0) {
                countOut[0] = i;
                return err;
            }
        }
        countOut[0] = count;
        return 0;
    }

    /** {@code generic_map_delete_batch}: in order, stopping at the first error; count = deleted. */
    int deleteBatch(byte[] keys, int count, long elemFlags, int[] countOut) {
        if (elemFlags != 0) {
            countOut[0] = count; // refused before the first element: count reads back as passed in
            return EINVAL;
        }
        byte[] key = new byte[keySize];
        for (int i = 0; i < count; i++) {
            System.arraycopy(keys, i * keySize, key, 0, keySize);
            int err = trie.delete(key);
            if (err != 0) {
                countOut[0] = i;
                return err;
            }
        }
        countOut[0] = count;
        return 0;
    }

    // ---- program helpers ------------------------------------------------------------------------------------

    /** {@code bpf_map_lookup_elem} from a program: the same longest-prefix match. */
    public int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return lookup(key, value);
    }

    /** {@code bpf_map_update_elem} from a program: flags above BPF_EXIST (F_LOCK included) are EINVAL. */
    public int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return update(key, value, flags);
    }

    /** {@code bpf_map_delete_elem} from a program. */
    public int programDelete(ByteBuffer key) {
        return delete(key);
    }

    /** {@code bpf_map_push_elem}: the verifier refuses it for an LPM trie (EINVAL). */
    public int programPush(ByteBuffer value, long flags) {
        return EINVAL;
    }

    /** {@code bpf_map_pop_elem}: refused by the verifier (EINVAL). */
    public int programPop(ByteBuffer value) {
        return EINVAL;
    }

    /** {@code bpf_map_peek_elem}: refused by the verifier (EINVAL). */
    public int programPeek(ByteBuffer value) {
        return EINVAL;
    }

    static byte[] bytes(ByteBuffer buffer, int n) {
        byte[] out = new byte[n];
        buffer.get(buffer.position(), out, 0, n);
        return out;
    }
}
