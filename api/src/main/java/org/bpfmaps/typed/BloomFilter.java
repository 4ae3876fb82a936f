package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;

/**
 * A bloom filter map ({@code BPF_MAP_TYPE_BLOOM_FILTER}) of typed values: add, and ask whether a value may be in.
 *
 * <p>{@link #mightContain} has no false negatives and some false positives; nothing can be removed. A view
 * reuses one value buffer and is not thread-safe.
 *
 * @param <V> the element type
 */
public final class BloomFilter<V> {
    private final BpfMap map;
    private final Codec<V> codec;
    private final ByteBuffer value;

    private BloomFilter(BpfMap map, Codec<V> codec) {
        Views.checkType(map, "BloomFilter", MapType.BLOOM_FILTER);
        Views.checkSize(codec, map.valueSize(), map, "value_size");
        this.map = map;
        this.codec = codec;
        this.value = Views.buffer(map.valueSize());
    }

    /**
     * A view of the bloom filter {@code map}.
     *
     * @throws org.bpfmaps.codec.CodecException when the map is not a bloom filter or the codec has the wrong size
     */
    public static <V> BloomFilter<V> of(BpfMap map, Codec<V> codec) {
        return new BloomFilter<>(map, codec);
    }

    /** The raw map underneath. */
    public BpfMap map() {
        return map;
    }

    /** Adds {@code v} (sets its bits). */
    public void add(V v) {
        codec.encode(v, value, 0);
        map.update((ByteBuffer) null, value, UpdateFlags.ANY);
    }

    /** {@code false} when {@code v} was surely never added; {@code true} when it may have been. */
    public boolean mightContain(V v) {
        codec.encode(v, value, 0);
        return map.lookup((ByteBuffer) null, value);
    }
}
