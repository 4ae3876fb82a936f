package org.bpfmaps.simulator.lru;

import java.util.TreeSet;

/** Small helpers to write expected key sets explicitly. */
final class Keys {

    private Keys() {
    }

    /** Inclusive range {@code from..to}. */
    static TreeSet<Long> range(long from, long to) {
        TreeSet<Long> s = new TreeSet<>();
        for (long k = from; k <= to; k++) {
            s.add(k);
        }
        return s;
    }

    static TreeSet<Long> of(long... keys) {
        TreeSet<Long> s = new TreeSet<>();
        for (long k : keys) {
            s.add(k);
        }
        return s;
    }

    @SafeVarargs
    static TreeSet<Long> union(TreeSet<Long>... sets) {
        TreeSet<Long> s = new TreeSet<>();
        for (TreeSet<Long> x : sets) {
            s.addAll(x);
        }
        return s;
    }
}
