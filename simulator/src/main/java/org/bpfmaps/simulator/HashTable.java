package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.simulator.lru.LruHtab;

/**
 * {@code HASH} and {@code PERCPU_HASH}: the kernel's {@code htab}, bucket for bucket.
 *
 * <p>Exists because iteration order, batch cursors and "full" are all defined by the kernel's bucket array:
 * {@code roundup_pow_of_two(max_entries)} buckets, a key's bucket is {@code jhash(key, seed) & (n_buckets - 1)},
 * and new elements go to the head of their bucket's chain. Bucket heads live in lazily allocated pages so that a
 * map with a huge {@code max_entries} costs nothing until it is filled. Lookups hash the caller's buffer directly
 * and compare bytes in place, so they allocate nothing.
 *
 * <p><b>Reads without the lock.</b> Writers hold the table's monitor. A system-call lookup on {@code HASH} and
 * {@code LRU_HASH} takes no lock, as the kernel's RCU lookup takes none: an element's key and value never change
 * once it is linked (an update links a new element at the head and then unlinks the old one, as
 * {@code htab_map_update_elem} does), bucket heads and {@code next} links are published with release stores and
 * read with acquire loads, and an unlinked element keeps its {@code next} link so that a reader standing on it
 * walks on into the chain. A reader therefore sees one whole value, old or new. A lock-free walk racing with an
 * update of the same key can pass both the old element and the new one (the kernel's lookup can miss it so); the
 * simulator confirms every miss under the monitor, so only a key that was really absent is reported missing.
 * Per-CPU values are updated in place, so per-CPU lookups take the monitor and stay whole too.
 */
class HashTable extends MapObject {

    /** One element: the stored key and value (per-CPU: all CPUs' slots, user-space layout). */
    static final class Element {
        final int hash;
        final byte[] key;
        final byte[] value;
        /** Written under the table's monitor, read by lock-free lookups. */
        volatile Element next;
        /** LRU types: the node this element owns. */
        int node = LruHtab.NONE;

        Element(int hash, byte[] key, byte[] value) {
            this.hash = hash;
            this.key = key;
            this.value = value;
        }
    }

    /** {@code sizeof(struct bpf_htab)} on x86_64 6.18, derived from the kernel's memlock report. */
    static final long SIZEOF_BPF_HTAB = 832;
    /** {@code sizeof(struct bucket)}. */
    static final long SIZEOF_BUCKET = 16;
    /** {@code sizeof(struct htab_elem)}: the element header before the key. */
    static final long SIZEOF_HTAB_ELEM = 48;
    /** {@code HASHTAB_MAP_LOCK_COUNT}. */
    static final int MAP_LOCK_COUNT = 8;
    /** Largest bucket count whose bucket array fits a u32 byte size ({@code U32_MAX / sizeof(struct bucket)}). */
    static final long MAX_BUCKETS = 0xffffffffL / SIZEOF_BUCKET;

    private static final java.lang.invoke.VarHandle SLOT =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(Element[].class);
    private static final java.lang.invoke.VarHandle PAGE =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(Element[][].class);
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;

    final int nBuckets;
    final int mask;
    final int seed;
    final boolean percpu;
    private final Element[][] pages;
    /** LRU_HASH / LRU_PERCPU_HASH: the kernel's LRU lists; null for other types. */
    private final LruHtab<Element> lru;
    private int count;

    HashTable(SimulatedKernel kernel, MapSpec spec, int id, int seed) {
        super(kernel, spec, id);
        this.nBuckets = bucketCount(maxEntries);
        this.mask = nBuckets - 1;
        this.seed = has(MapFlag.ZERO_SEED) ? 0 : seed;
        this.percpu = type.isPerCpu();
        this.pages = new Element[(int) ((nBuckets + (long) PAGE_SIZE - 1) >>> PAGE_BITS)][];
        this.lru = type.isLru() ? new LruHtab<>(maxEntries, cpus, has(MapFlag.NO_COMMON_LRU), percpu, this::unlink) : null;
    }

