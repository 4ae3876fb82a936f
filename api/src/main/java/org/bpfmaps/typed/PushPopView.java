package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;

/**
 * What a queue and a stack share: push, pop and peek of typed values through the keyless map commands.
 *
 * <p>Push is {@code BPF_MAP_UPDATE_ELEM} with no key, pop {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}, peek
 * {@code BPF_MAP_LOOKUP_ELEM}. A view reuses one value buffer and is not thread-safe.
 *
 * @param <V> the element type
 */
public abstract sealed class PushPopView<V> permits BpfQueue, BpfStack {
    private final BpfMap map;
    private final Codec<V> codec;
    private final ByteBuffer value;

    PushPopView(BpfMap map, Codec<V> codec, MapType type, String view) {
        Views.checkType(map, view, type);
        Views.checkSize(codec, map.valueSize(), map, "value_size");
        this.map = map;
        this.codec = codec;
        this.value = Views.buffer(map.valueSize());
    }

    /** The raw map underneath. */
    public BpfMap map() {
        return map;
    }

    /**
     * Pushes {@code v}.
     *
     * @throws MapFullException ({@code E2BIG}) when the map is full
     */
    public void push(V v) {
        codec.encode(v, value, 0);
        map.update((ByteBuffer) null, value, UpdateFlags.ANY);
    }

    /** Pushes {@code v}; {@code false} when the map is full (nothing was pushed). */
    public boolean offer(V v) {
        try {
            push(v);
            return true;
        } catch (MapFullException e) {
            if (e.errno() != Errno.E2BIG.number()) {
                throw e;
            }
            return false;
        }
    }

    /** Pushes {@code v}, dropping the oldest element when full ({@code BPF_EXIST}). */
    public void pushOverwritingOldest(V v) {
        codec.encode(v, value, 0);
        map.update((ByteBuffer) null, value, UpdateFlags.EXIST);
    }

    /** Removes and returns the next element, or empty when there is none. */
    public Optional<V> pop() {
        if (!map.lookupAndDelete((ByteBuffer) null, value, 0)) {
            return Optional.empty();
        }
        return Optional.of(codec.decode(value, 0));
    }

    /** The next element without removing it, or empty when there is none. */
    public Optional<V> peek() {
        if (!map.lookup((ByteBuffer) null, value)) {
            return Optional.empty();
        }
        return Optional.of(codec.decode(value, 0));
    }

    /** Pops every element, in pop order. */
    public List<V> drain() {
        List<V> out = new ArrayList<>();
        for (Optional<V> v = pop(); v.isPresent(); v = pop()) {
            out.add(v.get());
        }
        return out;
    }
}
