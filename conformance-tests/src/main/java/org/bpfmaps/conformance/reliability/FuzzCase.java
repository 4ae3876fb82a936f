package org.bpfmaps.conformance.reliability;

import java.util.List;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * One bad-input case: a map spec (perhaps one no kernel accepts) and the operations tried on the map when it
 * was created. Plain data, so jqwik can generate, shrink and print it.
 *
 * @param spec the map to create
 * @param ops  the operations, in order, on the created map
 */
public record FuzzCase(Spec spec, List<Op> ops) {

    /** The attributes of {@code BPF_MAP_CREATE}, sizes as the kernel's u32 (negative: 2^31 or more). */
    public record Spec(MapType type, int keySize, int valueSize, int maxEntries, int flags, String name,
                       long mapExtra) {
        /** The API spec. */
        public MapSpec toMapSpec() {
            return MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries).flags(flags)
                    .name(name).mapExtra(mapExtra).build();
        }

        /**
         * A generous estimate of the kernel memory this spec asks for: max_entries x (key + value + 64 bytes
         * of element overhead), the value counted once per possible CPU for per-CPU types. Specs above
         * {@link BadInputFuzzKit#KERNEL_MEMORY_LIMIT} run on the simulator only.
         */
        public long kernelMemoryEstimate(int cpus) {
            long entries = Integer.toUnsignedLong(maxEntries);
            long key = Integer.toUnsignedLong(keySize);
            long value = Integer.toUnsignedLong(valueSize);
            if (type.isPerCpu()) {
                value = ((value + 7) & ~7L) * cpus;
            }
            if (type.isRingBuffer()) {
                return entries * 2;
            }
            return entries * (key + value + 64);
        }

        /**
         * Whether results that depend on the kernel's hash seed or on iteration order can be compared exactly:
         * everything but hash tables and bloom filters created without {@code BPF_F_ZERO_SEED}.
         */
        public boolean deterministic() {
            boolean seeded = type.isHashTable() || type == MapType.BLOOM_FILTER;
            return !seeded || MapFlag.ZERO_SEED.isSet(flags);
        }

        @Override
        public String toString() {
            return toMapSpec() + " name=" + quote(name);
        }

        private static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            return sb.append('"').toString();
        }
    }

    /** What an operation does. */
    public enum Kind {
        LOOKUP_COPY, LOOKUP_INTO, LOOKUP_FLAGS, LOOKUP_BUFFER, UPDATE, UPDATE_BUFFER, DELETE, DELETE_BUFFER,
        NEXT_KEY, NEXT_KEY_BUFFER, LOOKUP_AND_DELETE, LOOKUP_AND_DELETE_BUFFER, FREEZE, INFO,
        LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH, DELETE_BATCH,
        PROGRAM_LOOKUP, PROGRAM_UPDATE, PROGRAM_DELETE, PROGRAM_PUSH, PROGRAM_POP, PROGRAM_PEEK, CLOSE,
        /** Ring buffer reader calls (see {@link RingCalls}). */
        RING_READER_OPEN, RING_CONSUME, RING_POLL, RING_AVAILABLE, RING_WAKEUP, RING_READER_CLOSE,
        /** User ring buffer writer calls. */
        RING_WRITER_OPEN, RING_WRITE, RING_RESERVE, RING_SUBMIT, RING_DISCARD, RING_FREE, RING_WRITER_CLOSE,
        /** Ring helpers of a program view. */
        RING_OUTPUT, RING_RESERVE_SUBMIT, RING_RESERVE_DISCARD, RING_QUERY, RING_DRAIN;

        /** Whether the operation is a ring buffer call ({@link RingCalls}). */
        public boolean isRing() {
            return name().startsWith("RING_");
        }

        /** Whether the operation goes through a program view. */
        public boolean isProgram() {
            return name().startsWith("PROGRAM_");
        }

        /** Whether the operation is one of the four batch commands. */
        public boolean isBatch() {
            return name().endsWith("_BATCH");
        }

        /** Whether the operation takes {@code ByteBuffer}s. */
        public boolean usesByteBuffers() {
            return name().endsWith("_BUFFER");
        }
    }

    /** How long a buffer is relative to the size the map wants. */
    public enum Length { EXACT, NULL, EMPTY, SHORT, LONG }

    /** What a {@code ByteBuffer} is made of (byte[] operations use only the length). */
    public enum Form { HEAP, DIRECT, HEAP_SLICE, DIRECT_SLICE, READ_ONLY_HEAP, READ_ONLY_DIRECT }

    /**
     * A buffer: its length relative to the wanted size, by how much it is off, what it is made of, and for
     * slices where it starts inside a larger buffer (position and limit both moved).
     */
    public record Buf(Length length, int delta, Form form, int offset) {
        /** The length this buffer has when the map wants {@code wanted} bytes; -1 for null. */
        public long bytes(long wanted) {
            return switch (length) {
                case NULL -> -1;
                case EMPTY -> 0;
                case EXACT -> wanted;
                case SHORT -> Math.max(0, wanted - delta);
                case LONG -> wanted + delta;
            };
        }

        @Override
        public String toString() {
            String len = switch (length) {
                case SHORT -> "short" + delta;
                case LONG -> "long" + delta;
                default -> length.name().toLowerCase();
            };
            return len + "/" + form.name().toLowerCase() + (offset != 0 ? "@" + offset : "");
        }
    }

    /**
     * One operation.
     *
     * @param kind     what it does
     * @param key      the key buffer (batch: the keys array, sized for {@code count})
     * @param value    the value buffer (batch: the values array, sized for {@code count})
     * @param flags    element flags (batch: elem_flags)
     * @param count    batch count
     * @param keyIndex which of a few keys (0..7) the key names; LPM: also the prefix length
     * @param cpu      program view CPU
     * @param cursor   batch cursor buffer: in_batch for {@code NULL}/{@code EXACT}, out_batch otherwise exact
     */
    public record Op(Kind kind, Buf key, Buf value, long flags, int count, int keyIndex, int cpu, Buf cursor) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(kind.name().toLowerCase());
            if (kind.isRing()) {
                return sb.append(" fd#").append(keyIndex).append(" size=").append(value).append('/').append(count)
                        .append(" flags=0x").append(Long.toHexString(flags)).append(" cpu=").append(cpu).toString();
            }
            switch (kind) {
                case FREEZE, INFO, CLOSE -> {
                    return sb.toString();
                }
                default -> {
                }
            }
            sb.append(" key=").append(key).append('#').append(keyIndex);
            sb.append(" value=").append(value);
            sb.append(" flags=0x").append(Long.toHexString(flags));
            if (kind.isBatch()) {
                sb.append(" count=").append(count).append(" cursor=").append(cursor);
            }
            if (kind.isProgram()) {
                sb.append(" cpu=").append(cpu);
            }
            return sb.toString();
        }
    }
}