    /** {@code roundup_pow_of_two(max_entries)} for a u32 {@code max_entries} already known to be small enough. */
    static int bucketCount(int maxEntries) {
        long m = Integer.toUnsignedLong(maxEntries);
        long n = 1;
        while (n < m) {
            n <<= 1;
        }
        return (int) n;
    }

    // ---- bucket array ------------------------------------------------------------------------------------

    private Element head(int bucket) {
        Element[] page = (Element[]) PAGE.getAcquire(pages, bucket >>> PAGE_BITS);
        return page == null ? null : (Element) SLOT.getAcquire(page, bucket & (PAGE_SIZE - 1));
    }

    private void setHead(int bucket, Element e) {
        Element[] page = pages[bucket >>> PAGE_BITS];
        if (page == null) {
            if (e == null) {
                return;
            }
            page = new Element[Math.min(PAGE_SIZE, nBuckets)];
            PAGE.setRelease(pages, bucket >>> PAGE_BITS, page);
        }
        SLOT.setRelease(page, bucket & (PAGE_SIZE - 1), e);
    }

    /** The first element of the lowest non-empty bucket at or after {@code from}, or null. */
    private Element firstFrom(long from) {
        for (long b = from; b < nBuckets; ) {
            Element[] page = pages[(int) (b >>> PAGE_BITS)];
            if (page == null) {
                b = ((b >>> PAGE_BITS) + 1) << PAGE_BITS;
                continue;
            }
            Element e = page[(int) (b & (PAGE_SIZE - 1))];
            if (e != null) {
                return e;
            }
            b++;
        }
        return null;
    }

    /** The index of the lowest non-empty bucket at or after {@code from}, or {@code nBuckets}. */
    private int nextNonEmpty(int from) {
        for (long b = from; b < nBuckets; ) {
            Element[] page = pages[(int) (b >>> PAGE_BITS)];
            if (page == null) {
                b = ((b >>> PAGE_BITS) + 1) << PAGE_BITS;
                continue;
            }
            if (page[(int) (b & (PAGE_SIZE - 1))] != null) {
                return (int) b;
            }
            b++;
        }
        return nBuckets;
    }

    int hash(ByteBuffer key) {
        return JHash.keyHash(key, key.position(), keySize, seed);
    }

    private Element find(ByteBuffer key, int hash) {
        int base = key.position();
        for (Element e = head(hash & mask); e != null; e = e.next) {
            if (e.hash == hash && sameKey(e.key, key, base)) {
                return e;
            }
        }
        return null;
    }

