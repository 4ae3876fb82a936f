package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/**
 * A map with one value per key (hash, LRU hash, array, LPM trie, ...) seen through a key and a value codec.
 *
 * <pre>
 * TypedMap&lt;FlowKey, FlowStats&gt; flows = TypedMap.of(map, Codecs.struct(FlowKey.class), Codecs.struct(FlowStats.class));
 * flows.put(key, stats);
 * Optional&lt;FlowStats&gt; s = flows.get(key);
 * </pre>
 *
 * <p>Sizes are checked once, at creation: the key codec must be {@code key_size} bytes and the value codec
 * {@code value_size} bytes, or {@link #of} throws a {@link CodecException} naming both. Calls cost one system
 * call each and allocate only the objects they return (the view reuses its buffers), except the batch
 * methods, which allocate their batch buffers. Errors are the map's {@link org.bpfmaps.BpfException}s; a
 * missing key is an empty result or {@code false}, never an exception. Iteration and threads: see
 * {@link KeyedView}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public sealed class TypedMap<K, V> extends KeyedView<K> permits LpmTrie {
    private static final int FIRST_BATCH = 64;

    final Codec<V> valueCodec;
    final ByteBuffer value;

    TypedMap(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
        super(map, keyCodec);
        if (map.type().isPerCpu()) {
            throw new CodecException(Views.describe(map) + " has a value per CPU: use PerCpuMap");
        }
        if (map.type().isKeyless()) {
            throw new CodecException(Views.describe(map) + " has no keys: use BpfQueue, BpfStack, BloomFilter or "
                    + "a ring buffer view");
        }
        Views.checkSize(valueCodec, map.valueSize(), map, "value_size");
        this.valueCodec = valueCodec;
        this.value = Views.buffer(map.valueBufferSize());
    }

    /**
     * A view of {@code map} with the given codecs.
     *
     * @throws CodecException when a codec's size differs from the map's key or value size, or the map is per-CPU
     *                        or keyless
     */
    public static <K, V> TypedMap<K, V> of(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
        return new TypedMap<>(map, keyCodec, valueCodec);
    }

    /** The value codec. */
    public Codec<V> valueCodec() {
        return valueCodec;
    }

    /** The value of {@code k}, or empty when it has none (an LPM trie answers the longest matching prefix). */
    public Optional<V> get(K k) {
        if (!map.lookup(encodeKey(k), value)) {
            return Optional.empty();
        }
        return Optional.of(valueCodec.decode(value, 0));
    }

    /** The value of {@code k}, or {@code otherwise} when it has none. */
    public V getOrDefault(K k, V otherwise) {
        return map.lookup(encodeKey(k), value) ? valueCodec.decode(value, 0) : otherwise;
    }

    @Override
    public boolean containsKey(K k) {
        return map.lookup(encodeKey(k), value);
    }

    /** Creates or replaces the element of {@code k} ({@code BPF_ANY}). */
    public void put(K k, V v) {
        put(k, v, UpdateFlags.ANY);
    }

    /** Writes the element of {@code k} as {@code flags} ({@link UpdateFlags}) allow. */
    public void put(K k, V v, long flags) {
        encodeKey(k);
        valueCodec.encode(v, value, 0);
        map.update(key, value, flags);
    }

    /**
     * Creates the element only when {@code k} has none ({@code BPF_NOEXIST}).
     *
     * @return {@code false} when the key existed (nothing was written)
     */
    public boolean putIfAbsent(K k, V v) {
        try {
            put(k, v, UpdateFlags.NOEXIST);
            return true;
        } catch (AlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Replaces the element only when {@code k} has one ({@code BPF_EXIST}).
     *
     * @return {@code false} when the key was missing (nothing was written)
     */
    public boolean replace(K k, V v) {
        try {
            put(k, v, UpdateFlags.EXIST);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Removes {@code k} and returns its value in one step ({@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}, hash types). */
    public Optional<V> getAndRemove(K k) {
        if (!map.lookupAndDelete(encodeKey(k), value, 0)) {
            return Optional.empty();
        }
        return Optional.of(valueCodec.decode(value, 0));
    }

    /**
     * The elements as a lazy stream of entries in key order.
     *
     * <p>A key deleted between the walk and its lookup is left out.
     */
    public Stream<Map.Entry<K, V>> entries() {
        return keyStream().map(k -> get(k).map(v -> Map.entry(k, v)).orElse(null))
                .filter(java.util.Objects::nonNull);
    }

    /** A copy of the elements in key order, walking key by key. */
    public Map<K, V> toMap() {
        Map<K, V> out = new LinkedHashMap<>();
        entries().forEachOrdered(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * A copy of every element, read with {@code BPF_MAP_LOOKUP_BATCH} in few system calls.
     *
     * <p>The batch grows and retries when a hash bucket does not fit ({@code ENOSPC}). Where the map type has no
     * batch commands, it walks key by key as {@link #toMap()}.
     */
    public Map<K, V> getAll() {
        return getAll(FIRST_BATCH);
    }

    /**
     * As {@link #getAll()}, starting with batches of {@code batchSize} elements.
     *
     * <p>Larger batches mean fewer system calls and larger buffers; the size is capped at {@code max_entries}.
     */
    public Map<K, V> getAll(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        Map<K, V> out = new LinkedHashMap<>();
        int ks = map.keySize();
        int vs = map.valueBufferSize();
        int count = (int) Math.max(1, Math.min(batchSize, Integer.toUnsignedLong(map.maxEntries())));
        byte[] in = null;
        byte[] outBatch = new byte[map.batchCursorSize()];
        while (true) {
            byte[] keys = new byte[count * ks];
            byte[] values = new byte[count * vs];
            BatchResult r;
            try {
                r = map.lookupBatch(in, outBatch, keys, values, count, 0);
            } catch (NotSupportedException e) {
                return toMap();
            } catch (BpfException e) {
                // ENOSPC: the next hash bucket holds more elements than fit; the kernel wrote nothing
                if (e.errno() != Errno.ENOSPC.number() || count >= Integer.MAX_VALUE / 2 / Math.max(ks, vs)) {
                    throw e;
                }
                count *= 2;
                continue;
            }
            ByteBuffer kb = ByteBuffer.wrap(keys);
            ByteBuffer vb = ByteBuffer.wrap(values);
            for (int i = 0; i < r.count(); i++) {
                out.put(keyCodec.decode(kb, i * ks), valueCodec.decode(vb, i * vs));
            }
            if (r.done()) {
                return out;
            }
            byte[] t = in == null ? new byte[outBatch.length] : in;
            in = outBatch;
            outBatch = t;
        }
    }

    /**
     * Writes every entry with {@code BPF_MAP_UPDATE_BATCH} ({@code BPF_ANY}).
     *
     * <p>Where the map type has no batch commands, it writes them one by one.
     *
     * @return the number of elements written
     * @throws org.bpfmaps.BpfException at the first element that fails; its
     *                                  {@link org.bpfmaps.BpfException#batchCount()} tells how many were written
     */
    public int putAll(Map<? extends K, ? extends V> entries) {
        int n = entries.size();
        if (n == 0) {
            return 0;
        }
        int ks = map.keySize();
        int vs = map.valueBufferSize();
        byte[] keys = new byte[n * ks];
        byte[] values = new byte[n * vs];
        ByteBuffer kb = ByteBuffer.wrap(keys);
        ByteBuffer vb = ByteBuffer.wrap(values);
        int i = 0;
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            keyCodec.encode(e.getKey(), kb, i * ks);
            valueCodec.encode(e.getValue(), vb, i * vs);
            i++;
        }
        try {
            return map.updateBatch(keys, values, n, 0);
        } catch (NotSupportedException e) {
            entries.forEach(this::put);
            return n;
        }
    }

    /**
     * Deletes the given keys with {@code BPF_MAP_DELETE_BATCH}.
     *
     * <p>Where the map type has no batch commands, it deletes them one by one. A missing key stops the work with
     * {@link NotFoundException}.
     *
     * @return the number of elements deleted
     */
    public int removeAll(Collection<? extends K> keys) {
        int n = keys.size();
        if (n == 0) {
            return 0;
        }
        int ks = map.keySize();
        byte[] bytes = new byte[n * ks];
        ByteBuffer kb = ByteBuffer.wrap(bytes);
        int i = 0;
        for (K k : keys) {
            keyCodec.encode(k, kb, i++ * ks);
        }
        try {
            return map.deleteBatch(bytes, n, 0);
        } catch (NotSupportedException e) {
            int deleted = 0;
            for (K k : keys) {
                if (!remove(k)) {
                    throw BpfException.of(BpfCommand.BPF_MAP_DELETE_ELEM, Errno.ENOENT.number(), Views.describe(map),
                            "key " + k + " is missing", deleted);
                }
                deleted++;
            }
            return deleted;
        }
    }
}
