package org.bpfmaps.typed;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.bpfmaps.BpfMap;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/**
 * A per-CPU map (per-CPU hash, array or LRU hash) whose value is one {@code V} per possible CPU.
 *
 * <p>User space always reads and writes every CPU's slot at once: the value buffer holds
 * {@link #possibleCpus()} slots of {@code round_up(value_size, 8)} bytes, CPU {@code i} at slot {@code i}. This
 * view turns that buffer into a {@code List<V>} indexed by CPU, zeroes the slot padding on write, and offers
 * single-CPU reads and a reduction over CPUs. The value codec must be {@code value_size} bytes. Threads and
 * iteration: see {@link KeyedView}.
 *
 * @param <K> the key type
 * @param <V> the value type of one CPU's slot
 */
public final class PerCpuMap<K, V> extends KeyedView<K> {
    private final Codec<V> valueCodec;
    private final ByteBuffer values;
    private final int slot;
    private final int cpus;

    private PerCpuMap(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
        super(map, keyCodec);
        if (!map.type().isPerCpu()) {
            throw new CodecException(Views.describe(map) + " has one value per key, not one per CPU: use TypedMap");
        }
        Views.checkSize(valueCodec, map.valueSize(), map, "value_size");
        this.valueCodec = valueCodec;
        this.values = Views.buffer(map.valueBufferSize());
        this.slot = (map.valueSize() + 7) & ~7;
        this.cpus = map.possibleCpus();
    }

    /**
     * A view of the per-CPU {@code map} with the given codecs.
     *
     * @throws CodecException when a codec's size differs from the map's key or value size, or the map is not
     *                        per-CPU
     */
    public static <K, V> PerCpuMap<K, V> of(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
        return new PerCpuMap<>(map, keyCodec, valueCodec);
    }

    /** The value codec of one CPU's slot. */
    public Codec<V> valueCodec() {
        return valueCodec;
    }

    /** Number of possible CPUs: the length of every value list. */
    public int possibleCpus() {
        return cpus;
    }

    /** The values of {@code k}, one per possible CPU (index = CPU), or empty when it has none. */
    public Optional<List<V>> get(K k) {
        if (!map.lookup(encodeKey(k), values)) {
            return Optional.empty();
        }
        return Optional.of(decodeAll());
    }

    /** The value of {@code k} on {@code cpu}, or empty when it has none. */
    public Optional<V> get(K k, int cpu) {
        checkCpu(cpu);
        if (!map.lookup(encodeKey(k), values)) {
            return Optional.empty();
        }
        return Optional.of(valueCodec.decode(values, cpu * slot));
    }

    /**
     * The values of {@code k} combined over every CPU with {@code combine} (e.g. a sum of counters), or empty
     * when it has none.
     */
    public Optional<V> reduce(K k, BinaryOperator<V> combine) {
        if (!map.lookup(encodeKey(k), values)) {
            return Optional.empty();
        }
        V acc = valueCodec.decode(values, 0);
        for (int cpu = 1; cpu < cpus; cpu++) {
            acc = combine.apply(acc, valueCodec.decode(values, cpu * slot));
        }
        return Optional.of(acc);
    }

    @Override
    public boolean containsKey(K k) {
        return map.lookup(encodeKey(k), values);
    }

    /** Writes one value per possible CPU ({@code BPF_ANY}). */
    public void put(K k, List<? extends V> perCpu) {
        put(k, perCpu, UpdateFlags.ANY);
    }

    /**
     * Writes one value per possible CPU as {@code flags} allow.
     *
     * @throws IllegalArgumentException when the list does not have {@link #possibleCpus()} values
     */
    public void put(K k, List<? extends V> perCpu, long flags) {
        if (perCpu.size() != cpus) {
            throw new IllegalArgumentException("need " + cpus + " values (one per possible CPU), got "
                    + perCpu.size());
        }
        encodeKey(k);
        for (int cpu = 0; cpu < cpus; cpu++) {
            encodeSlot(perCpu.get(cpu), cpu);
        }
        map.update(key, values, flags);
    }

    /** Writes the same value on every possible CPU ({@code BPF_ANY}). */
    public void putOnEveryCpu(K k, V v) {
        encodeKey(k);
        for (int cpu = 0; cpu < cpus; cpu++) {
            encodeSlot(v, cpu);
        }
        map.update(key, values, UpdateFlags.ANY);
    }

    /** The elements as a lazy stream of entries (values per CPU) in key order; vanished keys are left out. */
    public Stream<Map.Entry<K, List<V>>> entries() {
        return keyStream().map(k -> get(k).map(v -> Map.entry(k, v)).orElse(null))
                .filter(java.util.Objects::nonNull);
    }

    /** A copy of the elements in key order, each value combined over CPUs with {@code combine}. */
    public Map<K, V> reduceAll(BinaryOperator<V> combine) {
        Map<K, V> out = new LinkedHashMap<>();
        for (K k : keys()) {
            reduce(k, combine).ifPresent(v -> out.put(k, v));
        }
        return out;
    }

    private void encodeSlot(V v, int cpu) {
        int at = cpu * slot;
        valueCodec.encode(v, values, at);
        for (int i = at + valueCodec.size(); i < at + slot; i++) {
            values.put(i, (byte) 0);
        }
    }

    private List<V> decodeAll() {
        List<V> out = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.add(valueCodec.decode(values, cpu * slot));
        }
        return Collections.unmodifiableList(out);
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IndexOutOfBoundsException("CPU " + cpu + " of " + cpus + " possible CPUs");
        }
    }
}
