package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code CGROUP_STORAGE} and {@code PERCPU_CGROUP_STORAGE}: the deprecated per-cgroup storage of
 * {@code kernel/bpf/local_storage.c} (Linux 6.18).
 *
 * <p>An element exists for each (cgroup, attach type) of a program attached to a cgroup. The simulator has no
 * cgroups and attaches no programs, so a map is always empty: a lookup or get-next-key is {@code ENOENT}, an update
 * is {@code ENOENT} with {@code BPF_ANY} or {@code BPF_EXIST} and {@code EINVAL} with any other flag (no element is
 * ever created from user space), a delete is {@code EINVAL} (the type has none). The key is the 8-byte cgroup id or
 * the 16-byte {@code struct bpf_cgroup_storage_key} (u64 id, u32 attach type, 4 bytes of padding), and
 * {@code max_entries} must be 0.
 */
final class CgroupStorageMap extends EmulatedOps {

    /**
     * {@code BPF_LOCAL_STORAGE_MAX_VALUE_SIZE} on 6.18 x86_64: {@code U16_MAX} less the 128-byte
     * {@code struct bpf_local_storage_elem} (65408 is the first size refused, measured).
     */
    static final long MAX_VALUE_SIZE = 65407;
    /** {@code sizeof(struct bpf_cgroup_storage_map)}: the kernel's memlock for a map without storages. */
    static final long SIZEOF_STORAGE_MAP = 328;

    private static final int CREATE_FLAGS = NUMA | FD_ACCESS | PROG_ACCESS;

    private final boolean percpu;

    CgroupStorageMap(MapSpec spec) {
        super(spec);
        this.percpu = spec.type() == MapType.PERCPU_CGROUP_STORAGE;
    }

    /** {@code cgroup_storage_map_alloc}: key size, value size (0, then the limit), flags, max_entries. */
    static CreateChecks.Refusal check(MapSpec spec) {
        String name = spec.type().bpftoolName();
        if (spec.keySize() != 8 && spec.keySize() != 16) {
            return refuse(EINVAL, name + " keys are 8 bytes (cgroup id) or 16 (struct bpf_cgroup_storage_key), got "
                    + Integer.toUnsignedString(spec.keySize()));
        }
        long value = Integer.toUnsignedLong(spec.valueSize());
        if (value == 0) {
            return refuse(EINVAL, name + " needs value_size of at least 1");
        }
        long max = spec.type() == MapType.PERCPU_CGROUP_STORAGE
                ? Math.min(MAX_VALUE_SIZE, CreateChecks.PCPU_MIN_UNIT_SIZE) : MAX_VALUE_SIZE;
        if (value > max) {
            return refuse(E2BIG, name + " values are at most " + max + " bytes, got " + value);
        }
        int flags = spec.flags();
        if ((flags & ~CREATE_FLAGS) != 0 || (flags & PROG_ACCESS) == PROG_ACCESS) {
            return refuse(EINVAL, name + " takes only NUMA_NODE and access flags (got " + hex(flags) + ")");
        }
        if (spec.maxEntries() != 0) {
            return refuse(EINVAL, name + " needs max_entries 0 (storage is per cgroup), got "
                    + Integer.toUnsignedString(spec.maxEntries()));
        }
        return null;
    }

    @Override
    public long memlock() {
        return SIZEOF_STORAGE_MAP;
    }

    @Override
    public int lookup(ByteBuffer key, ByteBuffer value) {
        return ENOENT;
    }

    @Override
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        boolean badFlags = percpu ? flags != 0 && flags != 2 : (flags & ~6L) != 0;
        return badFlags ? EINVAL : ENOENT;
    }

    @Override
    public int delete(ByteBuffer key) {
        return EINVAL;
    }

    @Override
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return ENOENT;
    }
}
