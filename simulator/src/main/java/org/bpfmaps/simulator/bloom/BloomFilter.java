package org.bpfmaps.simulator.bloom;

import java.nio.ByteBuffer;
import org.bpfmaps.simulator.JHash;
/**
 * The bit array of a {@code BPF_MAP_TYPE_BLOOM_FILTER} map, sized and hashed as {@code kernel/bpf/bloom_filter.c}
 * does, so that with a known seed ({@code BPF_F_ZERO_SEED} gives 0) every false positive is the kernel's.
 *
 * <ul>
 *   <li>Hash functions: {@code map_extra & 0xF}, 0 meaning 5.</li>
 *   <li>Bits: {@code max_entries * nr_hash_funcs / 5 * 7} in u32 arithmetic. If either multiplication overflows
 *       a u32 or the result exceeds 2^31, the array has 2^32 bits (mask {@code 0xFFFFFFFF}); otherwise at least
 *       64 bits, rounded up to a power of two.</li>
 *   <li>Hash i (0 ≤ i &lt; nr_hash_funcs) of a value: {@code jhash2(value as u32 words, value_size/4, seed + i)}
 *       when {@code value_size % 4 == 0}, else {@code jhash(value, value_size, seed + i)}; bit = hash &amp; mask.</li>
 *   <li>push sets every bit (flags must be {@code BPF_ANY}, else EINVAL); peek is 0 when every bit is set, else
 *       ENOENT. Nothing is ever removed and the filter is never full.</li>
 * </ul>
 *
 * Bits live in 2^22-bit chunks allocated on first write, so even the 2^32-bit (512 MiB) array costs memory only
 * where bits are set. Thread-safe: bit updates are {@code synchronized}; peeks see any completed push.
 */
public final class BloomFilter {

    /** Default number of hash functions when {@code map_extra & 0xF} is 0. */
    public static final int DEFAULT_HASH_FUNCS = 5;

    static final int ENOENT = 2;
    static final int EINVAL = 22;

    private static final int CHUNK_WORD_BITS = 16;
    private static final int CHUNK_WORDS = 1 << CHUNK_WORD_BITS;

    private final int valueSize;
    private final int hashFuncs;
    private final int seed;
    private final long bits;
    private final long mask;
    private final long[][] chunks;

    /**
     * @param valueSize  the map's value size, at least 1
     * @param maxEntries the map's max_entries, read as an unsigned 32-bit number; at least 1
     * @param mapExtra   the map's map_extra; only bits 0..3 are read (creation rejects the others)
     * @param seed       the hash seed: 0 for {@code BPF_F_ZERO_SEED}, else a random u32
     */
    public BloomFilter(int valueSize, int maxEntries, long mapExtra, int seed) {
        if (valueSize < 1) {
            throw new IllegalArgumentException("valueSize=" + valueSize);
        }
        if (maxEntries == 0) {
            throw new IllegalArgumentException("maxEntries=0");
        }
        this.valueSize = valueSize;
        this.hashFuncs = hashFuncs(mapExtra);
        this.seed = seed;
        this.bits = bitCount(Integer.toUnsignedLong(maxEntries), hashFuncs);
        this.mask = bits - 1;
        long words = (bits + 63) >>> 6;
        this.chunks = new long[(int) ((words + CHUNK_WORDS - 1) >>> CHUNK_WORD_BITS)][];
    }

    /** Number of hash functions for a {@code map_extra}: its low 4 bits, or 5 when they are 0. */
    public static int hashFuncs(long mapExtra) {
        int n = (int) (mapExtra & 0xF);
        return n == 0 ? DEFAULT_HASH_FUNCS : n;
    }

    /** Size of the bit array in bits (a power of two, 64 .. 2^32) for these parameters. */
    public static long bitCount(long maxEntries, int hashFuncs) {
        long u32 = 0xFFFF_FFFFL;
        long n = maxEntries * hashFuncs;
        boolean overflow = n > u32;
        if (!overflow) {
            n = n / 5 * 7;
            overflow = n > u32;
        }
        if (overflow || n > (1L << 31)) {
            return 1L << 32;
        }
        if (n <= 64) {
            return 64;
        }
        return Long.highestOneBit(n - 1) << 1;
    }

    /** Number of bits in this filter's array. */
    public long bits() {
        return bits;
    }

    /** Number of hash functions. */
    public int hashFuncs() {
        return hashFuncs;
    }

    /** The hash seed. */
    public int seed() {
        return seed;
    }

    /** The value size. */
    public int valueSize() {
        return valueSize;
    }

    /** Adds {@code value} (valueSize bytes from {@code offset}); returns 0, or EINVAL when flags ≠ BPF_ANY. */
    public int push(byte[] value, int offset, long flags) {
        if (flags != 0) {
            return EINVAL;
        }
        synchronized (this) {
            for (int i = 0; i < hashFuncs; i++) {
                setBit(bitIndex(value, offset, i));
            }
        }
        return 0;
    }

    /** {@link #push(byte[], int, long)} from offset 0. */
    public int push(byte[] value, long flags) {
        return push(value, 0, flags);
    }

    /** 0 when {@code value} may have been pushed, ENOENT when it certainly was not. */
    public int peek(byte[] value, int offset) {
        synchronized (this) {
            for (int i = 0; i < hashFuncs; i++) {
                if (!testBit(bitIndex(value, offset, i))) {
                    return ENOENT;
                }
            }
        }
        return 0;
    }

    /** {@link #peek(byte[], int)} from offset 0. */
    public int peek(byte[] value) {
        return peek(value, 0);
    }

    /** The bit that hash function {@code i} selects for a value. */
    long bitIndex(byte[] value, int offset, int i) {
        int h = (valueSize & 3) == 0
                ? JHash.jhash2(ByteBuffer.wrap(value), offset, valueSize, seed + i)
                : JHash.jhash(ByteBuffer.wrap(value), offset, valueSize, seed + i);
        return Integer.toUnsignedLong(h) & mask;
    }

    private void setBit(long bit) {
        long word = bit >>> 6;
        int c = (int) (word >>> CHUNK_WORD_BITS);
        long[] chunk = chunks[c];
        if (chunk == null) {
            long remaining = ((bits + 63) >>> 6) - ((long) c << CHUNK_WORD_BITS);
            chunk = new long[(int) Math.min(CHUNK_WORDS, remaining)];
            chunks[c] = chunk;
        }
        chunk[(int) (word & (CHUNK_WORDS - 1))] |= 1L << (bit & 63);
    }

    private boolean testBit(long bit) {
        long word = bit >>> 6;
        long[] chunk = chunks[(int) (word >>> CHUNK_WORD_BITS)];
        return chunk != null && (chunk[(int) (word & (CHUNK_WORDS - 1))] & (1L << (bit & 63))) != 0;
    }
}
