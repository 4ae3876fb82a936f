package org.bpfmaps;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What to create: the attributes of {@code BPF_MAP_CREATE}. Immutable; build one with {@link #builder(MapType)}.
 *
 * <p>Sizes and {@code maxEntries} are the kernel's u32 fields: a negative {@code int} stands for a value of
 * 2^31 or more, and the backend answers as the kernel does. The spec itself checks only what can never reach
 * a kernel ({@link #check()}): everything else is the backend's to refuse, with the kernel's errno.
 */
public final class MapSpec {
    /** Longest name the kernel accepts, in bytes (the 16-byte field keeps a NUL). */
    public static final int MAX_NAME_LENGTH = 15;

    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final String name;
    private final long mapExtra;
    private final int numaNode;
    private final BpfMap innerMap;

    private MapSpec(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.keySize = b.keySize;
        this.valueSize = b.valueSize;
        this.maxEntries = b.maxEntries;
        this.flags = b.flags;
        this.name = b.name == null ? "" : b.name;
        this.mapExtra = b.mapExtra;
        this.numaNode = b.numaNode;
        this.innerMap = b.innerMap;
    }

    /** A builder for a map of {@code type}; every other attribute starts at the kernel's zero value. */
    public static Builder builder(MapType type) {
        return new Builder(type);
    }

    /** A builder starting from this spec's attributes. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.keySize = keySize;
        b.valueSize = valueSize;
        b.maxEntries = maxEntries;
        b.flags = flags;
        b.name = name;
        b.mapExtra = mapExtra;
        b.numaNode = numaNode;
        b.innerMap = innerMap;
        return b;
    }

    /** The map type. */
    public MapType type() {
        return type;
    }

    /** Key size in bytes (u32). */
    public int keySize() {
        return keySize;
    }

    /** Value size in bytes (u32), per CPU for per-CPU types. */
    public int valueSize() {
        return valueSize;
    }

    /** Maximum number of entries (u32; for ring buffers the data size, for arenas the page count). */
    public int maxEntries() {
        return maxEntries;
    }

    /** The {@code map_flags} bits; see {@link MapFlag}. */
    public int flags() {
        return flags;
    }

    /** Whether {@code flag} is set in {@link #flags()}. */
    public boolean has(MapFlag flag) {
        return flag.isSet(flags);
    }

    /** The map name ({@code ""} when none). */
    public String name() {
        return name;
    }

    /** {@code map_extra}: bloom filter hash count, arena start address; zero for other types. */
    public long mapExtra() {
        return mapExtra;
    }

    /** The NUMA node, used only with {@link MapFlag#NUMA_NODE}. */
    public int numaNode() {
        return numaNode;
    }

    /** The inner-map template of a map-in-map type, or {@code null}. */
    public BpfMap innerMap() {
        return innerMap;
    }

    /** The name as the kernel receives it: its UTF-8 bytes. */
    public byte[] nameBytes() {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Refuses what no kernel could be sent: a name longer than the 16-byte field ({@code EINVAL}, as the
     * kernel answers for a 16-byte name with no room for its NUL).
     *
     * @throws InvalidArgumentException when the name does not fit
     */
    public MapSpec check() {
        int n = nameBytes().length;
        if (n > MAX_NAME_LENGTH) {
            throw (InvalidArgumentException) BpfException.of(BpfCommand.BPF_MAP_CREATE, Errno.EINVAL.number(),
                    "map spec " + this, "name is " + n + " bytes; the kernel takes at most " + MAX_NAME_LENGTH);
        }
        return this;
    }

    /**
     * What differs between this spec and an existing map, one sentence per field, e.g.
     * {@code "max_entries: expected 8, map has 16"}; empty when the map can be reused for this spec.
     *
     * <p>Compared: type, key size, value size, max entries, map flags and {@code map_extra}, as libbpf does
     * when it reuses a pinned map. Two kernel adjustments are tolerated: {@code BPF_F_RDONLY}/{@code BPF_F_WRONLY}
     * (the kernel keeps them for the creating descriptor only and reports flags without them), and the rounding
     * of {@code max_entries} up to a multiple of the CPU count under {@code BPF_F_NO_COMMON_LRU} ({@code cpus}).
     */
    public java.util.List<String> differences(MapInfo info, int cpus) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (info.type() != type) {
            out.add("type: expected " + type.bpftoolName() + ", map has "
                    + (info.type() == null ? "unknown" : info.type().bpftoolName()));
        }
        if (info.keySize() != keySize) {
            out.add("key_size: expected " + Integer.toUnsignedString(keySize) + ", map has "
                    + Integer.toUnsignedString(info.keySize()));
        }
        if (info.valueSize() != valueSize) {
            out.add("value_size: expected " + Integer.toUnsignedString(valueSize) + ", map has "
                    + Integer.toUnsignedString(info.valueSize()));
        }
        long expectedEntries = Integer.toUnsignedLong(maxEntries);
        if (type.isLru() && MapFlag.NO_COMMON_LRU.isSet(flags) && cpus > 0) {
            expectedEntries = (expectedEntries + cpus - 1) / cpus * cpus;
        }
        if (Integer.toUnsignedLong(info.maxEntries()) != expectedEntries) {
            out.add("max_entries: expected " + expectedEntries + ", map has "
                    + Integer.toUnsignedString(info.maxEntries()));
        }
        int access = MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY);
        if ((info.flags() & ~access) != (flags & ~access)) {
            out.add("map_flags: expected 0x" + Integer.toHexString(flags & ~access) + ", map has 0x"
                    + Integer.toHexString(info.flags() & ~access));
        }
        if (info.mapExtra() != mapExtra) {
            out.add("map_extra: expected 0x" + Long.toHexString(mapExtra) + ", map has 0x"
                    + Long.toHexString(info.mapExtra()));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type.bpftoolName());
        if (!name.isEmpty()) {
            sb.append(" '").append(name).append('\'');
        }
        sb.append(" key ").append(Integer.toUnsignedString(keySize))
                .append("B value ").append(Integer.toUnsignedString(valueSize))
                .append("B max_entries ").append(Integer.toUnsignedString(maxEntries))
                .append(" flags 0x").append(Integer.toHexString(flags));
        if (mapExtra != 0) {
            sb.append(" map_extra 0x").append(Long.toHexString(mapExtra));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MapSpec)) {
            return false;
        }
        MapSpec s = (MapSpec) o;
        return type == s.type && keySize == s.keySize && valueSize == s.valueSize && maxEntries == s.maxEntries
                && flags == s.flags && name.equals(s.name) && mapExtra == s.mapExtra && numaNode == s.numaNode
                && innerMap == s.innerMap;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, keySize, valueSize, maxEntries, flags, name, mapExtra, numaNode);
    }

    /** Builds a {@link MapSpec}. */
    public static final class Builder {
        private final MapType type;
        private int keySize;
        private int valueSize;
        private int maxEntries;
        private int flags;
        private String name = "";
        private long mapExtra;
        private int numaNode;
        private BpfMap innerMap;

        private Builder(MapType type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Sets the key size in bytes. */
        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        /** Sets the value size in bytes. */
        public Builder valueSize(int valueSize) {
            this.valueSize = valueSize;
            return this;
        }

        /** Sets the maximum number of entries. */
        public Builder maxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
            return this;
        }

        /** Sets the raw {@code map_flags} bits. */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        /** Sets {@code map_flags} to exactly these flags. */
        public Builder flags(MapFlag... flags) {
            this.flags = MapFlag.mask(flags);
            return this;
        }

        /** Adds one flag to {@code map_flags}. */
        public Builder with(MapFlag flag) {
            this.flags |= flag.bit();
            return this;
        }

        /** Sets the map name (at most 15 bytes of {@code [A-Za-z0-9_.]} for the kernel to accept it). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Sets {@code map_extra}. */
        public Builder mapExtra(long mapExtra) {
            this.mapExtra = mapExtra;
            return this;
        }

        /** Sets the NUMA node (used only with {@link MapFlag#NUMA_NODE}). */
        public Builder numaNode(int numaNode) {
            this.numaNode = numaNode;
            return this;
        }

        /** Sets the inner-map template of a map-in-map type. */
        public Builder innerMap(BpfMap innerMap) {
            this.innerMap = innerMap;
            return this;
        }

        /** The immutable spec. */
        public MapSpec build() {
            return new MapSpec(this);
        }
    }
}
