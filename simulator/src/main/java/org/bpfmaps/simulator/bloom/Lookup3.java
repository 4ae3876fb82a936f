package org.bpfmaps.simulator.bloom;

/**
 * Bob Jenkins' lookup3 as {@code include/linux/jhash.h} defines it: {@link #jhash} over bytes, {@link #jhash2}
 * over 32-bit words, both little-endian as on x86_64/aarch64.
 *
 * <p>A private copy for the bloom filter: {@code org.bpfmaps.simulator.JHash} computes the same functions but is
 * package-private to {@code org.bpfmaps.simulator}. {@code Lookup3Test} checks the two agree; once that class is
 * reachable from here, this one can go.
 */
final class Lookup3 {

    /** {@code JHASH_INITVAL}. */
    static final int INITVAL = 0xdeadbeef;

    private Lookup3() {
    }

    /** {@code jhash(bytes[offset..offset+length), length, seed)}. */
    static int jhash(byte[] bytes, int offset, int length, int seed) {
        int a = INITVAL + length + seed;
        int b = a;
        int c = a;
        int p = offset;
        int left = length;
        while (left > 12) {
            a += le32(bytes, p);
            b += le32(bytes, p + 4);
            c += le32(bytes, p + 8);
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            left -= 12;
        }
        if (left == 0) {
            return c;
        }
        // 1..12 trailing bytes: byte k lands in word k/4 (a, b, c) at bit 8*(k%4).
        for (int k = 0; k < left; k++) {
            int v = (bytes[p + k] & 0xff) << ((k & 3) << 3);
            if (k < 4) {
                a += v;
            } else if (k < 8) {
                b += v;
            } else {
                c += v;
            }
        }
        return finalMix(a, b, c);
    }

    /** {@code jhash2(words, length/4, seed)} where the words are {@code bytes} read little-endian. */
    static int jhash2(byte[] bytes, int offset, int length, int seed) {
        int words = length >>> 2;
        int a = INITVAL + (words << 2) + seed;
        int b = a;
        int c = a;
        int p = offset;
        while (words > 3) {
            a += le32(bytes, p);
            b += le32(bytes, p + 4);
            c += le32(bytes, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            p += 12;
            words -= 3;
        }
        if (words == 0) {
            return c;
        }
        a += le32(bytes, p);
        if (words >= 2) {
            b += le32(bytes, p + 4);
        }
        if (words == 3) {
            c += le32(bytes, p + 8);
        }
        return finalMix(a, b, c);
    }

    private static int finalMix(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int le32(byte[] bytes, int p) {
        return (bytes[p] & 0xff) | (bytes[p + 1] & 0xff) << 8 | (bytes[p + 2] & 0xff) << 16
                | (bytes[p + 3] & 0xff) << 24;
    }
}
