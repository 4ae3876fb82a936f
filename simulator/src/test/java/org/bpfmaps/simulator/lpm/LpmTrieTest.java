package org.bpfmaps.simulator.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LpmTrieTest {

    private static final int ENOENT = 2;
    private static final int EEXIST = 17;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;

    /** An IPv4 LPM key: little-endian prefixlen, then the four address bytes. */
    static byte[] v4(String address, int prefixlen) {
        String[] parts = address.split("\\.");
        byte[] key = new byte[8];
        key[0] = (byte) prefixlen;
        key[1] = (byte) (prefixlen >>> 8);
        key[2] = (byte) (prefixlen >>> 16);
        key[3] = (byte) (prefixlen >>> 24);
        for (int i = 0; i < 4; i++) {
            key[4 + i] = (byte) Integer.parseInt(i < parts.length ? parts[i] : "0");
        }
        return key;
    }

    static String show(byte[] key) {
        return (key[4] & 0xff) + "." + (key[5] & 0xff) + "." + (key[6] & 0xff) + "." + (key[7] & 0xff) + "/"
                + LpmTrie.prefixlen(key);
    }

    static byte[] val(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static List<String> walk(LpmTrie trie) {
        List<String> out = new ArrayList<>();
        byte[] key = trie.nextKey(null);
        while (key != null) {
            out.add(show(key));
            assertTrue(out.size() <= trie.size(), "iteration does not terminate: " + out);
            key = trie.nextKey(key);
        }
        return out;
    }

    @Test
    void semanticsExampleOrderIsPostOrder() {
        LpmTrie trie = new LpmTrie(8, 4, 100);
        String[][] inserts = {{"10.0.0.0", "8"}, {"10.1.0.0", "16"}, {"10.1.1.0", "24"}, {"192.168.0.0", "16"},
            {"0.0.0.0", "0"}, {"10.1.1.1", "32"}, {"172.16.0.0", "12"}, {"10.2.0.0", "24"}, {"10.128.0.0", "9"}};
        int v = 1;
        for (String[] e : inserts) {
            assertEquals(0, trie.update(v4(e[0], Integer.parseInt(e[1])), val(v++), LpmTrie.ANY));
        }
        assertEquals(List.of("10.1.1.1/32", "10.1.1.0/24", "10.1.0.0/16", "10.2.0.0/24", "10.128.0.0/9",
                "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "0.0.0.0/0"), walk(trie));
        assertNull(trie.checkInvariants());
        assertEquals(9, trie.size());
    }

    @Test
    void kernelCommentExampleOrderAndGlueNode() {
        LpmTrie trie = new LpmTrie(8, 4, 10);
        trie.update(v4("192.168.0.0", 16), val(1), 0);
        trie.update(v4("192.168.0.0", 24), val(2), 0);
        trie.update(v4("192.168.128.0", 24), val(3), 0);
        trie.update(v4("192.168.1.0", 24), val(5), 0);
        assertEquals(List.of("192.168.0.0/24", "192.168.1.0/24", "192.168.128.0/24", "192.168.0.0/16"), walk(trie));
        // The /23 glue node is not an entry: no lookup returns it, delete and EXIST do not see it.
        assertEquals(ENOENT, trie.delete(v4("192.168.0.0", 23)));
        assertEquals(ENOENT, trie.update(v4("192.168.0.0", 23), val(9), LpmTrie.EXIST));
        assertArrayEquals(val(1), trie.lookup(v4("192.168.0.0", 23)));
        // Turning the glue node into an entry counts as a new entry and it shows up in post-order.
        assertEquals(0, trie.update(v4("192.168.0.0", 23), val(4), LpmTrie.NOEXIST));
        assertEquals(5, trie.size());
        assertEquals(List.of("192.168.0.0/24", "192.168.1.0/24", "192.168.0.0/23", "192.168.128.0/24",
                "192.168.0.0/16"), walk(trie));
        assertNull(trie.checkInvariants());
    }

    @Test
    void deletesCollapseGlueNodesAndKeepOrder() {
        LpmTrie trie = new LpmTrie(8, 4, 100);
        trie.update(v4("10.0.0.0", 8), val(1), 0);
        trie.update(v4("10.1.0.0", 16), val(2), 0);
        trie.update(v4("10.2.0.0", 16), val(3), 0);
        trie.update(v4("10.3.0.0", 16), val(4), 0);
        trie.update(v4("10.128.0.0", 9), val(5), 0);
        // Shape: 10/8 -> [glue 10.0/14 -> [10.1/16, glue 10.2/15 -> [10.2/16, 10.3/16]], 10.128/9]
        assertEquals(List.of("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.128.0.0/9", "10.0.0.0/8"), walk(trie));
        // The /8 has two children: it stays as a glue node.
        assertEquals(0, trie.delete(v4("10.0.0.0", 8)));
        assertNull(trie.checkInvariants());
        assertEquals(List.of("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.128.0.0/9"), walk(trie));
        assertEquals(ENOENT, trie.delete(v4("10.0.0.0", 8)));
        assertEquals(ENOENT, trie.update(v4("10.0.0.0", 8), val(9), LpmTrie.EXIST));
        assertNull(trie.lookup(v4("10.0.0.1", 32)));
        // A leaf under a glue node takes the glue node with it; its sibling moves up.
        assertEquals(0, trie.delete(v4("10.2.0.0", 16)));
        assertNull(trie.checkInvariants());
        assertEquals(List.of("10.1.0.0/16", "10.3.0.0/16", "10.128.0.0/9"), walk(trie));
        assertEquals(0, trie.delete(v4("10.128.0.0", 9)));
        assertNull(trie.checkInvariants());
        assertEquals(List.of("10.1.0.0/16", "10.3.0.0/16"), walk(trie));
        assertArrayEquals(val(4), trie.lookup(v4("10.3.1.1", 32)));
        assertEquals(0, trie.delete(v4("10.1.0.0", 16)));
        assertEquals(0, trie.delete(v4("10.3.0.0", 16)));
        assertNull(trie.checkInvariants());
        assertEquals(List.of(), walk(trie));
        assertEquals(0, trie.size());
        assertEquals(ENOENT, trie.delete(v4("10.3.0.0", 16)));
    }

    @Test
    void nextKeyOfUnknownOrOversizedKeyRestarts() {
        LpmTrie trie = new LpmTrie(8, 4, 10);
        assertNull(trie.nextKey(null));
        byte[] out = new byte[8];
        assertEquals(ENOENT, trie.nextKey(null, out));
        trie.update(v4("10.0.0.0", 8), val(1), 0);
        trie.update(v4("10.1.0.0", 16), val(2), 0);
        assertEquals("10.1.0.0/16", show(trie.nextKey(null)));
        assertEquals("10.1.0.0/16", show(trie.nextKey(v4("99.0.0.0", 8))));
        byte[] allOnes = new byte[8];
        Arrays.fill(allOnes, (byte) 0xff);
        assertEquals("10.1.0.0/16", show(trie.nextKey(allOnes)));
        assertEquals("10.1.0.0/16", show(trie.nextKey(v4("10.0.0.0", 33))));
        // A stored prefix given with other bits past the prefix is still that entry.
        assertEquals("10.0.0.0/8", show(trie.nextKey(v4("10.1.255.255", 16))));
        assertNull(trie.nextKey(v4("10.0.0.0", 8)));
    }

    @Test
    void updateAndLookupErrnos() {
        LpmTrie trie = new LpmTrie(8, 4, 2);
        assertEquals(EINVAL, trie.update(v4("10.0.0.0", 33), val(1), 0));
        assertEquals(EINVAL, trie.update(v4("10.0.0.0", 8), val(1), 4));
        assertEquals(EINVAL, trie.update(v4("10.0.0.0", 8), val(1), -1L));
        assertEquals(ENOENT, trie.update(v4("10.0.0.0", 8), val(1), LpmTrie.EXIST));
        assertEquals(0, trie.update(v4("10.9.9.9", 8), val(1), LpmTrie.NOEXIST));
        // Bits past the prefix are ignored for matching but stored as given.
        assertEquals(EEXIST, trie.update(v4("10.0.0.0", 8), val(2), LpmTrie.NOEXIST));
        assertEquals("10.9.9.9/8", show(trie.nextKey(null)));
        assertEquals(0, trie.update(v4("10.0.0.0", 8), val(2), LpmTrie.EXIST));
        assertEquals("10.0.0.0/8", show(trie.nextKey(null)));
        assertArrayEquals(val(2), trie.lookup(v4("10.7.7.7", 32)));
        assertEquals(0, trie.update(v4("10.1.0.0", 16), val(3), LpmTrie.ANY));
        // Full: a new prefix gets ENOSPC, replacing one still works (also with NOEXIST/EXIST checks first).
        assertEquals(ENOSPC, trie.update(v4("10.2.0.0", 16), val(4), LpmTrie.ANY));
        assertEquals(ENOENT, trie.update(v4("10.2.0.0", 16), val(4), LpmTrie.EXIST));
        assertEquals(ENOSPC, trie.update(v4("10.2.0.0", 16), val(4), LpmTrie.NOEXIST));
        assertEquals(0, trie.update(v4("10.1.0.0", 16), val(5), LpmTrie.ANY));
        assertEquals(EEXIST, trie.update(v4("10.1.0.0", 16), val(5), LpmTrie.NOEXIST));
        assertEquals(2, trie.size());
        // Lookup: longest prefix among entries no longer than the key's prefixlen.
        assertArrayEquals(val(5), trie.lookup(v4("10.1.2.3", 32)));
        assertArrayEquals(val(2), trie.lookup(v4("10.1.1.1", 8)));
        assertArrayEquals(val(2), trie.lookup(v4("10.1.1.1", 15)));
        assertArrayEquals(val(5), trie.lookup(v4("10.1.0.0", 16)));
        assertNull(trie.lookup(v4("10.1.1.1", 7)));
        assertNull(trie.lookup(v4("11.0.0.0", 32)));
        assertNull(trie.lookup(v4("10.1.1.1", 33)));
        byte[] out = new byte[6];
        assertEquals(0, trie.lookupInto(v4("10.1.1.1", 32), out, 2));
        assertArrayEquals(new byte[] {0, 0, 5, 0, 0, 0}, out);
        assertEquals(ENOENT, trie.lookupInto(v4("9.1.1.1", 32), out, 0));
        // Delete: exact prefix only.
        assertEquals(EINVAL, trie.delete(v4("10.0.0.0", 33)));
        assertEquals(ENOENT, trie.delete(v4("10.0.0.0", 9)));
        assertEquals(0, trie.delete(v4("10.1.99.99", 16)));
        assertEquals(ENOENT, trie.delete(v4("10.1.0.0", 16)));
        assertEquals(1, trie.size());
        // A /0 entry matches everything.
        assertEquals(0, trie.update(v4("0.0.0.0", 0), val(7), 0));
        assertArrayEquals(val(7), trie.lookup(v4("200.1.1.1", 32)));
        assertArrayEquals(val(7), trie.lookup(v4("10.1.1.1", 0)));
    }

    @Test
    void valueIsCopiedInAndOut() {
        LpmTrie trie = new LpmTrie(5, 2, 4);
        byte[] value = {1, 2};
        byte[] key = {8, 0, 0, 0, 42};
        trie.update(key, value, 0);
        value[0] = 9;
        byte[] got = trie.lookup(key);
        assertArrayEquals(new byte[] {1, 2}, got);
        got[1] = 7;
        assertArrayEquals(new byte[] {1, 2}, trie.lookup(key));
    }

    // ------------------------------------------------------------------------------ randomized against an oracle

    /** An entry of the naive model: prefixlen, data as last written, value. */
    private record Entry(int prefixlen, byte[] data, int value) {
    }

    private static boolean prefixEquals(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            if (bit(a, i) != bit(b, i)) {
                return false;
            }
        }
        return true;
    }

    private static int bit(byte[] data, int index) {
        return (data[index >>> 3] >>> (7 - (index & 7))) & 1;
    }

    private static String id(int prefixlen, byte[] data) {
        StringBuilder sb = new StringBuilder().append(prefixlen).append(':');
        for (int i = 0; i < prefixlen; i++) {
            sb.append(bit(data, i));
        }
        return sb.toString();
    }

    /** Post-order over any valid trie: first differing bit 0 before 1; a longer prefix before its own prefix. */
    private static final Comparator<Entry> POST_ORDER = (x, y) -> {
        int common = Math.min(x.prefixlen, y.prefixlen);
        for (int i = 0; i < common; i++) {
            int bx = bit(x.data, i);
            int by = bit(y.data, i);
            if (bx != by) {
                return bx - by;
            }
        }
        return Integer.compare(y.prefixlen, x.prefixlen);
    };

    private static byte[] key(int prefixlen, byte[] data) {
        byte[] key = new byte[4 + data.length];
        key[0] = (byte) prefixlen;
        key[1] = (byte) (prefixlen >>> 8);
        System.arraycopy(data, 0, key, 4, data.length);
        return key;
    }

    private static byte[] randomData(Random rnd, int dataSize, byte[][] pool) {
        // Mostly variations of a few seeds so prefixes nest and collide; sometimes fully random.
        byte[] data = rnd.nextInt(4) == 0 ? new byte[dataSize] : pool[rnd.nextInt(pool.length)].clone();
        if (rnd.nextInt(4) == 0) {
            rnd.nextBytes(data);
        } else {
            int flips = rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int b = rnd.nextInt(8 * dataSize);
                data[b >>> 3] ^= (byte) (0x80 >>> (b & 7));
            }
        }
        return data;
    }

    @Test
    void randomOperationsMatchNaiveLongestPrefixModel() {
        for (int dataSize : new int[] {1, 2, 4, 8, 9, 16}) {
            for (long seed = 1; seed <= 6; seed++) {
                runRandom(dataSize, seed, 3000);
            }
        }
    }

    private void runRandom(int dataSize, long seed, int steps) {
        Random rnd = new Random(seed * 7919 + dataSize);
        int maxPrefixlen = 8 * dataSize;
        int maxEntries = 40 + rnd.nextInt(60);
        LpmTrie trie = new LpmTrie(4 + dataSize, 4, maxEntries);
        Map<String, Entry> model = new HashMap<>();
        byte[][] pool = new byte[5][dataSize];
        for (byte[] p : pool) {
            rnd.nextBytes(p);
        }
        String ctx = "dataSize=" + dataSize + " seed=" + seed;
        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(10);
            int prefixlen = rnd.nextInt(20) == 0 ? maxPrefixlen + 1 + rnd.nextInt(3) : rnd.nextInt(maxPrefixlen + 1);
            byte[] data = randomData(rnd, dataSize, pool);
            byte[] key = key(prefixlen, data);
            String where = ctx + " step=" + step;
            if (op < 5) {
                long flags = rnd.nextInt(3);
                int value = rnd.nextInt();
                int expected;
                Entry present = prefixlen > maxPrefixlen ? null : model.get(id(prefixlen, data));
                if (prefixlen > maxPrefixlen) {
                    expected = EINVAL;
                } else if (present != null) {
                    expected = flags == LpmTrie.NOEXIST ? EEXIST : 0;
                } else if (flags == LpmTrie.EXIST) {
                    expected = ENOENT;
                } else if (model.size() == maxEntries) {
                    expected = ENOSPC;
                } else {
                    expected = 0;
                }
                assertEquals(expected, trie.update(key, val(value), flags), where + " update");
                if (expected == 0) {
                    model.put(id(prefixlen, data), new Entry(prefixlen, data.clone(), value));
                }
            } else if (op < 8) {
                int expected;
                if (prefixlen > maxPrefixlen) {
                    expected = EINVAL;
                } else {
                    expected = model.remove(id(prefixlen, data)) != null ? 0 : ENOENT;
                }
                // Delete a stored prefix more often than chance would.
                if (expected == ENOENT && !model.isEmpty() && rnd.nextBoolean()) {
                    Entry victim = new ArrayList<>(model.values()).get(rnd.nextInt(model.size()));
                    model.remove(id(victim.prefixlen, victim.data));
                    assertEquals(0, trie.delete(key(victim.prefixlen, victim.data)), where + " delete stored");
                } else {
                    assertEquals(expected, trie.delete(key), where + " delete");
                }
            } else {
                Entry best = null;
                if (prefixlen <= maxPrefixlen) {
                    for (Entry e : model.values()) {
                        if (e.prefixlen <= prefixlen && prefixEquals(e.data, data, e.prefixlen)
                                && (best == null || e.prefixlen > best.prefixlen)) {
                            best = e;
                        }
                    }
                }
                byte[] got = trie.lookup(key);
                if (best == null) {
                    assertNull(got, where + " lookup expected miss");
                } else {
                    assertNotNull(got, where + " lookup expected hit /" + best.prefixlen);
                    assertArrayEquals(val(best.value), got, where + " lookup value");
                }
            }
            assertEquals(model.size(), trie.size(), where + " size");
            if (step % 50 == 0 || step == steps - 1) {
                String problem = trie.checkInvariants();
                assertNull(problem, where + " invariants");
                checkIteration(trie, model, where);
            }
        }
    }

    private static void checkIteration(LpmTrie trie, Map<String, Entry> model, String where) {
        List<Entry> expected = new ArrayList<>(model.values());
        expected.sort(POST_ORDER);
        List<byte[]> got = new ArrayList<>();
        byte[] k = trie.nextKey(null);
        while (k != null) {
            got.add(k);
            assertTrue(got.size() <= model.size(), where + " iteration too long");
            k = trie.nextKey(k);
        }
        assertEquals(expected.size(), got.size(), where + " iteration length");
        for (int i = 0; i < got.size(); i++) {
            Entry e = expected.get(i);
            assertArrayEquals(key(e.prefixlen, e.data), got.get(i), where + " iteration position " + i);
        }
    }

    // ------------------------------------------------------------------------------ scale

    @Test
    void hundredThousandPrefixesLookUpFast() {
        int n = 100_000;
        LpmTrie trie = new LpmTrie(8, 4, n);
        Random rnd = new Random(42);
        int[] addrs = new int[n];
        int[] lens = new int[n];
        int inserted = 0;
        for (int i = 0; inserted < n; i++) {
            int len = 8 + rnd.nextInt(25);
            int addr = rnd.nextInt() & (int) (0xffffffffL << (32 - len));
            byte[] key = {(byte) len, 0, 0, 0, (byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8),
                (byte) addr};
            int err = trie.update(key, val(inserted), LpmTrie.NOEXIST);
            if (err == 0) {
                addrs[inserted] = addr;
                lens[inserted] = len;
                inserted++;
            } else {
                assertEquals(EEXIST, err);
            }
        }
        assertEquals(n, trie.size());
        assertNull(trie.checkInvariants());
        // Probes: a random address inside each stored prefix, built up front so only lookups are timed.
        int lookups = 1_000_000;
        byte[][] probes = new byte[n][];
        for (int j = 0; j < n; j++) {
            int addr = addrs[j] | (rnd.nextInt() & (int) (0xffffffffL >>> lens[j]));
            probes[j] = new byte[] {32, 0, 0, 0, (byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8),
                (byte) addr};
        }
        byte[] out = new byte[4];
        int hits = 0;
        // Warm up, then time.
        for (int round = 0; round < 2; round++) {
            hits = 0;
            long start = System.nanoTime();
            for (int i = 0; i < lookups; i++) {
                if (trie.lookupInto(probes[i % n], out, 0) == 0) {
                    hits++;
                }
            }
            long ns = System.nanoTime() - start;
            System.out.printf("LpmTrie: %d prefixes, %d lookups in %.1f ms = %.0f ns/lookup (round %d)%n", n, lookups,
                    ns / 1e6, (double) ns / lookups, round);
        }
        // Every probe lies inside a stored prefix, so every lookup hits.
        assertEquals(lookups, hits);
        // Iteration visits every entry once.
        int count = 0;
        byte[] k = trie.nextKey(null);
        while (k != null) {
            count++;
            k = trie.nextKey(k);
        }
        assertEquals(n, count);
    }
}
