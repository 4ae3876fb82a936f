package org.bpfmaps.simulator;

import java.nio.ByteBuffer;

/**
 * Bob Jenkins' lookup3 hash as the kernel's {@code include/linux/jhash.h} applies it: {@code jhash} over bytes
 * and {@code jhash2} over 32-bit words.
 *
 * <p>Exists because hash maps created with {@code BPF_F_ZERO_SEED} iterate in bucket order, and the simulator must
 * put every key in the same bucket the kernel does. Keys are read from a {@link ByteBuffer} with absolute byte
 * reads, independent of the buffer's byte order, so hashing a caller's buffer allocates nothing. Words are
 * little-endian, as on x86_64 and aarch64. Public for the simulator's subpackages (bloom filter hashing); not
 * part of the bpfmaps API.
 */
public final class JHash {

    /** The kernel's {@code JHASH_INITVAL}. */
    static final int INITVAL = 0xdeadbeef;

    private JHash() {
    }

    /** {@code jhash2(key as u32[length/4], length/4, seed)}; {@code length} must be a multiple of 4. */
    public static int jhash2(ByteBuffer key, int offset, int length, int seed) {
        int words = length >>> 2;
        int a = INITVAL + (words << 2) + seed;
        int b = a;
        int c = a;
        int p = offset;
        // Mix three words at a time while more than three remain.
        while (words > 3) {
            a += word(key, p);
            b += word(key, p + 4);
            c += word(key, p + 8);
            // __jhash_mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            words -= 3;
            p += 12;
        }
        switch (words) {
            case 3:
                c += word(key, p + 8);
                // fall through
            case 2:
                b += word(key, p + 4);
                // fall through
            case 1:
                a += word(key, p);
                return fin(a, b, c);
            default:
                return c;
        }
    }

    /** {@code jhash(key bytes, length, seed)}. */
    public static int jhash(ByteBuffer key, int offset, int length, int seed) {
        int a = INITVAL + length + seed;
        int b = a;
        int c = a;
        int p = offset;
        int left = length;
        while (left > 12) {
            a += word(key, p);
            b += word(key, p + 4);
            c += word(key, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            left -= 12;
            p += 12;
        }
        if (left == 0) {
            return c;
        }
        // Tail bytes: byte k of the tail goes into a (k < 4), b (k < 8) or c, shifted by 8 * (k % 4).
        for (int k = left - 1; k >= 0; k--) {
            int v = (key.get(p + k) & 0xff) << ((k & 3) << 3);
            if (k >= 8) {
                c += v;
            } else if (k >= 4) {
                b += v;
            } else {
                a += v;
            }
        }
        return fin(a, b, c);
    }

    /** The kernel's hash for a map key: {@code jhash2} when the size is a multiple of 4, else {@code jhash}. */
    static int keyHash(ByteBuffer key, int offset, int length, int seed) {
        return (length & 3) == 0 ? jhash2(key, offset, length, seed) : jhash(key, offset, length, seed);
    }

    private static int fin(int a, int b, int c) {
        // __jhash_final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(ByteBuffer key, int p) {
        return (key.get(p) & 0xff) | (key.get(p + 1) & 0xff) << 8 | (key.get(p + 2) & 0xff) << 16
                | (key.get(p + 3) & 0xff) << 24;
    }
}
