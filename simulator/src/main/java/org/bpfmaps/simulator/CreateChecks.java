package org.bpfmaps.simulator;

import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code BPF_MAP_CREATE} validation with the kernel's errno for each bad spec, in the kernel's order.
 *
 * <p>Exists so the order of checks can be read against {@code kernel/bpf/syscall.c map_create}: {@code map_extra},
 * the access-flag combination, the NUMA node, the type; then the type's {@code map_alloc_check} (flags first,
 * then sizes); then the allocation limits; the name last, as the kernel copies it after allocating. A name of more
 * than 15 bytes reaches the kernel as the 16-byte field without a NUL (so the linux backend sends it) and is
 * refused there, last, with {@code EINVAL}.
 */
final class CreateChecks {

    /** Why a spec was refused: the errno and a sentence for the exception. */
    record Refusal(int errno, String detail) {
    }

    /** {@code KMALLOC_MAX_SIZE} on x86_64 (4 MiB). */
    static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** {@code PCPU_MIN_UNIT_SIZE}: the per-CPU value size limit. */
    static final long PCPU_MIN_UNIT_SIZE = 32768;
    /** The simulator refuses maps whose elements could need more than this with ENOMEM (a documented limit). */
    static final long SIMULATED_MEMORY_LIMIT = 1L << 34;

