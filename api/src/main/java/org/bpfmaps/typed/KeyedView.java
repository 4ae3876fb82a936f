package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.bpfmaps.BpfMap;
import org.bpfmaps.codec.Codec;

/**
 * What every keyed view shares: the map, the key codec, one reused key buffer, and key iteration.
 *
 * <p><b>Iteration when the map changes.</b> Keys come from {@code BPF_MAP_GET_NEXT_KEY} in the kernel's order.
 * Keys added or removed during a walk may or may not be seen. When the key the walk stands on has been deleted,
 * the kernel would silently restart from the first key; the iterator notices (it looks the key up before each
 * step), restarts from the first key knowingly, and may then return keys again. After
 * {@link #maxRestarts()} such restarts, or after more keys than {@code max_entries × (restarts + 2)}, it throws
 * {@link java.util.ConcurrentModificationException}: a walk never loops forever. A deletion that lands between
 * the check and the step restarts the walk unseen; only the step bound then catches a runaway. On an LPM trie
 * the check is a longest-prefix match, so a deleted prefix covered by a shorter one is not noticed.
 *
 * <p><b>Threads.</b> A view reuses its buffers and is not thread-safe: use one view per thread (views are cheap)
 * or synchronize. The map underneath is thread-safe. Each iterator holds its own buffers.
 *
 * @param <K> the key type
 */
public abstract sealed class KeyedView<K> permits TypedMap, PerCpuMap, MapOfMaps {
    /** Restarts an iterator makes, by default, before it gives up. */
    public static final int DEFAULT_MAX_RESTARTS = 3;

    final BpfMap map;
    final Codec<K> keyCodec;
    final ByteBuffer key;
    private int maxRestarts = DEFAULT_MAX_RESTARTS;

    KeyedView(BpfMap map, Codec<K> keyCodec) {
        this.map = map;
        this.keyCodec = keyCodec;
        Views.checkSize(keyCodec, map.keySize(), map, "key_size");
        this.key = Views.buffer(map.keySize());
    }

    /** The raw map underneath. */
    public BpfMap map() {
        return map;
    }

    /** The key codec. */
    public Codec<K> keyCodec() {
        return keyCodec;
    }

    /** How many times an iterator restarts after losing its place before it throws. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** Sets how many times later iterators restart after losing their place before they throw. */
    public void setMaxRestarts(int maxRestarts) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts " + maxRestarts);
        }
        this.maxRestarts = maxRestarts;
    }

    /** The keys, lazily, in the kernel's order; see the class comment for a map that changes meanwhile. */
    public Iterable<K> keys() {
        return this::keyIterator;
    }

    /** A new iterator over the keys. */
    public Iterator<K> keyIterator() {
        return new KeyIterator<>(map, keyCodec, maxRestarts);
    }

    /** The keys as a sequential, lazy stream. */
    public Stream<K> keyStream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(keyIterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** Deletes the element of {@code k}; {@code false} when it was missing. */
    public boolean remove(K k) {
        return map.delete(encodeKey(k));
    }

    /** Whether {@code k} has an element (on an LPM trie: whether some prefix matches it). */
    public abstract boolean containsKey(K k);

    ByteBuffer encodeKey(K k) {
        keyCodec.encode(k, key, 0);
        return key;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " over " + Views.describe(map);
    }
}
