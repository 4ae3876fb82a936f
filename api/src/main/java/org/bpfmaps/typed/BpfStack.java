package org.bpfmaps.typed;

import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codec;

/**
 * A LIFO stack map ({@code BPF_MAP_TYPE_STACK}) of typed values: pop and peek see the newest element.
 *
 * @param <V> the element type
 */
public final class BpfStack<V> extends PushPopView<V> {
    private BpfStack(BpfMap map, Codec<V> codec) {
        super(map, codec, MapType.STACK, "BpfStack");
    }

    /**
     * A view of the stack {@code map}.
     *
     * @throws org.bpfmaps.codec.CodecException when the map is not a stack or the codec has the wrong size
     */
    public static <V> BpfStack<V> of(BpfMap map, Codec<V> codec) {
        return new BpfStack<>(map, codec);
    }
}
