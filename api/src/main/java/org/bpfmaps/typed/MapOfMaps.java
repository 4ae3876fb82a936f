package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/**
 * A map-in-map ({@code ARRAY_OF_MAPS} or {@code HASH_OF_MAPS}) seen through a key codec: each key holds an inner
 * map.
 *
 * <pre>
 * MapOfMaps&lt;Integer&gt; tables = MapOfMaps.of(backend, outer, Codecs.s32());
 * tables.set(7, perTenantMap);                    // the kernel takes the inner map's descriptor
 * OptionalInt id = tables.innerId(7);            // what a system-call lookup answers: the inner map's id
 * try (BpfMap inner = tables.open(7).orElseThrow()) { ... }
 * </pre>
 *
 * <p>The kernel stores a reference to the inner map itself, not the descriptor: the inner map stays alive while a
 * slot holds it, even after every descriptor and pin is gone, and is released when the slot is replaced or removed
 * or the outer map goes. An inner map must match the template the outer map was created with (same type, key
 * and value size and flags; for arrays also {@code max_entries} unless the template had {@code BPF_F_INNER_MAP}),
 * else {@link #set} fails with {@code EINVAL}.
 *
 * <p>Errors are the map's {@link org.bpfmaps.BpfException}s; a missing key is an empty result or {@code false}.
 * Iteration and threads: see {@link KeyedView}.
 *
 * @param <K> the key type
 */
public final class MapOfMaps<K> extends KeyedView<K> {
    private final MapBackend backend;
    private final ByteBuffer value = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());

    private MapOfMaps(MapBackend backend, BpfMap map, Codec<K> keyCodec) {
        super(map, keyCodec);
        Views.checkType(map, "MapOfMaps", MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS);
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * A view of the map-in-map {@code map}, which lives in {@code backend} (used by {@link #open} to open inner
     * maps by id).
     *
     * @throws CodecException when the map is not a map-in-map or the key codec's size differs from its key size
     */
    public static <K> MapOfMaps<K> of(MapBackend backend, BpfMap map, Codec<K> keyCodec) {
        return new MapOfMaps<>(backend, map, keyCodec);
    }

    /** Stores {@code inner} at {@code k} ({@link UpdateFlags#ANY}), releasing the map the key held before. */
    public void set(K k, BpfMap inner) {
        set(k, inner, UpdateFlags.ANY);
    }

    /**
     * Stores {@code inner} at {@code k} as {@code flags} allow ({@code NOEXIST}/{@code EXIST} on a hash of maps
     * only; an array of maps takes only {@link UpdateFlags#ANY}).
     *
     * @throws org.bpfmaps.InvalidArgumentException when {@code inner} does not match the outer map's template
     */
    public void set(K k, BpfMap inner, long flags) {
        Objects.requireNonNull(inner, "inner");
        value.putInt(0, inner.fd());
        map.update(encodeKey(k), value, flags);
    }

    /** The id of the inner map at {@code k}, or empty when the key holds none. */
    public OptionalInt innerId(K k) {
        if (!map.lookup(encodeKey(k), value)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(value.getInt(0));
    }

    /**
     * A new read-write descriptor of the inner map at {@code k} ({@link MapBackend#openById}), or empty when the
     * key holds none (or the map was released between the lookup and the open). Close it when done.
     */
    public Optional<BpfMap> open(K k) {
        OptionalInt id = innerId(k);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(backend.openById(id.getAsInt()));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean containsKey(K k) {
        return map.lookup(encodeKey(k), value);
    }
}
