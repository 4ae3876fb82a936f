package org.bpfmaps.conformance;

/**
 * The kernel's hash-table bucket function as SEMANTICS.md §4.1 documents it (Bob Jenkins' lookup3 as in
 * {@code include/linux/jhash.h}; {@code jhash2} for key sizes that are a multiple of 4, else {@code jhash}).
 *
 * <p>Exists so the kit can choose keys that share a bucket (to provoke a batch {@code ENOSPC}) from the
 * documented algorithm rather than from either backend. Its correctness is itself checked against the
 * documented iteration-order example.
 */
public final class KernelHash {
    private static final int INITVAL = 0xdeadbeef;

    private KernelHash() {
    }

    /** The bucket of {@code key} in a table of {@code nBuckets} (a power of two) with hash seed {@code seed}. */
    public static int bucket(byte[] key, int nBuckets, int seed) {
        return hash(key, seed) & (nBuckets - 1);
    }

    /** {@code n_buckets} of a hash map: {@code roundup_pow_of_two(max_entries)}. */
    public static int buckets(int maxEntries) {
        int n = 1;
        while (n < maxEntries) {
            n <<= 1;
        }
        return n;
    }

    /** {@code htab_map_hash}: jhash2 over host-order words when the length is a multiple of 4, else jhash. */
    public static int hash(byte[] key, int seed) {
        if (key.length % 4 == 0) {
            int[] words = new int[key.length / 4];
            for (int i = 0; i < words.length; i++) {
                words[i] = Bytes.u32At(key, 4 * i);
            }
            return jhash2(words, seed);
        }
        return jhash(key, seed);
    }

    /** {@code jhash(key, length, initval)}. */
    public static int jhash(byte[] k, int initval) {
        int length = k.length;
        int a = INITVAL + length + initval;
        int b = a;
        int c = a;
        int off = 0;
        while (length > 12) {
            a += word(k, off);
            b += word(k, off + 4);
            c += word(k, off + 8);
            int[] m = mix(a, b, c);
            a = m[0];
            b = m[1];
            c = m[2];
            length -= 12;
            off += 12;
        }
        if (length == 0) {
            return c;
        }
        for (int i = length - 1; i >= 0; i--) {
            int v = (k[off + i] & 0xff) << (8 * (i % 4));
            if (i >= 8) {
                c += v;
            } else if (i >= 4) {
                b += v;
            } else {
                a += v;
            }
        }
        return fin(a, b, c);
    }

    /** {@code jhash2(words, length_in_words, initval)}. */
    public static int jhash2(int[] k, int initval) {
        int length = k.length;
        int a = INITVAL + (length << 2) + initval;
        int b = a;
        int c = a;
        int off = 0;
        while (length > 3) {
            a += k[off];
            b += k[off + 1];
            c += k[off + 2];
            int[] m = mix(a, b, c);
            a = m[0];
            b = m[1];
            c = m[2];
            length -= 3;
            off += 3;
        }
        switch (length) {
            case 3:
                c += k[off + 2];
                // fall through
            case 2:
                b += k[off + 1];
                // fall through
            case 1:
                a += k[off];
                return fin(a, b, c);
            default:
                return c;
        }
    }

    private static int word(byte[] k, int off) {
        return (k[off] & 0xff) | (k[off + 1] & 0xff) << 8 | (k[off + 2] & 0xff) << 16 | (k[off + 3] & 0xff) << 24;
    }

    private static int[] mix(int a, int b, int c) {
        a -= c;
        a ^= Integer.rotateLeft(c, 4);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 6);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 8);
        b += a;
        a -= c;
        a ^= Integer.rotateLeft(c, 16);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 19);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 4);
        b += a;
        return new int[] {a, b, c};
    }

    private static int fin(int a, int b, int c) {
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
