package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * The map types whose values are descriptors of kernel objects the simulator does not have: {@code PROG_ARRAY}
 * (programs), {@code PERF_EVENT_ARRAY} (perf events), {@code CGROUP_ARRAY} (cgroup directories), {@code SOCKMAP},
 * {@code SOCKHASH}, {@code XSKMAP} and {@code REUSEPORT_SOCKARRAY} (sockets), as in Linux 6.18's
 * {@code kernel/bpf/arraymap.c}, {@code net/core/sock_map.c}, {@code net/xdp/xskmap.c} and
 * {@code kernel/bpf/reuseport_array.c}.
 *
 * <p>The descriptors user space can give a simulated kernel are its map descriptors, 0 to 2 (open files that are
 * not BPF objects) and numbers that are not open; none is a program, perf event, cgroup or socket, so an update
 * never stores anything and the maps stay empty. Each type refuses such a descriptor the way the kernel refuses
 * it: a program array {@code EINVAL} for an open file that is not a program, the perf event and cgroup arrays
 * {@code EBADF} for anything that is not theirs, the socket maps {@code ENOTSOCK} for an open file that is not a
 * socket; a number that is not open is {@code EBADF} everywhere. The checks before the descriptor (flags, the
 * index, a descriptor above {@code INT_MAX}) come in each type's order; see the methods.
 */
final class DescriptorMap extends EmulatedOps {

    private static final int ARRAY_CREATE_FLAGS = NUMA | FD_ACCESS | PROG_ACCESS | MapFlag.MMAPABLE.bit()
            | MapFlag.PRESERVE_ELEMS.bit() | MapFlag.INNER_MAP.bit();
    private static final int SOCK_CREATE_FLAGS = NUMA | FD_ACCESS;
    /** {@code MAX_BPF_STACK}: the largest SOCKHASH key. */
    static final int MAX_BPF_STACK = 512;
    /** {@code sizeof(struct bpf_shtab_bucket)}. */
    static final long SIZEOF_SHTAB_BUCKET = 16;

    private final SimulatedKernel kernel;
    private final MapType type;

    DescriptorMap(SimulatedKernel kernel, MapSpec spec) {
        super(spec);
        this.kernel = kernel;
        this.type = spec.type();
    }

    /** Whether this class emulates {@code type}. */
    static boolean handles(MapType type) {
        switch (type) {
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
            case SOCKMAP:
            case SOCKHASH:
            case XSKMAP:
            case REUSEPORT_SOCKARRAY:
                return true;
            default:
                return false;
        }
    }

    // ---- create ------------------------------------------------------------------------------------------

