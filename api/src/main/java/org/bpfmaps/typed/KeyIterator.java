package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.codec.Codec;

/**
 * Walks a map's keys with {@code BPF_MAP_GET_NEXT_KEY}, counting the restarts the kernel makes when the key
 * the walk stands on disappears; exists so every keyed view shares one bounded iteration contract.
 */
final class KeyIterator<K> implements Iterator<K> {
    private final BpfMap map;
    private final Codec<K> codec;
    private final int maxRestarts;
    private final long maxSteps;
    private ByteBuffer current;
    private ByteBuffer next;
    private final ByteBuffer probe;
    private boolean started;
    private Boolean pending;
    private int restarts;
    private long steps;

    KeyIterator(BpfMap map, Codec<K> codec, int maxRestarts) {
        this.map = map;
        this.codec = codec;
        this.maxRestarts = maxRestarts;
        this.maxSteps = Integer.toUnsignedLong(map.maxEntries()) * (maxRestarts + 2L) + 1;
        this.current = Views.buffer(map.keySize());
        this.next = Views.buffer(map.keySize());
        this.probe = Views.buffer(map.valueBufferSize());
    }

    @Override
    public boolean hasNext() {
        if (pending == null) {
            pending = fetch();
        }
        return pending;
    }

    private boolean fetch() {
        boolean found;
        if (!started) {
            started = true;
            found = map.nextKey((ByteBuffer) null, next);
        } else if (map.lookup(current, probe)) {
            found = map.nextKey(current, next);
        } else {
            // the kernel would restart from the first key; do so knowingly and count it
            restarts++;
            if (restarts > maxRestarts) {
                throw new ConcurrentModificationException("iteration of " + Views.describe(map) + " lost its place "
                        + restarts + " times (keys deleted under it); giving up after " + maxRestarts
                        + " restarts");
            }
            found = map.nextKey((ByteBuffer) null, next);
        }
        if (found && ++steps > maxSteps) {
            throw new ConcurrentModificationException("iteration of " + Views.describe(map) + " returned " + steps
                    + " keys, more than " + maxSteps + " for a map of " + Integer.toUnsignedString(map.maxEntries())
                    + " entries with " + maxRestarts + " restarts allowed: the map changes faster than it can be "
                    + "walked");
        }
        return found;
    }

    @Override
    public K next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ByteBuffer t = current;
        current = next;
        next = t;
        pending = null;
        return codec.decode(current, 0);
    }

    int restarts() {
        return restarts;
    }
}
