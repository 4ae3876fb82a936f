package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * {@code DEVMAP} and {@code DEVMAP_HASH}: network devices for {@code bpf_redirect_map}, as in
 * {@code kernel/bpf/devmap.c} of Linux 6.18.
 *
 * <p>A value is {@code u32 ifindex} (value_size 4) or {@code struct bpf_devmap_val {u32 ifindex; int prog_fd}}
 * (value_size 8); a lookup returns the ifindex and the program's id (always 0 here). The simulated host has one
 * network device, the loopback interface with ifindex {@value #LOOPBACK_IFINDEX}: any other ifindex is a device
 * that does not exist ({@code EINVAL}), and so is a program descriptor (fd &gt; 0) in an 8-byte value, because
 * the simulator has no XDP programs. The kernel sets {@code BPF_F_RDONLY_PROG} on every device map (programs get a
 * pointer into the device), so {@code info()} reports it and program-side writes are refused with
 * {@code EACCES}.
 *
 * <p>{@code DEVMAP} is an array: an element is there after an update with a device, and gone after a delete or an
 * update with ifindex 0; {@code BPF_NOEXIST} is always {@code EEXIST}, a delete of an empty slot succeeds, an
 * out-of-range key is {@code E2BIG} on update and {@code EINVAL} on delete. {@code DEVMAP_HASH} keys are any u32,
 * in {@code roundup_pow_of_two(max_entries)} buckets chosen by {@code key & (n_buckets - 1)}, new and replaced
 * elements at the head of their bucket; iteration goes bucket by bucket, an unknown key restarting at the first.
 */
final class DevMap extends EmulatedOps {

    /** The only network device of the simulated host: the loopback interface. */
    static final int LOOPBACK_IFINDEX = 1;
    /** {@code sizeof(struct bpf_dtab)} on 6.18 x86_64, from the kernel's memlock (376 B for 4 entries). */
    static final long SIZEOF_DTAB = 344;
    /** {@code sizeof(struct bpf_dtab_netdev)}: what each element adds to memlock (measured: 64 B). */
    static final long SIZEOF_DTAB_NETDEV = 64;

    private static final int CREATE_FLAGS = NUMA | FD_ACCESS;

    private final boolean hash;
    private final long buckets;
    /** DEVMAP: index to ifindex. */
    private final TreeMap<Long, Integer> slots = new TreeMap<>();
    /** DEVMAP_HASH: bucket index to the keys in it, head first; and key to ifindex. */
    private final TreeMap<Long, List<Long>> chains = new TreeMap<>();
    private final java.util.HashMap<Long, Integer> devices = new java.util.HashMap<>();
    /**
     * DEVMAP: the kernel's {@code dtab->items}, which memlock counts: it grows by one whenever an update finds the
     * slot empty, even when the update leaves it empty (ifindex 0), and shrinks only when a delete empties a slot.
     */
    private long items;

    DevMap(MapSpec spec) {
        super(spec);
        this.hash = spec.type() == MapType.DEVMAP_HASH;
        this.buckets = hash ? roundUpPowerOfTwo(maxEntries) : 0;
    }

    /** {@code dev_map_alloc_check}, then the allocation. */
    static CreateChecks.Refusal check(MapSpec spec) {
        int flags = spec.flags();
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || (spec.valueSize() != 4 && spec.valueSize() != 8)
                || (flags & ~CREATE_FLAGS) != 0) {
            return refuse(EINVAL, spec.type().bpftoolName() + " needs key_size 4, value_size 4 (ifindex) or 8 "
                    + "(ifindex, program fd), max_entries of at least 1, and only NUMA_NODE, RDONLY or WRONLY "
                    + "flags (got key " + Integer.toUnsignedString(spec.keySize()) + ", value "
                    + Integer.toUnsignedString(spec.valueSize()) + ", flags " + hex(flags) + ")");
        }
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if (spec.type() == MapType.DEVMAP_HASH) {
            if (max > 1L << 31) {
                return refuse(EINVAL, "devmap_hash max_entries is at most 2^31 (its buckets are a power of two)");
            }
            return memoryLimit(spec, roundUpPowerOfTwo(max) * 8);
        }
        return memoryLimit(spec, max * 8);
    }

    @Override
    int addedFlags() {
        return MapFlag.RDONLY_PROG.bit();
    }

    @Override
    public synchronized long memlock() {
        long table = hash ? buckets * 8 : maxEntries * 8;
        return SIZEOF_DTAB + table + (hash ? devices.size() : items) * SIZEOF_DTAB_NETDEV;
    }

    /**
     * {@code __dev_map_alloc_node}: 0 when the value names an existing device and no program, else EINVAL
     * (a device that does not exist, or a program descriptor the simulator cannot resolve to an XDP program).
     */
    private int deviceCheck(int ifindex, int progFd) {
        if (ifindex != LOOPBACK_IFINDEX) {
            return EINVAL;
        }
        return progFd > 0 ? EINVAL : 0;
    }

    private int progFd(ByteBuffer value) {
        return valueSize == 8 ? MapObject.readU32(value, value.position() + 4) : 0;
    }

    private void writeValue(ByteBuffer out, int ifindex) {
        MapObject.writeU32(out, out.position(), ifindex);
        if (valueSize == 8) {
            MapObject.writeU32(out, out.position() + 4, 0); // no program: id 0
        }
    }

    @Override
    public synchronized int lookup(ByteBuffer key, ByteBuffer value) {
        Integer dev = hash ? devices.get(index(key)) : slots.get(index(key));
        if (dev == null) {
            return ENOENT;
        }
        writeValue(value, dev);
        return 0;
    }

    @Override
    public synchronized int update(ByteBuffer key, ByteBuffer value, long flags) {
        long i = index(key);
        int ifindex = MapObject.readU32(value, value.position());
        int prog = progFd(value);
        if (!hash) {
            if (Long.compareUnsigned(flags, 2) > 0) {
                return EINVAL;
            }
            if (i >= maxEntries) {
                return E2BIG;
            }
            if (flags == 1) {
                return EEXIST; // BPF_NOEXIST: every slot counts as existing
            }
            if (ifindex == 0) {
                if (prog > 0) {
                    return EINVAL; // a program without a device
                }
                if (slots.remove(i) == null) {
                    items++;
                }
                return 0;
            }
            int err = deviceCheck(ifindex, prog);
            if (err != 0) {
                return err;
            }
            if (slots.put(i, ifindex) == null) {
                items++;
            }
            return 0;
        }
        if (Long.compareUnsigned(flags, 2) > 0 || ifindex == 0) {
            return EINVAL;
        }
        boolean exists = devices.containsKey(i);
        if (exists && flags == 1) {
            return EEXIST;
        }
        int err = deviceCheck(ifindex, prog);
        if (err != 0) {
            return err;
        }
        long b = i & (buckets - 1);
        if (exists) {
            chains.get(b).remove(i);
        } else if (devices.size() >= maxEntries) {
            return E2BIG;
        }
        chains.computeIfAbsent(b, k -> new ArrayList<>()).add(0, i);
        devices.put(i, ifindex);
        return 0;
    }

    @Override
    public synchronized int delete(ByteBuffer key) {
        long i = index(key);
        if (!hash) {
            if (i >= maxEntries) {
                return EINVAL;
            }
            if (slots.remove(i) != null) {
                items--;
            }
            return 0;
        }
        if (devices.remove(i) == null) {
            return ENOENT;
        }
        long b = i & (buckets - 1);
        List<Long> chain = chains.get(b);
        chain.remove(i);
        if (chain.isEmpty()) {
            chains.remove(b);
        }
        return 0;
    }

    @Override
    public synchronized int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        if (!hash) {
            return arrayNextKey(key, nextKey);
        }
        long from = 0;
        if (key != null) {
            long i = index(key);
            if (devices.containsKey(i)) {
                long b = i & (buckets - 1);
                List<Long> chain = chains.get(b);
                int at = chain.indexOf(i);
                if (at + 1 < chain.size()) {
                    MapObject.writeU32(nextKey, nextKey.position(), chain.get(at + 1).intValue());
                    return 0;
                }
                from = b + 1;
            }
        }
        java.util.Map.Entry<Long, List<Long>> e = chains.ceilingEntry(from);
        if (e == null) {
            return ENOENT;
        }
        MapObject.writeU32(nextKey, nextKey.position(), e.getValue().get(0).intValue());
        return 0;
    }

    /** {@code bpf_map_lookup_elem} from a program: the element's {@code struct bpf_devmap_val}, value_size bytes. */
    @Override
    public int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return lookup(key, value);
    }
}
