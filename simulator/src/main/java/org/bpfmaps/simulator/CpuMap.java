package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.TreeMap;
import org.bpfmaps.MapSpec;

/**
 * {@code CPUMAP}: per-CPU queues for XDP redirect, as in {@code kernel/bpf/cpumap.c} of Linux 6.18.
 *
 * <p>The key is a CPU number; a value is {@code u32 qsize} (value_size 4) or
 * {@code struct bpf_cpumap_val {u32 qsize; int prog_fd}} (value_size 8), and a lookup returns the queue size and
 * the program's id (always 0 here). An update checks, in order: flags above {@code BPF_EXIST} ({@code EINVAL}), a
 * key at or past {@code max_entries} ({@code E2BIG}), {@code BPF_NOEXIST} ({@code EEXIST}, always: array
 * semantics), a queue size above {@value #MAX_QSIZE} ({@code EOVERFLOW}), a CPU that is not possible
 * ({@code ENODEV}); a queue size of 0 then empties the slot, and a program descriptor (fd &gt; 0) fails the entry's
 * allocation with {@code ENOMEM}, because the simulator has no XDP programs. A delete of an empty slot succeeds;
 * past the end it is {@code EINVAL}. {@code max_entries} is limited by the kernel's {@code NR_CPUS}.
 */
final class CpuMap extends EmulatedOps {

    /** The kernel's sanity limit on a queue size. */
    static final int MAX_QSIZE = 16384;
    /**
     * {@code NR_CPUS} of the simulated kernel: 256, as in the 6.18 build this project measures
     * ({@code /sys/devices/system/cpu/kernel_max} = 255), or the simulated CPU count when that is larger.
     */
    static final int NR_CPUS = 256;
    /** {@code sizeof(struct bpf_cpu_map)} on 6.18 x86_64, from the kernel's memlock (336 B for 4 entries). */
    static final long SIZEOF_CPU_MAP = 304;

    private final int cpus;
    private final TreeMap<Long, Integer> queues = new TreeMap<>();

    CpuMap(MapSpec spec, int cpus) {
        super(spec);
        this.cpus = cpus;
    }

    /** {@code cpu_map_alloc}: sizes and flags (only NUMA_NODE), then {@code NR_CPUS}. */
    static CreateChecks.Refusal check(MapSpec spec, int cpus) {
        int flags = spec.flags();
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || (spec.valueSize() != 4 && spec.valueSize() != 8)
                || (flags & ~NUMA) != 0) {
            return refuse(EINVAL, "cpumap needs key_size 4, value_size 4 (qsize) or 8 (qsize, program fd), "
                    + "max_entries of at least 1, and no flag but NUMA_NODE (got key "
                    + Integer.toUnsignedString(spec.keySize()) + ", value " + Integer.toUnsignedString(spec.valueSize())
                    + ", flags " + hex(flags) + ")");
        }
        long limit = Math.max(NR_CPUS, cpus);
        if (Integer.toUnsignedLong(spec.maxEntries()) > limit) {
            return refuse(E2BIG, "cpumap max_entries " + Integer.toUnsignedString(spec.maxEntries())
                    + " is above NR_CPUS (" + limit + ")");
        }
        return null;
    }

    @Override
    public long memlock() {
        return SIZEOF_CPU_MAP + maxEntries * 8;
    }

    @Override
    public synchronized int lookup(ByteBuffer key, ByteBuffer value) {
        Integer qsize = queues.get(index(key));
        if (qsize == null) {
            return ENOENT;
        }
        MapObject.writeU32(value, value.position(), qsize);
        if (valueSize == 8) {
            MapObject.writeU32(value, value.position() + 4, 0);
        }
        return 0;
    }

    @Override
    public synchronized int update(ByteBuffer key, ByteBuffer value, long flags) {
        long cpu = index(key);
        long qsize = Integer.toUnsignedLong(MapObject.readU32(value, value.position()));
        int prog = valueSize == 8 ? MapObject.readU32(value, value.position() + 4) : 0;
        if (Long.compareUnsigned(flags, 2) > 0) {
            return EINVAL;
        }
        if (cpu >= maxEntries) {
            return E2BIG;
        }
        if (flags == 1) {
            return EEXIST;
        }
        if (qsize > MAX_QSIZE) {
            return EOVERFLOW;
        }
        if (cpu >= cpus) {
            return ENODEV;
        }
        if (qsize == 0) {
            queues.remove(cpu);
            return 0;
        }
        if (prog > 0) {
            return ENOMEM; // the program does not load, so the entry is not allocated
        }
        queues.put(cpu, (int) qsize);
        return 0;
    }

    @Override
    public synchronized int delete(ByteBuffer key) {
        long cpu = index(key);
        if (cpu >= maxEntries) {
            return EINVAL;
        }
        queues.remove(cpu);
        return 0;
    }

    @Override
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return arrayNextKey(key, nextKey);
    }
}
