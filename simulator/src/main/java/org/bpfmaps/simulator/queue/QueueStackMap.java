package org.bpfmaps.simulator.queue;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code BPF_MAP_TYPE_QUEUE} and {@code BPF_MAP_TYPE_STACK} as the simulator's map objects see them: the types'
 * create checks and every element command of the syscall matrix (SEMANTICS §2, §4.5) and of the program
 * helpers, over a {@link QueueStack}.
 *
 * <p>The operation set is the one {@code org.bpfmaps.simulator.MapObject} declares, made public, plus
 * {@code programPush/Pop/Peek}; each returns 0 or a positive errno after the descriptor's generic checks. These
 * maps have no keys: a key buffer (non-null) is EINVAL, as the kernel's key copy refuses a key pointer when
 * key_size is 0.
 * <ul>
 *   <li>lookup = peek, update = push (flags 0 or BPF_EXIST), lookup-and-delete = pop; empty: ENOENT, and the
 *       caller's buffer is left alone (the kernel copies out only on success).</li>
 *   <li>delete and get-next-key: EINVAL. Every batch command: ENOTSUPP (524).</li>
 *   <li>Programs: push/pop/peek (an empty pop or peek zero-fills the program's buffer, as the kernel does);
 *       lookup/update/delete helpers are refused by the verifier (EINVAL).</li>
 * </ul>
 * Not final so the simulator package can attach its own interface with an empty subclass.
 */
public class QueueStackMap {

    static final int EINVAL = Errno.EINVAL.number();
    static final int E2BIG = Errno.E2BIG.number();
    static final int ENOMEM = Errno.ENOMEM.number();
    static final int ENOTSUPP = Errno.ENOTSUPP.number();

    /** {@code KMALLOC_MAX_SIZE} on x86_64 (4 MiB): the largest value. */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /**
     * Ring size ({@code (max_entries + 1) * value_size}) above which creation fails with ENOMEM. The kernel's
     * limit is whatever vmalloc can find; this is the simulator's documented stand-in, the same 16 GiB the
     * simulator's arrays use.
     */
    public static final long SIMULATED_MEMORY_LIMIT = 1L << 34;
    /**
     * Estimated {@code sizeof(struct bpf_queue_stack)}: {@code struct bpf_map} (taken as 296 bytes, the
     * simulator's {@code struct bpf_array} size of 312 less its 16-byte tail) + lock + head, tail, size.
     */
    public static final long SIZEOF_QUEUE_STACK = 312;

    private static final int CREATE_FLAGS = MapFlag.mask(MapFlag.NUMA_NODE, MapFlag.RDONLY, MapFlag.WRONLY,
            MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG);

    private final QueueStack ring;
    private final int valueSize;
    private final int maxEntries;

    /** A map for a spec that {@link #checkCreate(MapSpec)} accepted. */
    public QueueStackMap(MapSpec spec) {
        String problem = explainCreate(spec);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.valueSize = spec.valueSize();
        this.maxEntries = spec.maxEntries();
        this.ring = new QueueStack(spec.type() == MapType.STACK, valueSize, maxEntries);
    }

    /** The element store. */
    public QueueStack ring() {
        return ring;
    }

    // ---- create ------------------------------------------------------------------------------------------

    /**
     * {@code queue_stack_map_alloc_check} then the allocation: EINVAL unless max_entries ≥ 1, key_size 0,
     * value_size ≥ 1, flags within NUMA_NODE and the access flags, not both RDONLY_PROG and WRONLY_PROG; then E2BIG
     * for value_size above 4 MiB; then ENOMEM above {@link #SIMULATED_MEMORY_LIMIT}. Returns 0 or the errno.
     */
    public static int checkCreate(MapSpec spec) {
        return refusal(spec)[0];
    }

    /** Why {@link #checkCreate(MapSpec)} refuses a spec, or null when it does not. */
    public static String explainCreate(MapSpec spec) {
        int[] errno = refusal(spec);
        return errno[0] == 0 ? null : DETAILS[errno[1]];
    }

    private static final String[] DETAILS = {
        null,
        "a queue/stack needs max_entries ≥ 1, key_size 0, value_size ≥ 1 and only NUMA_NODE or access flags",
        "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other",
        "value_size is above KMALLOC_MAX_SIZE (4 MiB)",
        "the ring of (max_entries + 1) values is above the simulator's 16 GiB allocation limit",
    };

    /** {errno, index into DETAILS}. */
    private static int[] refusal(MapSpec spec) {
        int flags = spec.flags();
        if (spec.maxEntries() == 0 || spec.keySize() != 0 || spec.valueSize() == 0 || (flags & ~CREATE_FLAGS) != 0) {
            return new int[] {EINVAL, 1};
        }
        if (MapFlag.RDONLY_PROG.isSet(flags) && MapFlag.WRONLY_PROG.isSet(flags)) {
            return new int[] {EINVAL, 2};
        }
        long valueSize = Integer.toUnsignedLong(spec.valueSize());
        if (valueSize > KMALLOC_MAX_SIZE) {
            return new int[] {E2BIG, 3};
        }
        if ((Integer.toUnsignedLong(spec.maxEntries()) + 1) * valueSize > SIMULATED_MEMORY_LIMIT) {
            return new int[] {ENOMEM, 4};
        }
        return new int[] {0, 0};
    }

    /** {@code queue_stack_map_mem_usage}: the struct plus {@code (max_entries + 1) * value_size}. */
    public long memlock() {
        return SIZEOF_QUEUE_STACK + (Integer.toUnsignedLong(maxEntries) + 1) * valueSize;
    }

    // ---- system calls --------------------------------------------------------------------------------------

    /** {@code BPF_MAP_LOOKUP_ELEM} = peek. */
    public int lookup(ByteBuffer key, ByteBuffer value) {
        if (key != null) {
            return EINVAL;
        }
        byte[] out = new byte[valueSize];
        int err = ring.peek(out, 0);
        if (err == 0) {
            value.put(value.position(), out, 0, valueSize);
        }
        return err;
    }

    /** {@code BPF_MAP_UPDATE_ELEM} = push: flags 0 or BPF_EXIST (make room by dropping the oldest). */
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        if (key != null) {
            return EINVAL;
        }
        return ring.push(bytes(value, valueSize), flags);
    }

    /** {@code BPF_MAP_DELETE_ELEM}: EINVAL. */
    public int delete(ByteBuffer key) {
        return EINVAL;
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}: EINVAL. */
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return EINVAL;
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM} = pop (the caller has refused non-zero flags with EINVAL). */
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        if (key != null) {
            return EINVAL;
        }
        byte[] out = new byte[valueSize];
        int err = ring.pop(out, 0);
        if (err == 0) {
            value.put(value.position(), out, 0, valueSize);
        }
        return err;
    }

    /** Every batch command: ENOTSUPP (524), count 0. */
    public int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                     long elemFlags, int[] countOut) {
        countOut[0] = 0;
        return ENOTSUPP;
    }

    // ---- program helpers ------------------------------------------------------------------------------------

    /** {@code bpf_map_lookup_elem}: refused by the verifier for queues and stacks (EINVAL). */
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

    /** {@code bpf_map_push_elem}: 0, EINVAL (flags) or E2BIG (full without BPF_EXIST). */
    public int programPush(ByteBuffer value, long flags) {
        return ring.push(bytes(value, valueSize), flags);
    }

    /** {@code bpf_map_pop_elem}: 0 or ENOENT; an empty pop zero-fills {@code value}. */
    public int programPop(ByteBuffer value) {
        byte[] out = new byte[valueSize];
        int err = ring.pop(out, 0);
        value.put(value.position(), out, 0, valueSize);
        return err;
    }

    /** {@code bpf_map_peek_elem}: 0 or ENOENT; an empty peek zero-fills {@code value}. */
    public int programPeek(ByteBuffer value) {
        byte[] out = new byte[valueSize];
        int err = ring.peek(out, 0);
        value.put(value.position(), out, 0, valueSize);
        return err;
    }

    static byte[] bytes(ByteBuffer buffer, int n) {
        byte[] out = new byte[n];
        buffer.get(buffer.position(), out, 0, n);
        return out;
    }
}
