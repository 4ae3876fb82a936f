package org.bpfmaps.simulator.lpm;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The element store of a {@code BPF_MAP_TYPE_LPM_TRIE} map, shaped like the kernel's
 * ({@code kernel/bpf/lpm_trie.c}) so that iteration order, including after deletes, is the kernel's.
 *
 * <h2>Key layout</h2>
 * <pre>
 *  0               4                                   keySize
 *  +---------------+-----------------------------------+
 *  | prefixlen u32 | data[keySize - 4]                 |
 *  | (host order,  | (network bit order: bit 0 is the  |
 *  |  little end.) |  most significant bit of data[0]) |
 *  +---------------+-----------------------------------+
 * </pre>
 *
 * <h2>Structure</h2>
 * A binary trie of nodes, each holding a prefix length, the data bytes it was inserted with (bits past the prefix
 * are kept verbatim, as the kernel keeps them, and are reported back by {@link #nextKey}), a value and two children.
 * The child taken below a node is the key's bit at index {@code node.prefixlen}. <em>Intermediate</em> nodes carry
 * no value; they exist only to split two subtrees that share a shorter prefix than either of them, and they always
 * have exactly two children. A real node whose deletion would leave it with two children becomes intermediate; a
 * deleted leaf under an intermediate parent takes the parent with it and its sibling moves up. These are the
 * kernel's rules, and they decide the post-order that {@link #nextKey} walks.
 *
 * <h2>Conventions</h2>
 * Operations that can fail return {@code 0} or a positive errno, as the kernel's map ops do (negated there).
 * Arguments are not size-checked beyond what the kernel checks; callers pass {@code keySize}/{@code valueSize}
 * byte arrays. Thread-safe: a read-write lock makes each operation atomic, which is stronger than, and
 * indistinguishable from, the kernel's RCU readers over a spin-locked writer.
 */
public final class LpmTrie {

    /** {@code BPF_ANY}. */
    public static final long ANY = 0;
    /** {@code BPF_NOEXIST}. */
    public static final long NOEXIST = 1;
    /** {@code BPF_EXIST}. */
    public static final long EXIST = 2;

    /** Offset of the {@code u32 prefixlen} in a key. */
    public static final int PREFIXLEN_OFFSET = 0;
    /** Offset of the data bytes in a key. */
    public static final int DATA_OFFSET = 4;
    /** Smallest and largest data size the kernel accepts (key size 5..260). */
    public static final int MIN_DATA_SIZE = 1;
    /** Largest data size the kernel accepts. */
    public static final int MAX_DATA_SIZE = 256;

    static final int ENOENT = 2;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;

    /** One trie node; {@code value == null} exactly when the node is intermediate. */
    static final class Node {
        final long prefixlen;
        final byte[] data;
        /** The first 8 data bytes as a big-endian long (zero-padded): most comparisons never touch {@code data}. */
        final long head;
        byte[] value;
        Node child0;
        Node child1;

        Node(long prefixlen, byte[] data, byte[] value) {
            this.prefixlen = prefixlen;
            this.data = data;
            this.head = head(data, 0, data.length);
            this.value = value;
        }

        boolean intermediate() {
            return value == null;
        }

        Node child(int side) {
            return side == 0 ? child0 : child1;
        }

        void setChild(int side, Node node) {
            if (side == 0) {
                child0 = node;
            } else {
                child1 = node;
            }
        }
    }

    private final int keySize;
    private final int dataSize;
    private final int valueSize;
    private final long maxEntries;
    private final long maxPrefixlen;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private Node root;
    private long entries;

    /**
     * @param keySize    the map's key size, {@code 4 + data bytes}; 5..260
     * @param valueSize  the map's value size, at least 1
     * @param maxEntries the map's max_entries, read as an unsigned 32-bit number; at least 1
     */
    public LpmTrie(int keySize, int valueSize, int maxEntries) {
        if (keySize < DATA_OFFSET + MIN_DATA_SIZE || keySize > DATA_OFFSET + MAX_DATA_SIZE) {
            throw new IllegalArgumentException("keySize=" + keySize + " outside 5..260");
        }
        if (valueSize < 1) {
            throw new IllegalArgumentException("valueSize=" + valueSize);
        }
        if (maxEntries == 0) {
            throw new IllegalArgumentException("maxEntries=0");
        }
        this.keySize = keySize;
        this.dataSize = keySize - DATA_OFFSET;
        this.valueSize = valueSize;
        this.maxEntries = Integer.toUnsignedLong(maxEntries);
        this.maxPrefixlen = 8L * dataSize;
    }

    /** The key size this trie was made for. */
    public int keySize() {
        return keySize;
    }

    /** The value size this trie was made for. */
    public int valueSize() {
        return valueSize;
    }

    /** {@code 8 * (keySize - 4)}. */
    public long maxPrefixlen() {
        return maxPrefixlen;
    }

    /** Number of real (non-intermediate) entries, the kernel's {@code n_entries}. */
    public long size() {
        lock.readLock().lock();
        try {
            return entries;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The unsigned {@code prefixlen} of a key (little-endian u32 at offset 0). */
    public static long prefixlen(byte[] key) {
        return (key[0] & 0xffL) | (key[1] & 0xffL) << 8 | (key[2] & 0xffL) << 16 | (key[3] & 0xffL) << 24;
    }

    // ---------------------------------------------------------------------------------------------- lookup

    /**
     * Longest-prefix match: the value of the longest stored prefix that covers the first {@code key.prefixlen}
     * bits of the key's data, or {@code null} (the kernel's ENOENT) when none does or the key's prefixlen exceeds
     * the maximum.
     */
    public byte[] lookup(byte[] key) {
        lock.readLock().lock();
        try {
            Node found = find(key);
            return found == null ? null : found.value.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** As {@link #lookup(byte[])}, copying the value into {@code out} at {@code offset}; returns 0 or ENOENT. */
    public int lookupInto(byte[] key, byte[] out, int offset) {
        lock.readLock().lock();
        try {
            Node found = find(key);
            if (found == null) {
                return ENOENT;
            }
            System.arraycopy(found.value, 0, out, offset, valueSize);
            return 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    private Node find(byte[] key) {
        long keyLen = prefixlen(key);
        if (keyLen > maxPrefixlen) {
            return null;
        }
        long keyHead = head(key, DATA_OFFSET, dataSize);
        Node found = null;
        Node node = root;
        while (node != null) {
            long match = matchLength(node, key, keyHead, keyLen);
            if (match == maxPrefixlen) {
                // Full-length match on a full-length node: it cannot be intermediate.
                return node;
            }
            if (match < node.prefixlen) {
                break;
            }
            if (!node.intermediate()) {
                found = node;
            }
            node = node.child(keyBit(key, node.prefixlen));
        }
        return found;
    }

    // ---------------------------------------------------------------------------------------------- update

    /**
     * Inserts or replaces the entry for {@code key}'s (prefixlen, data). The data bytes are stored as given,
     * including bits past the prefix. Returns 0, or: EINVAL for flags above {@code BPF_EXIST} or a prefixlen
     * above the maximum; EEXIST for NOEXIST on a present prefix; ENOENT for EXIST on an absent one; ENOSPC for a
     * new prefix in a full trie (replacing a present prefix in a full trie succeeds).
     */
    public int update(byte[] key, byte[] value, long flags) {
        if (Long.compareUnsigned(flags, EXIST) > 0) {
            return EINVAL;
        }
        long keyLen = prefixlen(key);
        if (keyLen > maxPrefixlen) {
            return EINVAL;
        }
        Node fresh = new Node(keyLen, Arrays.copyOfRange(key, DATA_OFFSET, keySize),
                Arrays.copyOf(value, valueSize));
        lock.writeLock().lock();
        try {
            return insert(fresh, key, keyLen, flags);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private int insert(Node fresh, byte[] key, long keyLen, long flags) {
        // Walk down while the current node's whole prefix matches and is shorter than the key's; 'parent' and
        // 'side' name the slot that points at 'node' (parent == null: the root slot).
        long keyHead = fresh.head;
        Node parent = null;
        int side = 0;
        Node node = root;
        long match = 0;
        while (node != null) {
            match = matchLength(node, key, keyHead, keyLen);
            if (node.prefixlen != match || node.prefixlen == keyLen) {
                break;
            }
            parent = node;
            side = keyBit(key, node.prefixlen);
            node = node.child(side);
        }

        if (node == null) {
            int err = reserveEntry(flags);
            if (err != 0) {
                return err;
            }
            setSlot(parent, side, fresh);
            return 0;
        }

        if (node.prefixlen == match) {
            // Same prefix: the new node takes the old one's place and children.
            if (!node.intermediate()) {
                if (flags == NOEXIST) {
                    return EEXIST;
                }
            } else {
                int err = reserveEntry(flags);
                if (err != 0) {
                    return err;
                }
            }
            fresh.setChild(0, node.child(0));
            fresh.setChild(1, node.child(1));
            setSlot(parent, side, fresh);
            return 0;
        }

        int err = reserveEntry(flags);
        if (err != 0) {
            return err;
        }

        if (match == keyLen) {
            // The new prefix covers the node: it becomes the node's parent.
            fresh.setChild(dataBit(node.data, match), node);
            setSlot(parent, side, fresh);
            return 0;
        }

        // The two diverge after 'match' bits: join them under a new intermediate node.
        Node glue = new Node(match, node.data.clone(), null);
        if (keyBit(key, match) == 1) {
            glue.setChild(0, node);
            glue.setChild(1, fresh);
        } else {
            glue.setChild(0, fresh);
            glue.setChild(1, node);
        }
        setSlot(parent, side, glue);
        return 0;
    }

    /** Checks that a new entry may be added under {@code flags} and counts it. */
    private int reserveEntry(long flags) {
        if (flags == EXIST) {
            return ENOENT;
        }
        if (entries == maxEntries) {
            return ENOSPC;
        }
        entries++;
        return 0;
    }

    private void setSlot(Node parent, int side, Node node) {
        if (parent == null) {
            root = node;
        } else {
            parent.setChild(side, node);
        }
    }

    // ---------------------------------------------------------------------------------------------- delete

    /**
     * Removes the entry with exactly {@code key}'s (prefixlen, prefix). Returns 0, ENOENT when absent, EINVAL when
     * the prefixlen exceeds the maximum.
     */
    public int delete(byte[] key) {
        long keyLen = prefixlen(key);
        if (keyLen > maxPrefixlen) {
            return EINVAL;
        }
        lock.writeLock().lock();
        try {
            return remove(key, keyLen);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private int remove(byte[] key, long keyLen) {
        // slot of 'node' = (parent, side); slot of 'parent' = (grandparent, parentSide).
        long keyHead = head(key, DATA_OFFSET, dataSize);
        Node grandparent = null;
        int parentSide = 0;
        Node parent = null;
        int side = 0;
        Node node = root;
        long match = 0;
        while (node != null) {
            match = matchLength(node, key, keyHead, keyLen);
            if (node.prefixlen != match || node.prefixlen == keyLen) {
                break;
            }
            grandparent = parent;
            parentSide = side;
            parent = node;
            side = keyBit(key, node.prefixlen);
            node = node.child(side);
        }

        if (node == null || node.prefixlen != keyLen || node.prefixlen != match || node.intermediate()) {
            return ENOENT;
        }
        entries--;

        if (node.child(0) != null && node.child(1) != null) {
            // Still needed to split its two subtrees: keep it as an intermediate node.
            node.value = null;
            return 0;
        }

        if (parent != null && parent.intermediate() && node.child(0) == null && node.child(1) == null) {
            // A leaf under an intermediate node: the intermediate goes too, its other child moves up.
            Node sibling = parent.child(0) == node ? parent.child(1) : parent.child(0);
            setSlot(grandparent, parentSide, sibling);
            return 0;
        }

        // Zero or one child: the child (or nothing) takes the node's slot.
        setSlot(parent, side, node.child(0) != null ? node.child(0) : node.child(1));
        return 0;
    }

    // ---------------------------------------------------------------------------------------------- iteration

    /**
     * The key after {@code key} in the kernel's post-order (for each node: child 0's subtree, child 1's subtree,
     * then the node; intermediate nodes skipped), written into {@code next} (keySize bytes). A {@code null} key, a
     * key whose prefixlen exceeds the maximum, or a key that is not stored yields the first key. Returns 0, or
     * ENOENT when the trie is empty or {@code key} is the last key.
     */
    public int nextKey(byte[] key, byte[] next) {
        lock.readLock().lock();
        try {
            Node found = successor(key);
            if (found == null) {
                return ENOENT;
            }
            long len = found.prefixlen;
            next[0] = (byte) len;
            next[1] = (byte) (len >>> 8);
            next[2] = (byte) (len >>> 16);
            next[3] = (byte) (len >>> 24);
            System.arraycopy(found.data, 0, next, DATA_OFFSET, dataSize);
            return 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Convenience form of {@link #nextKey(byte[], byte[])}: the next key, or {@code null} for ENOENT. */
    public byte[] nextKey(byte[] key) {
        byte[] next = new byte[keySize];
        return nextKey(key, next) == 0 ? next : null;
    }

    private Node successor(byte[] key) {
        if (root == null) {
            return null;
        }
        if (key == null) {
            return leftmost(root);
        }
        long keyLen = prefixlen(key);
        if (keyLen > maxPrefixlen) {
            return leftmost(root);
        }
        // Path from the root to the exact node, as the kernel's node stack.
        long keyHead = head(key, DATA_OFFSET, dataSize);
        Node[] path = new Node[(int) maxPrefixlen + 1];
        int top = -1;
        Node node = root;
        long match = 0;
        while (node != null) {
            path[++top] = node;
            match = matchLength(node, key, keyHead, keyLen);
            if (node.prefixlen != match || node.prefixlen == keyLen) {
                break;
            }
            node = node.child(keyBit(key, node.prefixlen));
        }
        if (node == null || node.prefixlen != match || node.intermediate()) {
            return leftmost(root);
        }
        node = path[top];
        while (top > 0) {
            Node parent = path[top - 1];
            if (parent.child(0) == node && parent.child(1) != null) {
                return leftmost(parent.child(1));
            }
            if (!parent.intermediate()) {
                return parent;
            }
            node = parent;
            top--;
        }
        return null;
    }

    /** First real node of a subtree in post-order. Intermediate nodes always have two children. */
    private static Node leftmost(Node from) {
        Node candidate = null;
        Node node = from;
        while (node != null) {
            if (node.intermediate()) {
                node = node.child(0);
            } else {
                candidate = node;
                node = node.child(0) != null ? node.child(0) : node.child(1);
            }
        }
        return candidate;
    }

    // ---------------------------------------------------------------------------------------------- bits

    /**
     * Number of leading bits the node's data shares with the key's data, capped at
     * {@code min(node.prefixlen, keyLen)}.
     */
    private long matchLength(Node node, byte[] key, long keyHead, long keyLen) {
        long limit = Math.min(node.prefixlen, keyLen);
        long diff = node.head ^ keyHead;
        if (diff != 0) {
            // Both heads are zero-padded past the data, so a difference lies within the data bits.
            return Math.min(Long.numberOfLeadingZeros(diff), limit);
        }
        if (limit <= 64 || dataSize <= 8) {
            return limit;
        }
        byte[] data = node.data;
        long bits = 64;
        for (int i = 8; i < dataSize && bits < limit; i++) {
            int d = (data[i] ^ key[DATA_OFFSET + i]) & 0xff;
            if (d != 0) {
                bits += Integer.numberOfLeadingZeros(d) - 24;
                break;
            }
            bits += 8;
        }
        return Math.min(bits, limit);
    }

    /** Up to 8 bytes from {@code offset} as a big-endian long, zero-padded on the right. */
    static long head(byte[] bytes, int offset, int length) {
        long h = 0;
        int n = Math.min(8, length);
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (i < n ? bytes[offset + i] & 0xffL : 0);
        }
        return h;
    }

    /** Bit {@code index} of the key's data (0 = most significant bit of data[0]). */
    private static int keyBit(byte[] key, long index) {
        return (key[DATA_OFFSET + (int) (index >>> 3)] >>> (7 - (int) (index & 7))) & 1;
    }

    /** Bit {@code index} of a node's data. */
    private static int dataBit(byte[] data, long index) {
        return (data[(int) (index >>> 3)] >>> (7 - (int) (index & 7))) & 1;
    }

    // ---------------------------------------------------------------------------------------------- checks

    /**
     * Structural invariants the kernel maintains, for tests: prefix lengths strictly grow downwards, each child
     * sits on the side given by its bit at the parent's prefixlen and shares the parent's prefix, intermediate
     * nodes have exactly two children, and the real-node count equals {@link #size()}. Returns null when they
     * hold, else a description of the first violation.
     */
    String checkInvariants() {
        lock.readLock().lock();
        try {
            long[] count = {0};
            String problem = check(root, null, -1, count);
            if (problem == null && count[0] != entries) {
                problem = "counted " + count[0] + " real nodes, n_entries=" + entries;
            }
            return problem;
        } finally {
            lock.readLock().unlock();
        }
    }

    private String check(Node node, Node parent, int side, long[] count) {
        if (node == null) {
            return null;
        }
        if (!node.intermediate()) {
            count[0]++;
        } else if (node.child(0) == null || node.child(1) == null) {
            return "intermediate node /" + node.prefixlen + " without two children";
        }
        if (parent != null) {
            if (node.prefixlen <= parent.prefixlen) {
                return "child /" + node.prefixlen + " not longer than parent /" + parent.prefixlen;
            }
            for (long b = 0; b < parent.prefixlen; b++) {
                if (dataBit(node.data, b) != dataBit(parent.data, b)) {
                    return "child /" + node.prefixlen + " does not share parent's prefix at bit " + b;
                }
            }
            if (dataBit(node.data, parent.prefixlen) != side) {
                return "child /" + node.prefixlen + " on the wrong side";
            }
        }
        String problem = check(node.child(0), node, 0, count);
        return problem != null ? problem : check(node.child(1), node, 1, count);
    }
}
