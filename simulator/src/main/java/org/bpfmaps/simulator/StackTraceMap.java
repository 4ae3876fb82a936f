package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;

/**
 * {@code STACK_TRACE}: stacks recorded by {@code bpf_get_stackid()}, as in {@code kernel/bpf/stackmap.c} of
 * Linux 6.18.
 *
 * <p>Only programs add stacks, and the simulator runs none that walk a stack, so a map is always empty: a lookup,
 * lookup-and-delete or get-next-key answers {@code ENOENT}; a delete answers {@code E2BIG} for an id at or past
 * the bucket count ({@code roundup_pow_of_two(max_entries)}) and {@code ENOENT} below it; an update from user space
 * is {@code EINVAL}. Values are arrays of u64 instruction pointers, at most {@value #MAX_STACK}
 * ({@code sysctl kernel.perf_event_max_stack}) of them, or with {@code BPF_F_STACK_BUILD_ID} 32-byte
 * {@code struct bpf_stack_build_id} records.
 */
final class StackTraceMap extends EmulatedOps {

    /** The default {@code kernel.perf_event_max_stack}. */
    static final int MAX_STACK = 127;
    /** {@code sizeof(struct bpf_stack_build_id)}. */
    static final int BUILD_ID_SIZE = 32;
    /** {@code sizeof(struct bpf_stack_map)} on 6.18 x86_64, from the kernel's memlock (352 B for one 8-byte entry). */
    static final long SIZEOF_STACK_MAP = 320;
    /** {@code sizeof(struct stack_map_bucket)} before the value. */
    static final long SIZEOF_BUCKET = 16;

    private static final int CREATE_FLAGS = NUMA | FD_ACCESS | MapFlag.STACK_BUILD_ID.bit();

    private final long buckets;

    StackTraceMap(MapSpec spec) {
        super(spec);
        this.buckets = roundUpPowerOfTwo(maxEntries);
    }

    /** {@code stack_map_alloc}: flags, sizes, the depth limit, then the bucket count and the allocation. */
    static CreateChecks.Refusal check(MapSpec spec) {
        int flags = spec.flags();
        if ((flags & ~CREATE_FLAGS) != 0) {
            return refuse(EINVAL, "stack_trace takes only NUMA_NODE, RDONLY, WRONLY and STACK_BUILD_ID flags (got "
                    + hex(flags) + ")");
        }
        long value = Integer.toUnsignedLong(spec.valueSize());
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || value < 8 || value % 8 != 0) {
            return refuse(EINVAL, "stack_trace needs key_size 4, max_entries of at least 1 and a value_size that is a "
                    + "multiple of 8 (got key " + Integer.toUnsignedString(spec.keySize()) + ", value " + value + ")");
        }
        if (MapFlag.STACK_BUILD_ID.isSet(flags)) {
            if (value % BUILD_ID_SIZE != 0 || value / BUILD_ID_SIZE > MAX_STACK) {
                return refuse(EINVAL, "with BPF_F_STACK_BUILD_ID value_size must be a multiple of "
                        + BUILD_ID_SIZE + " and hold at most " + MAX_STACK + " frames (got " + value + ")");
            }
        } else if (value / 8 > MAX_STACK) {
            return refuse(EINVAL, "value_size " + value + " holds more than " + MAX_STACK
                    + " frames (kernel.perf_event_max_stack)");
        }
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if (max > 1L << 31) {
            return refuse(E2BIG, "stack_trace max_entries is at most 2^31");
        }
        return memoryLimit(spec, roundUpPowerOfTwo(max) * 8 + max * (SIZEOF_BUCKET + value));
    }

    /** {@code stack_map_mem_usage}: the map, the bucket pointers and the preallocated buckets. */
    @Override
    public long memlock() {
        return SIZEOF_STACK_MAP + buckets * 8 + maxEntries * (SIZEOF_BUCKET + valueSize);
    }

    @Override
    public int lookup(ByteBuffer key, ByteBuffer value) {
        return ENOENT;
    }

    @Override
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        return EINVAL;
    }

    @Override
    public int delete(ByteBuffer key) {
        return index(key) >= buckets ? E2BIG : ENOENT;
    }

    @Override
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return ENOENT;
    }

    /** STACK_TRACE implements lookup-and-delete: no stack, so ENOENT. */
    @Override
    public int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ENOENT;
    }
}
