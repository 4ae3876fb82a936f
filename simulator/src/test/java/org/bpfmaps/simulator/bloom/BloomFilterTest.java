package org.bpfmaps.simulator.bloom;

import java.nio.ByteBuffer;
import org.bpfmaps.simulator.JHash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BloomFilterTest {

    private static final int ENOENT = 2;
    private static final int EINVAL = 22;

    @Test
    void sizingExamples() {
        assertEquals(64, BloomFilter.bitCount(1, 1));
        assertEquals(64, BloomFilter.bitCount(10, 3));
        assertEquals(1024, BloomFilter.bitCount(100, 5));
        assertEquals(64, new BloomFilter(4, 1, 1, 0).bits());
        assertEquals(64, new BloomFilter(4, 10, 3, 0).bits());
        assertEquals(1024, new BloomFilter(4, 100, 0, 0).bits());
        // 45 * 7 = 315 -> 512; exactly 64 stays 64; 65 rounds to 128.
        assertEquals(512, BloomFilter.bitCount(45, 5));
        assertEquals(64, BloomFilter.bitCount(46, 1));
        assertEquals(128, BloomFilter.bitCount(50, 1));
        // nr_bits == 2^31 is kept; above it, or on u32 overflow, the array is 2^32 bits.
        assertEquals(1L << 31, BloomFilter.bitCount(1L << 30, 1));
        assertEquals(1L << 32, BloomFilter.bitCount(0xFFFF_FFFFL, 1));
        assertEquals(1L << 32, BloomFilter.bitCount(0xFFFF_FFFFL, 5));
        assertEquals(1L << 32, BloomFilter.bitCount(1_600_000_000L, 1));
        assertEquals(1L << 31, BloomFilter.bitCount(1_500_000_000L, 1));
    }

    @Test
    void hashFuncsFromMapExtra() {
        assertEquals(5, BloomFilter.hashFuncs(0));
        assertEquals(1, BloomFilter.hashFuncs(1));
        assertEquals(15, BloomFilter.hashFuncs(15));
        assertEquals(3, new BloomFilter(8, 10, 3, 0).hashFuncs());
    }

    @Test
    void membershipAndFlags() {
        for (int valueSize : new int[] {1, 3, 4, 8, 13, 64}) {
            BloomFilter bloom = new BloomFilter(valueSize, 1000, 0, 0);
            Random rnd = new Random(valueSize);
            byte[][] pushed = new byte[1000][valueSize];
            for (byte[] v : pushed) {
                rnd.nextBytes(v);
                assertEquals(0, bloom.push(v, 0));
            }
            for (byte[] v : pushed) {
                assertEquals(0, bloom.peek(v), "no false negatives");
            }
            if (valueSize >= 4) {
                int falsePositives = 0;
                byte[] probe = new byte[valueSize];
                for (int i = 0; i < 10_000; i++) {
                    rnd.nextBytes(probe);
                    if (bloom.peek(probe) == 0) {
                        falsePositives++;
                    }
                }
                // 1000 values, 5 hashes, 8192 bits: about 2% expected.
                assertTrue(falsePositives < 600, "false positives " + falsePositives);
                assertTrue(falsePositives > 0, "a bloom filter this full has some false positives");
            }
            byte[] v = new byte[valueSize];
            assertEquals(EINVAL, bloom.push(v, 1));
            assertEquals(EINVAL, bloom.push(v, 2));
            assertEquals(EINVAL, bloom.push(v, 4));
        }
    }

    @Test
    void emptyFilterMissesAndSingleValueSetsItsExactBits() {
        BloomFilter bloom = new BloomFilter(4, 100, 3, 0);
        byte[] v = {1, 2, 3, 4};
        assertEquals(ENOENT, bloom.peek(v));
        bloom.push(v, 0);
        assertEquals(0, bloom.peek(v));
        // A value is present exactly when its hash bits (jhash2 with seed 0, 1, 2, masked to 100*3/5*7 = 420 -> 512 bits) are set.
        BloomFilter other = new BloomFilter(4, 100, 3, 0);
        for (int i = 0; i < 3; i++) {
            long bit = Integer.toUnsignedLong(JHash.jhash2(ByteBuffer.wrap(v), 0, 4, i)) & 511;
            assertEquals(bit, other.bitIndex(v, 0, i));
        }
        // A different seed picks different bits.
        BloomFilter seeded = new BloomFilter(4, 100, 3, 12345);
        seeded.push(v, 0);
        assertEquals(0, seeded.peek(v));
        long bit0 = Integer.toUnsignedLong(JHash.jhash2(ByteBuffer.wrap(v), 0, 4, 12345)) & 511;
        assertEquals(bit0, seeded.bitIndex(v, 0, 0));
    }

    @Test
    void offsetAndOddSizesUseByteHash() {
        BloomFilter bloom = new BloomFilter(3, 10, 1, 7);
        byte[] buf = {9, 1, 2, 3, 9};
        long expected = Integer.toUnsignedLong(JHash.jhash(ByteBuffer.wrap(buf), 1, 3, 7)) & 63;
        assertEquals(expected, bloom.bitIndex(buf, 1, 0));
        bloom.push(buf, 1, 0);
        assertEquals(0, bloom.peek(new byte[] {1, 2, 3}));
    }

    @Test
    void hugeFilterAllocatesLazily() {
        BloomFilter bloom = new BloomFilter(8, -1, 15, 0);
        assertEquals(1L << 32, bloom.bits());
        byte[] v = {1, 2, 3, 4, 5, 6, 7, 8};
        assertEquals(ENOENT, bloom.peek(v));
        assertEquals(0, bloom.push(v, 0));
        assertEquals(0, bloom.peek(v));
    }
}