    private boolean sameKey(byte[] stored, ByteBuffer key, int base) {
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] != key.get(base + i)) {
                return false;
            }
        }
        return true;
    }

    private boolean unlink(Element victim) {
        int bucket = victim.hash & mask;
        Element prev = null;
        for (Element e = head(bucket); e != null; prev = e, e = e.next) {
            if (e == victim) {
                if (prev == null) {
                    setHead(bucket, e.next);
                } else {
                    prev.next = e.next;
                }
                // e.next stays: a lock-free reader standing on e walks on into the chain.
                count--;
                return true;
            }
        }
        return false;
    }

    private void pushHead(Element e) {
        int bucket = e.hash & mask;
        e.next = head(bucket);
        setHead(bucket, e);
        count++;
    }

    private byte[] copyKey(ByteBuffer key) {
        byte[] k = new byte[keySize];
        key.get(key.position(), k, 0, keySize);
        return k;
    }

    int size() {
        synchronized (this) {
            return count;
        }
    }

    /**
     * Every element, bucket by bucket and each bucket's chain from tail to head: updating an empty table of the same
     * spec and seed with them in this order rebuilds this table exactly (new elements go to the head). Used to
     * compact a persisted state.
     */
    synchronized List<Element> rebuildOrder() {
        List<Element> out = new ArrayList<>(count);
        for (int b = nextNonEmpty(0); b < nBuckets; b = nextNonEmpty(b + 1)) {
            int start = out.size();
            for (Element e = head(b); e != null; e = e.next) {
                out.add(e);
            }
            Collections.reverse(out.subList(start, out.size()));
            if (b == nBuckets - 1) {
                break;
            }
        }
        return out;
    }

    /**
     * Whether a system-call update of an existing element rewrites its value where it is (per-CPU hashes, and the
     * hash of maps since {@code htab_map_update_elem_in_place}), rather than linking a new element at the head of
     * its bucket.
     */
    boolean updatesInPlace() {
        return percpu;
    }

    /** Hook: an element was found by a program's lookup (LRU types will set the reference bit here). */
    void onProgramLookup(Element e) {
        if (lru != null) {
            lru.referenced(e.node);
        }
    }

    // ---- system calls -------------------------------------------------------------------------------------

    @Override
    int lookup(ByteBuffer key, ByteBuffer value) {
        int h = hash(key);
        if (percpu) {
            synchronized (this) {
                return copyOut(find(key, h), value);
            }
        }
        Element e = find(key, h); // lock-free: see the class comment
        if (e == null) {
            synchronized (this) {
                e = find(key, h); // a miss is confirmed under the monitor, so a racing replace is never missed
            }
        }
        return copyOut(e, value);
    }

    private int copyOut(Element e, ByteBuffer value) {
        if (e == null) {
            return ENOENT;
        }
        copyOut(e.value, 0, value);
        return 0;
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        if (badUpdateFlags(flags) || (flags & UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        int h = hash(key);
        synchronized (this) {
            if (lru != null) {
                return lruUpdate(key, h, value, flags, kernel.currentCpu(), false);
            }
            Element old = find(key, h);
            int err = checkFlags(old, flags);
            if (err != 0) {
                return err;
            }
            if (old != null) {
                if (percpu) {
                    copyIn(value, old.value, 0);
                } else {
                    byte[] v = new byte[valueBufferSize];
                    copyIn(value, v, 0);
                    if (updatesInPlace()) {
                        replaceWhereItIs(old, v);
                    } else {
                        replace(old, v);
                    }
                }
                return 0;
            }
            if (Integer.compareUnsigned(count, maxEntries) >= 0) {
                return E2BIG;
            }
            byte[] v = new byte[valueBufferSize];
            copyIn(value, v, 0);
            pushHead(new Element(h, copyKey(key), v));
            return 0;
        }
    }

    /**
     * {@code htab_lru_map_update_elem} / {@code __htab_lru_percpu_map_update_elem}: the node is acquired before the
     * lookup (evicting even if the update then fails); LRU_HASH always links a new element, LRU_PERCPU_HASH updates
     * an existing one in place. LRU maps never answer E2BIG.
     */
    private int lruUpdate(ByteBuffer key, int h, ByteBuffer value, long flags, int cpu, boolean program) {
        int node = lru.acquireForUpdate(flags, cpu);
        if (node == LruHtab.NO_MEMORY) {
            return ENOMEM;
        }
        Element old = find(key, h);
        int err = checkFlags(old, flags);
        if (err != 0) {
            lru.abandon(node);
            return err;
        }
        if (old != null && percpu) {
            writeValue(value, old.value, program, cpu);
            lru.updatedInPlace(old.node, node);
            return 0;
        }
        byte[] v = new byte[valueBufferSize];
        writeValue(value, v, program, cpu);
        Element e = new Element(h, copyKey(key), v);
        e.node = node;
        pushHead(e);
        if (old != null) {
            unlink(old);
        }
        lru.linked(e, node, old == null ? LruHtab.NONE : old.node);
        return 0;
    }

    /** A syscall writes every CPU's slot; a program writes its own CPU's slot (a new element's others stay zero). */
    private void writeValue(ByteBuffer value, byte[] dst, boolean program, int cpu) {
        if (program) {
            writeSlot(value, dst, cpu);
        } else {
            copyIn(value, dst, 0);
        }
    }

    /** {@code check_flags}: NOEXIST on an existing key, EXIST on a missing one. */
    private static int checkFlags(Element old, long flags) {
        long op = flags & ~UpdateFlags.F_LOCK;
        if (old != null && op == UpdateFlags.NOEXIST) {
            return EEXIST;
        }
        if (old == null && op == UpdateFlags.EXIST) {
            return ENOENT;
        }
        return 0;
    }

    /**
     * Puts a new element with {@code value} at {@code old}'s place in its chain (a hash of maps replaces an inner
     * map in place); the old element keeps its {@code next} link for a lock-free reader standing on it.
     */
    private void replaceWhereItIs(Element old, byte[] value) {
        Element e = new Element(old.hash, old.key, value);
        e.next = old.next;
        int bucket = old.hash & mask;
        Element prev = null;
        for (Element c = head(bucket); c != null; prev = c, c = c.next) {
            if (c == old) {
                if (prev == null) {
                    setHead(bucket, e);
                } else {
                    prev.next = e;
                }
                return;
            }
        }
    }

    /**
     * HASH replaces an element by a new one at the head of its bucket, linked before the old one is unlinked, so
     * that lock-free readers see the old value or the new one, whole.
     */
    private void replace(Element old, byte[] value) {
        pushHead(new Element(old.hash, old.key, value));
        unlink(old);
    }

    @Override
    int delete(ByteBuffer key) {
        int h = hash(key);
        synchronized (this) {
            Element e = find(key, h);
            if (e == null) {
                return ENOENT;
            }
            unlink(e);
            if (lru != null) {
                lru.removed(e.node);
            }
            return 0;
        }
    }

    @Override
    int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        Element next;
        if (key == null) {
            synchronized (this) {
                next = firstFrom(0);
                return emitKey(next, nextKey);
            }
        }
        int h = hash(key);
        synchronized (this) {
            Element e = find(key, h);
            if (e == null) {
                next = firstFrom(0);
            } else if (e.next != null) {
                next = e.next;
            } else {
                next = firstFrom((long) (h & mask) + 1);
            }
            return emitKey(next, nextKey);
        }
    }

    private int emitKey(Element e, ByteBuffer out) {
        if (e == null) {
            return ENOENT;
        }
        out.put(out.position(), e.key, 0, keySize);
        return 0;
    }

    @Override
    int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        int h = hash(key);
        synchronized (this) {
            Element e = find(key, h);
            if (e == null) {
                return ENOENT;
            }
            copyOut(e.value, 0, value);
            unlink(e);
            if (lru != null) {
                lru.removed(e.node);
            }
            return 0;
        }
    }

    @Override
    Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                long elemFlags) {
        switch (command) {
            case BPF_MAP_LOOKUP_BATCH:
                return readBatch(false, inBatch, outBatch, keys, values, count, elemFlags);
            case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
                return readBatch(true, inBatch, outBatch, keys, values, count, elemFlags);
            case BPF_MAP_UPDATE_BATCH:
                return GenericBatch.update(this, keys, values, count, elemFlags);
            case BPF_MAP_DELETE_BATCH:
                return GenericBatch.delete(this, keys, count, elemFlags);
            default:
                throw new IllegalArgumentException(command.name());
        }
    }

    /**
     * {@code __htab_map_lookup_and_delete_batch}: whole buckets from the u32 bucket cursor, ENOSPC with count 0
     * when the first non-empty bucket does not fit, ENOENT with the partial count past the last bucket.
     */
    private Batch readBatch(boolean delete, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int max,
                            long elemFlags) {
        if (elemFlags != 0) {
            return new Batch(EINVAL, max); // only F_LOCK is valid, no value holds a spin lock; count untouched
        }
        if (max == 0) {
            return new Batch(0, 0);
        }
        long bucket = inBatch == null ? 0 : Integer.toUnsignedLong(readU32(inBatch, 0));
        if (bucket >= nBuckets) {
            return new Batch(ENOENT, 0);
        }
        int total = 0;
        int err;
        synchronized (this) {
            while (true) {
                int b = nextNonEmpty((int) bucket);
                if (b >= nBuckets) {
                    bucket = nBuckets;
                    err = ENOENT;
                    break;
                }
                bucket = b;
                int inBucket = 0;
                for (Element e = head(b); e != null; e = e.next) {
                    inBucket++;
                }
                if (inBucket > max - total) {
                    err = total == 0 ? ENOSPC : 0;
                    break;
                }
                Element e = head(b);
                while (e != null) {
                    Element next = e.next;
                    System.arraycopy(e.key, 0, keys, total * keySize, keySize);
                    System.arraycopy(e.value, 0, values, total * valueBufferSize, valueBufferSize);
                    if (delete) {
                        unlink(e);
                        if (lru != null) {
                            lru.removed(e.node);
                        }
                    }
                    total++;
                    e = next;
                }
                bucket = b + 1L;
                if (bucket >= nBuckets) {
                    err = ENOENT;
                    break;
                }
            }
        }
        writeU32(outBatch, 0, (int) bucket); // with ENOSPC too: the bucket that did not fit
        return new Batch(err, total);
    }

    // ---- program helpers ------------------------------------------------------------------------------------

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        int h = hash(key);
        synchronized (this) {
            Element e = find(key, h);
            if (e == null) {
                return ENOENT;
            }
            onProgramLookup(e);
            value.put(value.position(), e.value, percpu ? cpu * slot : 0, valueSize);
            return 0;
        }
    }

    @Override
    int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        if (badUpdateFlags(flags) || (flags & UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        int h = hash(key);
        synchronized (this) {
            if (lru != null) {
                return lruUpdate(key, h, value, flags, cpu, true);
            }
            Element old = find(key, h);
            int err = checkFlags(old, flags);
            if (err != 0) {
                return err;
            }
            if (old != null) {
                if (percpu) {
                    writeSlot(value, old.value, cpu);
                } else {
                    byte[] v = new byte[valueBufferSize];
                    writeSlot(value, v, cpu);
                    replace(old, v);
                }
                return 0;
            }
            if (Integer.compareUnsigned(count, maxEntries) >= 0) {
                return E2BIG;
            }
            byte[] v = new byte[valueBufferSize];
            writeSlot(value, v, cpu);
            pushHead(new Element(h, copyKey(key), v));
            return 0;
        }
    }

    /**
     * A program's write: {@code value_size} bytes into this CPU's slot ({@code copy_map_value}); an existing
     * slot's padding keeps what it had, a new element's is zero (on the kernel it is whatever followed the
     * program's value in its memory, which the simulator cannot know).
     */
    private void writeSlot(ByteBuffer value, byte[] stored, int cpu) {
        int off = percpu ? cpu * slot : 0;
        value.get(value.position(), stored, off, valueSize);
    }

    @Override
    int programDelete(ByteBuffer key) {
        return delete(key);
    }

    // ---- memlock --------------------------------------------------------------------------------------------

    /** {@code htab_map_mem_usage}; matches the kernel's 1360 B for key 4, value 8, 4 entries, 2 CPUs. */
    @Override
    long memlock() {
        long valueSlot = slot;
        long elemSize = SIZEOF_HTAB_ELEM + ((keySize + 7L) & ~7L) + (percpu ? 8 : valueSlot);
        long usage = SIZEOF_BPF_HTAB + SIZEOF_BUCKET * nBuckets + 4L * cpus * MAP_LOCK_COUNT;
        if (!has(MapFlag.NO_PREALLOC)) {
            long entries = Integer.toUnsignedLong(maxEntries) + (percpu || lru != null ? 0 : cpus);
            usage += elemSize * entries;
            usage += percpu ? valueSlot * cpus * entries : lru != null ? 0 : 8L * cpus;
        } else {
            long entries = size();
            long llistNode = 8;
            usage += (elemSize + llistNode) * entries;
            if (percpu) {
                usage += (llistNode + 8) * entries + valueSlot * cpus * entries;
            }
        }
        return usage;
    }
}
