package org.bpfmaps.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which bpftool lists the pinned paths of one map ({@code show -f}).
 *
 * <p>bpftool collects {@code (map id, path)} pairs in file-system walk order into libbpf's chained hash map,
 * keyed by the id itself, and later lists one id's chain. That map inserts at the head of a bucket's chain and,
 * each time it grows (when {@code (size + 1) * 4 / 3} exceeds its capacity, starting at 4 buckets and doubling),
 * re-inserts every entry, bucket by bucket, again at the head of its new chain. The resulting order, reversed
 * or not depending on how many growths an entry went through, is reproduced here by running the same steps.
 */
final class PinTable {
    /** One pinned path of map {@code id}. */
    record Pin(int id, String path) {
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L; // 11400714819323198485, libbpf's multiplier
    private static final int MIN_CAP_BITS = 2;

    private static final class Node {
        final Pin pin;
        Node next;

        Node(Pin pin) {
            this.pin = pin;
        }
    }

    private PinTable() {
    }

    /** The paths of each id, in the order bpftool prints them, from pairs in walk order. */
    static Map<Integer, List<String>> order(List<Pin> walkOrder) {
        Node[] buckets = new Node[0];
        int capBits = 0;
        int size = 0;
        for (Pin pin : walkOrder) {
            if (buckets.length == 0 || (size + 1L) * 4 / 3 > buckets.length) {
                int newBits = Math.max(capBits + 1, MIN_CAP_BITS);
                Node[] grown = new Node[1 << newBits];
                for (Node head : buckets) {
                    Node cur = head;
                    while (cur != null) {
                        Node next = cur.next;
                        int h = bucket(cur.pin.id(), newBits);
                        cur.next = grown[h];
                        grown[h] = cur;
                        cur = next;
                    }
                }
                buckets = grown;
                capBits = newBits;
            }
            Node n = new Node(pin);
            int h = bucket(pin.id(), capBits);
            n.next = buckets[h];
            buckets[h] = n;
            size++;
        }
        Map<Integer, List<String>> table = new HashMap<>();
        for (Pin pin : walkOrder) {
            if (table.containsKey(pin.id())) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            for (Node cur = buckets[bucket(pin.id(), capBits)]; cur != null; cur = cur.next) {
                if (cur.pin.id() == pin.id()) {
                    paths.add(cur.pin.path());
                }
            }
            table.put(pin.id(), paths);
        }
        return table;
    }

    private static int bucket(int id, int bits) {
        if (bits == 0) {
            return 0;
        }
        long h = Integer.toUnsignedLong(id) * GOLDEN;
        return (int) (h >>> (64 - bits));
    }
}
