package org.bpfmaps.typed;

import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codec;

/**
 * A FIFO queue map ({@code BPF_MAP_TYPE_QUEUE}) of typed values: pop and peek see the oldest element.
 *
 * @param <V> the element type
 */
public final class BpfQueue<V> extends PushPopView<V> {
    private BpfQueue(BpfMap map, Codec<V> codec) {
        super(map, codec, MapType.QUEUE, "BpfQueue");
    }

    /**
     * A view of the queue {@code map}.
     *
     * @throws org.bpfmaps.codec.CodecException when the map is not a queue or the codec has the wrong size
     */
    public static <V> BpfQueue<V> of(BpfMap map, Codec<V> codec) {
        return new BpfQueue<>(map, codec);
    }
}