    /** The type's create checks in the kernel's order, then the simulator's allocation limit. */
    static CreateChecks.Refusal check(MapSpec spec) {
        MapType type = spec.type();
        String name = type.bpftoolName();
        int flags = spec.flags();
        long max = Integer.toUnsignedLong(spec.maxEntries());
        long value = Integer.toUnsignedLong(spec.valueSize());
        switch (type) {
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
            case REUSEPORT_SOCKARRAY: {
                boolean reuseport = type == MapType.REUSEPORT_SOCKARRAY;
                // fd_array_map_alloc_check / reuseport_array_alloc_check, then array_map_alloc_check
                if (reuseport ? value != 4 && value != 8 : value != 4) {
                    return refuse(EINVAL, name + " values are " + (reuseport ? "4 or 8" : "4")
                            + " bytes (a descriptor), got " + value);
                }
                if (!reuseport && (flags & PROG_ACCESS) != 0) {
                    return refuse(EINVAL, name + " does not take BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG");
                }
                if (max == 0 || spec.keySize() != 4 || (flags & ~ARRAY_CREATE_FLAGS) != 0
                        || (flags & PROG_ACCESS) == PROG_ACCESS) {
                    return refuse(EINVAL, name + " needs key_size 4, max_entries of at least 1 and array flags (got "
                            + "key " + Integer.toUnsignedString(spec.keySize()) + ", flags " + hex(flags) + ")");
                }
                if ((flags & MapFlag.mask(MapFlag.MMAPABLE, MapFlag.INNER_MAP)) != 0) {
                    return refuse(EINVAL, "BPF_F_MMAPABLE and BPF_F_INNER_MAP are only for array maps");
                }
                if (type != MapType.PERF_EVENT_ARRAY && MapFlag.PRESERVE_ELEMS.isSet(flags)) {
                    return refuse(EINVAL, "BPF_F_PRESERVE_ELEMS is only for perf event arrays");
                }
                return memoryLimit(spec, max * 8);
            }
            case XSKMAP:
                if (max == 0 || spec.keySize() != 4 || value != 4 || (flags & ~SOCK_CREATE_FLAGS) != 0) {
                    return refuse(EINVAL, "xskmap needs key_size 4, value_size 4, max_entries of at least 1 and only "
                            + "NUMA_NODE, RDONLY or WRONLY flags (got key " + Integer.toUnsignedString(spec.keySize())
                            + ", value " + value + ", flags " + hex(flags) + ")");
                }
                return memoryLimit(spec, max * 8);
            case SOCKMAP:
                if (max == 0 || spec.keySize() != 4 || (value != 4 && value != 8) || (flags & ~SOCK_CREATE_FLAGS) != 0) {
                    return refuse(EINVAL, "sockmap needs key_size 4, value_size 4 or 8, max_entries of at least 1 and "
                            + "only NUMA_NODE, RDONLY or WRONLY flags (got key "
                            + Integer.toUnsignedString(spec.keySize()) + ", value " + value + ", flags " + hex(flags)
                            + ")");
                }
                return memoryLimit(spec, max * 8);
            default: { // SOCKHASH
                if (max == 0 || spec.keySize() == 0 || (value != 4 && value != 8)
                        || (flags & ~SOCK_CREATE_FLAGS) != 0) {
                    return refuse(EINVAL, "sockhash needs key_size and max_entries of at least 1, value_size 4 or 8 "
                            + "and only NUMA_NODE, RDONLY or WRONLY flags (got key "
                            + Integer.toUnsignedString(spec.keySize()) + ", value " + value + ", flags " + hex(flags)
                            + ")");
                }
                if (Integer.toUnsignedLong(spec.keySize()) > MAX_BPF_STACK) {
                    return refuse(E2BIG, "sockhash keys are at most " + MAX_BPF_STACK + " bytes, got "
                            + Integer.toUnsignedString(spec.keySize()));
                }
                if (max > 1L << 27) {
                    // roundup_pow_of_two(max_entries) buckets of 16 bytes must stay below U32_MAX bytes
                    return refuse(EINVAL, "sockhash max_entries " + max + " needs more than 2^27 buckets");
                }
                return memoryLimit(spec, roundUpPowerOfTwo(max) * SIZEOF_SHTAB_BUCKET);
            }
        }
    }

    /** The kernel's memlock for the empty map (measured on 6.18 x86_64). */
    @Override
    public long memlock() {
        switch (type) {
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
                return ArrayTable.SIZEOF_BPF_ARRAY + maxEntries * 8;
            case XSKMAP:
                return 304 + maxEntries * 8;
            case SOCKMAP:
                return 376 + maxEntries * 8;
            case REUSEPORT_SOCKARRAY:
                return 296 + maxEntries * 8;
            default:
                return 384 + roundUpPowerOfTwo(maxEntries) * SIZEOF_SHTAB_BUCKET;
        }
    }

    // ---- commands -----------------------------------------------------------------------------------------

