package org.bpfmaps.simulator.lru;

import static org.bpfmaps.simulator.lru.Keys.of;
import static org.bpfmaps.simulator.lru.Keys.range;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_ANY;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_EXIST;
import static org.bpfmaps.simulator.lru.LruHashFlow.BPF_NOEXIST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link LruHtab} driven the way an element-based hash table drives it (the protocol of its
 * class comment), with element objects that carry their node like the simulator's table.
 */
class LruHtabTest {

    static final class Elem {
        final long key;
        final int node;
        long value;
        boolean linked;

        Elem(long key, int node, long value) {
            this.key = key;
            this.node = node;
            this.value = value;
        }
    }

    /** Minimal element table following the LruHtab protocol. */
    static final class Table {
        final Map<Long, Elem> buckets = new HashMap<>();
        final LruHtab<Elem> lru;
        final boolean percpu;

        Table(int maxEntries, int cpus, boolean noCommon, boolean percpu) {
            this.percpu = percpu;
            int n = (int) LruEngine.effectiveMaxEntries(maxEntries, cpus, noCommon);
            lru = new LruHtab<>(n, cpus, noCommon, percpu, this::unlinkIfLinked);
        }

        boolean unlinkIfLinked(Elem e) {
            if (!e.linked) {
                return false;
            }
            e.linked = false;
            buckets.remove(e.key, e);
            return true;
        }

        int update(long key, long value, long flags, int cpu) {
            int node = lru.acquireForUpdate(flags, cpu);
            if (node == LruHtab.NO_MEMORY) {
                return LruHashFlow.ENOMEM;
            }
            Elem old = buckets.get(key);
            int err = old != null && flags == BPF_NOEXIST ? LruHashFlow.EEXIST
                    : old == null && flags == BPF_EXIST ? LruHashFlow.ENOENT : 0;
            if (err != 0) {
                lru.abandon(node);
                return err;
            }
            if (old != null && percpu) {
                old.value = value;
                lru.updatedInPlace(old.node, node);
                return 0;
            }
            Elem e = new Elem(key, node, value);
            e.linked = true;
            buckets.put(key, e);
            if (old != null) {
                old.linked = false;
            }
            lru.linked(e, node, old == null ? LruHtab.NONE : old.node);
            return 0;
        }

        int delete(long key) {
            Elem e = buckets.remove(key);
            if (e == null) {
                return LruHashFlow.ENOENT;
            }
            e.linked = false;
            lru.removed(e.node);
            return 0;
        }

        void programLookup(long key) {
            Elem e = buckets.get(key);
            if (e != null) {
                lru.referenced(e.node);
            }
        }

        TreeSet<Long> keys() {
            return new TreeSet<>(buckets.keySet());
        }
    }

    @Test
    void programLookupsProtectSyscallUpdatesEvict() {
        Table t = new Table(8, 2, false, false);
        for (long k = 1; k <= 8; k++) {
            assertEquals(0, t.update(k, k, BPF_NOEXIST, 0));
        }
        for (long k = 1; k <= 4; k++) {
            t.programLookup(k);
        }
        for (long k = 9; k <= 12; k++) {
            assertEquals(0, t.update(k, k, BPF_ANY, 0));
        }
        assertEquals(of(1, 2, 3, 4, 9, 10, 11, 12), t.keys());
    }

    @Test
    void lruHashReplaceCreatesNewElementAndEvictsOthers() {
        Table t = new Table(8, 2, false, false);
        for (long k = 1; k <= 8; k++) {
            t.update(k, k, BPF_NOEXIST, 0);
        }
        Elem before = t.buckets.get(3L);
        assertEquals(0, t.update(3, 33, BPF_ANY, 0));
        Elem after = t.buckets.get(3L);
        assertNotSame(before, after);
        assertTrue(t.lru.engine().isRef(after.node));
        assertSame(after, t.lru.owner(after.node));
        assertEquals(null, t.lru.owner(before.node));
        assertEquals(range(3, 8), t.keys());
    }

    @Test
    void lruPercpuUpdatesInPlaceAndExistAcquiresNothing() {
        Table t = new Table(8, 2, false, true);
        for (long k = 1; k <= 8; k++) {
            t.update(k, k, BPF_NOEXIST, 0);
        }
        Elem before = t.buckets.get(3L);
        assertEquals(0, t.update(3, 33, BPF_EXIST, 0)); // no node acquired: nothing evicted
        assertSame(before, t.buckets.get(3L));
        assertEquals(33, before.value);
        assertEquals(range(1, 8), t.keys());
        assertTrue(t.lru.engine().isRef(before.node));
        assertEquals(0, t.update(4, 44, BPF_ANY, 0)); // acquires: the shrink evicts 1 and 2
        assertEquals(range(3, 8), t.keys());
    }

    @Test
    void deleteFreesTheNodeForReuse() {
        Table t = new Table(4, 2, true, false); // per-CPU LRU: 2 nodes per CPU
        assertEquals(0, t.update(1, 1, BPF_NOEXIST, 0));
        assertEquals(0, t.update(2, 2, BPF_NOEXIST, 0));
        assertEquals(0, t.delete(1));
        assertEquals(LruHashFlow.ENOENT, t.delete(1));
        assertEquals(0, t.update(3, 3, BPF_NOEXIST, 0));
        assertEquals(of(2, 3), t.keys());
    }
}
