package org.bpfmaps;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code BPF_F_*} bits of {@code map_flags} at map creation. Combine them with {@link #mask(MapFlag...)}.
 */
public enum MapFlag {
    /** Allocate elements on update instead of at creation (hash family; required by LPM trie and storages). */
    NO_PREALLOC(1),
    /** LRU hash: one LRU list per CPU instead of a common one. */
    NO_COMMON_LRU(1 << 1),
    /** Allocate on the NUMA node given in the spec. */
    NUMA_NODE(1 << 2),
    /** System calls may only read the map. */
    RDONLY(1 << 3),
    /** System calls may only write the map. */
    WRONLY(1 << 4),
    /** Stack trace map stores build ids. */
    STACK_BUILD_ID(1 << 5),
    /** Hash and bloom filter use seed 0, which makes iteration order and hashing reproducible. */
    ZERO_SEED(1 << 6),
    /** Programs may only read the map. */
    RDONLY_PROG(1 << 7),
    /** Programs may only write the map. */
    WRONLY_PROG(1 << 8),
    /** Socket storage is cloned to accepted sockets. */
    CLONE(1 << 9),
    /** Array (or arena) memory may be mapped into user space. */
    MMAPABLE(1 << 10),
    /** Perf event array keeps entries after the fd that set them closes. */
    PRESERVE_ELEMS(1 << 11),
    /** Array used as an inner-map template whose size may differ. */
    INNER_MAP(1 << 12),
    /** Create with a BPF token given in the spec. */
    TOKEN_FD(1 << 16),
    /** Arena: fault with SIGSEGV on access to an unallocated page. */
    SEGV_ON_FAULT(1 << 17),
    /** Arena: no user-space pointer conversion. */
    NO_USER_CONV(1 << 18);

    private final int bit;

    MapFlag(int bit) {
        this.bit = bit;
    }

    /** The flag's bit value. */
    public int bit() {
        return bit;
    }

    /** Whether {@code flags} has this bit set. */
    public boolean isSet(int flags) {
        return (flags & bit) != 0;
    }

    /** The bitwise OR of the given flags. */
    public static int mask(MapFlag... flags) {
        int m = 0;
        for (MapFlag f : flags) {
            m |= f.bit;
        }
        return m;
    }

    /** The flags set in {@code flags}, in bit order; unknown bits are ignored. */
    public static List<MapFlag> decode(int flags) {
        List<MapFlag> out = new ArrayList<>();
        for (MapFlag f : values()) {
            if (f.isSet(flags)) {
                out.add(f);
            }
        }
        return out;
    }
}