    private static final int ACCESS_MASK = MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY, MapFlag.RDONLY_PROG,
            MapFlag.WRONLY_PROG);
    private static final int HTAB_FLAGS = MapFlag.mask(MapFlag.NO_PREALLOC, MapFlag.NO_COMMON_LRU,
            MapFlag.NUMA_NODE, MapFlag.ZERO_SEED) | ACCESS_MASK;
    private static final int ARRAY_FLAGS = MapFlag.mask(MapFlag.NUMA_NODE, MapFlag.MMAPABLE,
            MapFlag.PRESERVE_ELEMS, MapFlag.INNER_MAP) | ACCESS_MASK;
    private static final int NUMA_NO_NODE = -1;

    private CreateChecks() {
    }

    /** Whether the simulator emulates {@code type}. */
    static boolean emulates(MapType type) {
        return type == MapType.HASH || type == MapType.PERCPU_HASH || type.isLru() || type == MapType.ARRAY
                || type == MapType.PERCPU_ARRAY || DelegatedMapObject.handles(type) || isMapInMap(type);
    }

    /** {@code ARRAY_OF_MAPS} or {@code HASH_OF_MAPS}. */
    static boolean isMapInMap(MapType type) {
        return type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
    }

    /** The types the kernel creates only with BTF type ids: the local storages and struct_ops. */
    static boolean needsBtf(MapType type) {
        return type == MapType.SK_STORAGE || type == MapType.INODE_STORAGE || type == MapType.TASK_STORAGE
                || type == MapType.CGRP_STORAGE || type == MapType.STRUCT_OPS;
    }

    /** The refusal for {@code spec}, or null when the simulator creates it (no map-in-map template check). */
    static Refusal check(MapSpec spec, int cpus) {
        return check(spec, cpus, () -> null);
    }

    /**
     * The refusal for {@code spec}, or null when the simulator creates it. For map-in-map types
     * {@code innerTemplate} checks the inner-map template ({@code bpf_map_meta_alloc}); the kernel does that in the
     * type's allocation, after its {@code map_alloc_check} and before the allocation's own limits.
     */
    static Refusal check(MapSpec spec, int cpus, java.util.function.Supplier<Refusal> innerTemplate) {
        int einval = MapObject.EINVAL;
        MapType type = spec.type();
        int flags = spec.flags();
        if (spec.mapExtra() != 0 && type != MapType.BLOOM_FILTER && type != MapType.ARENA) {
            return new Refusal(einval, "map_extra must be 0 for " + type.bpftoolName());
        }
        if (MapFlag.RDONLY.isSet(flags) && MapFlag.WRONLY.isSet(flags)) {
            return new Refusal(einval, "BPF_F_RDONLY and BPF_F_WRONLY exclude each other");
        }
        int numaNode = MapFlag.NUMA_NODE.isSet(flags) ? spec.numaNode() : NUMA_NO_NODE;
        if (numaNode != NUMA_NO_NODE && numaNode != 0) {
            return new Refusal(einval, "NUMA node " + Integer.toUnsignedString(numaNode)
                    + " is not online; the simulator has only node 0");
        }
        if (type == MapType.UNSPEC) {
            return new Refusal(einval, "map type 0 (unspec) is not a map type");
        }
        if (!emulates(type)) {
            return new Refusal(einval, needsBtf(type)
                    ? "the simulator does not emulate " + type.bpftoolName() + " maps: they need BTF type ids, "
                            + "which a MapSpec cannot carry, and the kernel refuses them without BTF (EINVAL)"
                    : "the simulator does not emulate " + type.bpftoolName() + " maps yet");
        }
        if (MapFlag.TOKEN_FD.isSet(flags)) {
            return new Refusal(einval, "the simulator has no BPF tokens (BPF_F_TOKEN_FD)");
        }
        Refusal r;
        if (DelegatedMapObject.handles(type)) {
            r = DelegatedMapObject.check(spec, cpus);
        } else if (isMapInMap(type)) {
            r = mapInMapCheck(spec, numaNode, cpus, innerTemplate);
        } else {
            r = type.isHashTable() ? hashCheck(spec, numaNode) : arrayCheck(spec, numaNode, cpus);
            if (r == null) {
                r = type.isHashTable() ? hashLimits(spec) : arrayLimits(spec, cpus);
            }
        }
        if (r != null) {
            return r;
        }
        return nameCheck(spec.nameBytes());
    }

    /**
     * {@code fd_array_map_alloc_check} / {@code fd_htab_map_alloc_check} (values are 4-byte descriptors; an array
     * of maps takes neither {@code BPF_F_RDONLY_PROG} nor {@code BPF_F_WRONLY_PROG}), then the array's or hash's
     * own {@code map_alloc_check}, then the inner template, then the allocation limits.
     */
    private static Refusal mapInMapCheck(MapSpec spec, int numaNode, int cpus,
                                         java.util.function.Supplier<Refusal> innerTemplate) {
        boolean array = spec.type() == MapType.ARRAY_OF_MAPS;
        if (spec.valueSize() != 4) {
            return new Refusal(MapObject.EINVAL, spec.type().bpftoolName() + " values are 4-byte map descriptors; "
                    + "value_size " + Integer.toUnsignedString(spec.valueSize()) + " is refused");
        }
        if (array && (spec.flags() & MapFlag.mask(MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG)) != 0) {
            return new Refusal(MapObject.EINVAL, "an array of maps takes neither BPF_F_RDONLY_PROG nor "
                    + "BPF_F_WRONLY_PROG");
        }
        Refusal r = array ? arrayCheck(spec, numaNode, cpus) : hashCheck(spec, numaNode);
        if (r == null) {
            r = innerTemplate.get();
        }
        if (r == null) {
            r = array ? arrayLimits(spec, cpus) : hashLimits(spec);
        }
        return r;
    }

    /** {@code htab_map_alloc_check}. */
    private static Refusal hashCheck(MapSpec spec, int numaNode) {
        int einval = MapObject.EINVAL;
        int flags = spec.flags();
        boolean percpu = spec.type().isPerCpu();
        boolean percpuLru = MapFlag.NO_COMMON_LRU.isSet(flags);
        if ((flags & ~HTAB_FLAGS) != 0 || accessConflict(flags)) {
            return new Refusal(einval, "flags 0x" + Integer.toHexString(flags) + " are not valid for "
                    + spec.type().bpftoolName());
        }
        if (percpuLru && !spec.type().isLru()) {
            return new Refusal(einval, "BPF_F_NO_COMMON_LRU is only for LRU hash maps");
        }
        if (spec.type().isLru() && MapFlag.NO_PREALLOC.isSet(flags)) {
            return new Refusal(MapObject.ENOTSUPP, "LRU hash maps are always preallocated");
        }
        if (numaNode != NUMA_NO_NODE && (percpu || percpuLru)) {
            return new Refusal(einval, "a per-CPU map cannot be placed on a NUMA node");
        }
        if (spec.maxEntries() == 0 || spec.keySize() == 0 || spec.valueSize() == 0) {
            return new Refusal(einval, "key_size, value_size and max_entries must all be at least 1");
        }
        long kv = Integer.toUnsignedLong(spec.keySize()) + Integer.toUnsignedLong(spec.valueSize());
        if (kv >= KMALLOC_MAX_SIZE - HashTable.SIZEOF_HTAB_ELEM) {
            return new Refusal(MapObject.E2BIG, "key_size + value_size (" + kv + ") is above the kernel's "
                    + "kmalloc limit");
        }
        if (percpu && roundUp8(spec.valueSize()) > PCPU_MIN_UNIT_SIZE) {
            return new Refusal(MapObject.E2BIG, "per-CPU values are at most " + PCPU_MIN_UNIT_SIZE + " bytes");
        }
        return null;
    }

    /** The bucket-count limit of {@code htab_map_alloc}. */
    private static Refusal hashLimits(MapSpec spec) {
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if (max > (1L << 31) || Long.highestOneBit(max - 1) * 2 > HashTable.MAX_BUCKETS) {
            return new Refusal(MapObject.E2BIG, "max_entries " + max + " needs more buckets than the kernel's "
                    + "u32-sized bucket array allows (at most " + HashTable.MAX_BUCKETS + ")");
        }
        return null;
    }

    /** {@code array_map_alloc_check}. */
    private static Refusal arrayCheck(MapSpec spec, int numaNode, int cpus) {
        int einval = MapObject.EINVAL;
        int flags = spec.flags();
        MapType type = spec.type();
        boolean percpu = type == MapType.PERCPU_ARRAY;
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || spec.valueSize() == 0
                || (flags & ~ARRAY_FLAGS) != 0 || accessConflict(flags) || (percpu && numaNode != NUMA_NO_NODE)) {
            return new Refusal(einval, "an array needs key_size 4, value_size and max_entries of at least 1, and "
                    + "valid flags (got key " + Integer.toUnsignedString(spec.keySize()) + ", flags 0x"
                    + Integer.toHexString(flags) + ")");
        }
        if (type != MapType.ARRAY && (flags & MapFlag.mask(MapFlag.MMAPABLE, MapFlag.INNER_MAP)) != 0) {
            return new Refusal(einval, "BPF_F_MMAPABLE and BPF_F_INNER_MAP are only for array maps");
        }
        if (MapFlag.PRESERVE_ELEMS.isSet(flags)) {
            return new Refusal(einval, "BPF_F_PRESERVE_ELEMS is only for perf event arrays");
        }
        if (Integer.toUnsignedLong(spec.valueSize()) > Integer.MAX_VALUE) {
            return new Refusal(MapObject.E2BIG, "value_size is above INT_MAX");
        }
        if (percpu && roundUp8(spec.valueSize()) > PCPU_MIN_UNIT_SIZE) {
            return new Refusal(MapObject.E2BIG, "per-CPU values are at most " + PCPU_MIN_UNIT_SIZE + " bytes");
        }
        return null;
    }

    /** The allocation size of {@code array_map_alloc}. */
    private static Refusal arrayLimits(MapSpec spec, int cpus) {
        long bytes = ArrayTable.storageBytes(spec, cpus);
        long elem = bytes / Integer.toUnsignedLong(spec.maxEntries());
        if (bytes > SIMULATED_MEMORY_LIMIT || elem > Integer.MAX_VALUE - 16) {
            return new Refusal(MapObject.ENOMEM, "the array would need " + bytes + " bytes; the simulator "
                    + "allocates at most " + SIMULATED_MEMORY_LIMIT + " bytes per map and elements below 2 GiB");
        }
        return null;
    }

    /**
     * {@code bpf_obj_name_cpy}: the 16-byte field is read up to its first NUL, which must come within 16 bytes;
     * the bytes before it must be {@code [A-Za-z0-9_.]}, and whatever follows the NUL is ignored. (The kernel's
     * {@code isalnum} also takes Latin-1 letters 0xc0-0xff, but every non-ASCII UTF-8 character has a continuation
     * byte 0x80-0xbf, which it refuses, so for a name given as a string the ASCII rule is the kernel's.)
     */
    private static Refusal nameCheck(byte[] name) {
        int end = 0;
        while (end < name.length && name[end] != 0) {
            end++;
        }
        if (end > 15) {
            return new Refusal(MapObject.EINVAL, "the name is " + end + " bytes; at most 15 fit");
        }
        for (int i = 0; i < end; i++) {
            byte b = name[i];
            boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_'
                    || b == '.';
            if (!ok) {
                return new Refusal(MapObject.EINVAL, "names may hold only [A-Za-z0-9_.]");
            }
        }
        return null;
    }

    /** The name the kernel keeps for {@code spec}: its name up to the first NUL (bpf_obj_name_cpy). */
    static String storedName(MapSpec spec) {
        String name = spec.name();
        int nul = name.indexOf('\0');
        return nul < 0 ? name : name.substring(0, nul);
    }

    /** {@code !bpf_map_flags_access_ok}: programs cannot be both read-only and write-only. */
    private static boolean accessConflict(int flags) {
        return MapFlag.RDONLY_PROG.isSet(flags) && MapFlag.WRONLY_PROG.isSet(flags);
    }

    private static long roundUp8(int n) {
        return (Integer.toUnsignedLong(n) + 7) & ~7L;
    }
}