    private boolean socketMap() {
        return type == MapType.SOCKMAP || type == MapType.SOCKHASH || type == MapType.REUSEPORT_SOCKARRAY;
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}: a program array has no program ({@code ENOENT}); perf event and cgroup arrays
     * cannot be read from user space ({@code ENOTSUPP}), nor can an XSK map ({@code EOPNOTSUPP}); the socket maps
     * return an 8-byte socket cookie, so value_size 4 is {@code ENOSPC}, else there is no socket ({@code ENOENT}).
     */
    @Override
    public int lookup(ByteBuffer key, ByteBuffer value) {
        switch (type) {
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
                return ENOTSUPP;
            case XSKMAP:
                return EOPNOTSUPP;
            case PROG_ARRAY:
                return ENOENT;
            default:
                return valueSize != 8 ? ENOSPC : ENOENT;
        }
    }

    @Override
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        long index = keySize >= 4 ? index(key) : 0;
        int fd = MapObject.readU32(value, value.position());
        switch (type) {
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
                // bpf_fd_array_map_update_elem: only BPF_ANY, the index, then the descriptor
                if (flags != 0) {
                    return EINVAL;
                }
                if (index >= maxEntries) {
                    return E2BIG;
                }
                if (type == MapType.PROG_ARRAY) {
                    return isOpen(fd) ? EINVAL : EBADF; // bpf_prog_get: open but not a program
                }
                return EBADF; // perf_event_get / cgroup_get_from_fd answer EBADF for any other file
            case XSKMAP:
                if (Long.compareUnsigned(flags, 2) > 0) {
                    return EINVAL;
                }
                if (index >= maxEntries) {
                    return E2BIG;
                }
                return socketErrno(fd);
            case REUSEPORT_SOCKARRAY:
                if (Long.compareUnsigned(flags, 2) > 0) {
                    return EINVAL;
                }
                if (index >= maxEntries) {
                    return E2BIG;
                }
                if (valueSize == 8 && Long.compareUnsigned(descriptor64(value), Integer.MAX_VALUE) > 0) {
                    return EINVAL;
                }
                return socketErrno(fd);
            default: // SOCKMAP, SOCKHASH: sock_map_update_elem_sys checks the descriptor before anything else
                long ufd = valueSize == 8 ? descriptor64(value) : Integer.toUnsignedLong(fd);
                if (Long.compareUnsigned(ufd, Integer.MAX_VALUE) > 0) {
                    return EINVAL;
                }
                return socketErrno(fd);
        }
    }

    /** The u64 descriptor of an 8-byte value. */
    private static long descriptor64(ByteBuffer value) {
        return Integer.toUnsignedLong(MapObject.readU32(value, value.position()))
                | Integer.toUnsignedLong(MapObject.readU32(value, value.position() + 4)) << 32;
    }

    /** {@code sockfd_lookup}: EBADF for a number that is not open, ENOTSOCK for an open file (none is a socket). */
    private int socketErrno(int fd) {
        return isOpen(fd) ? ENOTSOCK : EBADF;
    }

    /** Whether {@code fd} is an open descriptor of the simulated process: a map, or 0 to 2. */
    private boolean isOpen(int fd) {
        return kernel.descriptor(fd) != null || SimulatedKernel.fdErrno(fd) != EBADF;
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM} on an empty map: the fd arrays and the reuseport array {@code E2BIG} past the end,
     * else {@code ENOENT}; an XSK map {@code EINVAL} past the end, else 0; a sockmap {@code EINVAL}; a sockhash
     * {@code ENOENT}.
     */
    @Override
    public int delete(ByteBuffer key) {
        switch (type) {
            case SOCKMAP:
                return EINVAL;
            case SOCKHASH:
                return ENOENT;
            case XSKMAP:
                return index(key) >= maxEntries ? EINVAL : 0;
            default:
                return index(key) >= maxEntries ? E2BIG : ENOENT;
        }
    }

    /** Arrays iterate over every index; an empty sockhash has no key. */
    @Override
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return type == MapType.SOCKHASH ? ENOENT : arrayNextKey(key, nextKey);
    }

    @Override
    public String toString() {
        return type.bpftoolName() + (socketMap() ? " (no sockets)" : "");
    }
}
