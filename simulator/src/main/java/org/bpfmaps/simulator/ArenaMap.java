package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;

/**
 * {@code ARENA}: memory pages shared by programs and user space ({@code kernel/bpf/arena.c}, Linux 6.18), as far
 * as the system calls see it: the create checks, and element commands that all fail, since an arena has no
 * elements (lookup {@code EINVAL}; update, delete and get-next-key {@code EOPNOTSUPP}; the rest
 * {@code ENOTSUPP}). Its pages are reached by {@code mmap}, which the bpfmaps API does not offer, so the
 * simulator keeps none. The kernel charges no memlock for an arena (its pages are allocated on fault).
 */
final class ArenaMap extends EmulatedOps {

    /** {@code ERANGE}: the user mapping would cross a 4 GiB boundary. */
    static final int ERANGE = 34;
    static final long PAGE = 4096;

    private static final int CREATE_FLAGS = MapFlag.mask(MapFlag.MMAPABLE, MapFlag.SEGV_ON_FAULT,
            MapFlag.NO_USER_CONV);

    ArenaMap(MapSpec spec) {
        super(spec);
    }

    /**
     * {@code arena_map_alloc}: key and value size 0, at least one page, {@code BPF_F_MMAPABLE} and no flag but it,
     * {@code SEGV_ON_FAULT} and {@code NO_USER_CONV} ({@code EINVAL}); {@code map_extra} (the user address) page
     * aligned ({@code EINVAL}); at most 4 GiB of pages ({@code E2BIG}); the user range within one 4 GiB-aligned
     * window ({@code ERANGE}).
     */
    static CreateChecks.Refusal check(MapSpec spec) {
        int flags = spec.flags();
        if (spec.keySize() != 0 || spec.valueSize() != 0 || spec.maxEntries() == 0
                || !MapFlag.MMAPABLE.isSet(flags) || (flags & ~CREATE_FLAGS) != 0) {
            return refuse(EINVAL, "arena needs key_size 0, value_size 0, max_entries (pages) of at least 1, and "
                    + "BPF_F_MMAPABLE with no flag but SEGV_ON_FAULT and NO_USER_CONV (got key "
                    + Integer.toUnsignedString(spec.keySize()) + ", value " + Integer.toUnsignedString(spec.valueSize())
                    + ", flags " + hex(flags) + ")");
        }
        long extra = spec.mapExtra();
        if ((extra & (PAGE - 1)) != 0) {
            return refuse(EINVAL, "arena map_extra (the user address) 0x" + Long.toHexString(extra)
                    + " is not page aligned");
        }
        long range = Integer.toUnsignedLong(spec.maxEntries()) * PAGE;
        if (range > 1L << 32) {
            return refuse(E2BIG, "arena of " + Integer.toUnsignedString(spec.maxEntries())
                    + " pages is above 4 GiB");
        }
        if ((extra >>> 32) != ((extra + range - 1) >>> 32)) {
            return refuse(ERANGE, "arena at user address 0x" + Long.toHexString(extra) + " of " + range
                    + " bytes would cross a 4 GiB boundary");
        }
        return null;
    }

    @Override
    public long memlock() {
        return 0;
    }

    @Override
    public int lookup(ByteBuffer key, ByteBuffer value) {
        return EINVAL;
    }

    @Override
    public int update(ByteBuffer key, ByteBuffer value, long flags) {
        return EOPNOTSUPP;
    }

    @Override
    public int delete(ByteBuffer key) {
        return EOPNOTSUPP;
    }

    @Override
    public int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return EOPNOTSUPP;
    }
}
