package org.bpfmaps.typed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapType;
import org.bpfmaps.NotSupportedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;
import org.bpfmaps.codec.Codecs;
import org.bpfmaps.junit.Backend;
import org.bpfmaps.junit.BpfMapDef;
import org.bpfmaps.junit.BpfMapsTest;
import org.junit.jupiter.api.Assumptions;

/** Every typed view on both backends, through the extension. */
class TypedViewsTest {

    record Key(int id, short zone) {
    }

    record Counter(long packets, long bytes) {
    }

    record Event(int pid, @org.bpfmaps.codec.Array(8) byte[] comm, long timestamp) {
    }

    private static final Codec<Key> KEY = Codecs.struct(Key.class);
    private static final Codec<Counter> COUNTER = Codecs.struct(Counter.class);

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void typedMapBasics(@BpfMapDef(type = MapType.HASH, maxEntries = 8) TypedMap<Key, Counter> map) {
        Key a = new Key(1, (short) 10);
        assertEquals(Optional.empty(), map.get(a));
        assertFalse(map.containsKey(a));
        map.put(a, new Counter(1, 100));
        assertEquals(Optional.of(new Counter(1, 100)), map.get(a));
        assertFalse(map.putIfAbsent(a, new Counter(9, 9)), "existing key");
        assertTrue(map.putIfAbsent(new Key(2, (short) 0), new Counter(2, 200)));
        assertTrue(map.replace(a, new Counter(3, 300)));
        assertFalse(map.replace(new Key(3, (short) 0), new Counter(0, 0)), "missing key");
        assertEquals(new Counter(3, 300), map.getOrDefault(a, null));
        assertEquals(new Counter(0, 0), map.getOrDefault(new Key(7, (short) 7), new Counter(0, 0)));
        assertEquals(Set.of(a, new Key(2, (short) 0)), map.keyStream().collect(Collectors.toSet()));
        assertEquals(Map.of(a, new Counter(3, 300), new Key(2, (short) 0), new Counter(2, 200)), map.toMap());
        assertEquals(map.toMap(), map.getAll(), "batch read = walk");
        assertEquals(Optional.of(new Counter(2, 200)), map.getAndRemove(new Key(2, (short) 0)));
        assertTrue(map.remove(a));
        assertFalse(map.remove(a));
        assertEquals(0, map.keyStream().count());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void paddingBytesReachTheMapAsZeros(@BpfMapDef(type = MapType.HASH, maxEntries = 4) TypedMap<Key, Counter> map) {
        map.put(new Key(5, (short) 6), new Counter(1, 2));
        byte[] raw = new byte[8];
        assertTrue(map.map().nextKey(null, raw));
        assertEquals(0, raw[6]);
        assertEquals(0, raw[7]);
        // a raw key with dirty padding is another key: that is why the codec zeroes it
        byte[] dirty = raw.clone();
        dirty[7] = 1;
        assertFalse(map.map().lookup(dirty).isPresent());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void batchWriteReadAndDelete(@BpfMapDef(type = MapType.HASH, maxEntries = 200) TypedMap<Integer, Long> map) {
        Map<Integer, Long> in = new LinkedHashMap<>();
        for (int i = 0; i < 150; i++) {
            in.put(i * 7, (long) i * i);
        }
        assertEquals(150, map.putAll(in));
        assertEquals(in, map.getAll(), "several batches of 64 and a growth on ENOSPC if a bucket does not fit");
        assertEquals(3, map.removeAll(List.of(0, 7, 14)));
        assertEquals(147, map.getAll().size());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void batchReadGrowsWhenABucketDoesNotFit(
            @BpfMapDef(type = MapType.HASH, keySize = 4, valueSize = 8, maxEntries = 16, flags = MapFlag.ZERO_SEED)
            BpfMap raw) {
        List<Throwable> refused = new ArrayList<>();
        BpfMap counting = (BpfMap) java.lang.reflect.Proxy.newProxyInstance(BpfMap.class.getClassLoader(),
                new Class<?>[] {BpfMap.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(raw, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        refused.add(e.getCause());
                        throw e.getCause();
                    }
                });
        TypedMap<Integer, Long> map = TypedMap.of(counting, Codecs.s32(), Codecs.s64());
        Map<Integer, Long> in = new LinkedHashMap<>();
        for (int i = 0; i < 14; i++) {
            in.put(i * 1000, (long) i);
        }
        map.putAll(in);
        assertEquals(in, map.getAll(1), "batches of one element, grown where two keys share a bucket");
        assertTrue(!refused.isEmpty() && refused.stream().allMatch(t -> t instanceof BpfException
                        && ((BpfException) t).errno() == Errno.ENOSPC.number()),
                "14 keys in 16 buckets share some bucket, so a batch of 1 is refused with ENOSPC: " + refused);
        assertEquals(in, map.getAll(100));
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void arrayBatchAndIteration(@BpfMapDef(type = MapType.ARRAY, maxEntries = 5) TypedMap<Integer, Long> array) {
        array.put(3, 33L);
        assertEquals(List.of(0, 1, 2, 3, 4), array.keyStream().collect(Collectors.toList()));
        assertEquals(Map.of(0, 0L, 1, 0L, 2, 0L, 3, 33L, 4, 0L), array.getAll());
        assertFalse(array.putIfAbsent(1, 5L), "array elements always exist");
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void sizeMismatchNamesRecordAndSizes(@BpfMapDef(type = MapType.HASH, keySize = 12, valueSize = 16) BpfMap raw) {
        CodecException e = assertThrows(CodecException.class, () -> TypedMap.of(raw, KEY, COUNTER));
        assertTrue(e.getMessage().startsWith("struct Key is 8 bytes but map "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(hash) has key_size 12"), e.getMessage());
        e = assertThrows(CodecException.class, () -> TypedMap.of(raw, Codecs.bytes(12), KEY));
        assertTrue(e.getMessage().contains("has value_size 16"), e.getMessage());
        e = assertThrows(CodecException.class, () -> PerCpuMap.of(raw, Codecs.bytes(12), COUNTER));
        assertTrue(e.getMessage().contains("use TypedMap"), e.getMessage());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void perCpuValuesFromEveryCpu(MapBackend backend,
                                  @BpfMapDef(type = MapType.PERCPU_HASH, maxEntries = 4) PerCpuMap<Integer, Counter> map) {
        int cpus = backend.possibleCpus();
        assertEquals(cpus, map.possibleCpus());
        byte[] key = Codecs.s32().encode(42);
        for (int cpu = 0; cpu < cpus; cpu++) {
            try (ProgramView program = map.map().programView(cpu)) {
                program.update(key, COUNTER.encode(new Counter(cpu + 1, 10L * (cpu + 1))), UpdateFlags.ANY);
            }
        }
        List<Counter> perCpu = map.get(42).orElseThrow();
        assertEquals(cpus, perCpu.size());
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertEquals(new Counter(cpu + 1, 10L * (cpu + 1)), perCpu.get(cpu));
            assertEquals(Optional.of(perCpu.get(cpu)), map.get(42, cpu));
        }
        long n = cpus;
        assertEquals(Optional.of(new Counter(n * (n + 1) / 2, 10 * n * (n + 1) / 2)),
                map.reduce(42, (x, y) -> new Counter(x.packets() + y.packets(), x.bytes() + y.bytes())));
        List<Counter> written = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            written.add(new Counter(-cpu, cpu));
        }
        map.put(7, written);
        assertEquals(written, map.get(7).orElseThrow());
        map.putOnEveryCpu(8, new Counter(5, 5));
        assertEquals(Optional.of(new Counter(5, 5)), map.get(8, cpus - 1));
        assertThrows(IllegalArgumentException.class, () -> map.put(9, List.of()));
        assertEquals(Set.of(7, 8, 42), map.keyStream().collect(Collectors.toSet()));
        assertEquals(3, map.entries().count());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void lpmTrieWithIpv4Prefixes(@BpfMapDef(type = MapType.LPM_TRIE, maxEntries = 16,
            flags = MapFlag.NO_PREALLOC) LpmTrie<Integer> routes) {
        routes.put(LpmKey.ipv4("10.0.0.0/8"), 8);
        routes.put(LpmKey.ipv4("10.1.0.0/16"), 16);
        routes.put(LpmKey.ipv4("0.0.0.0/0"), 0);
        assertEquals(Optional.of(16), routes.longestPrefixMatch("10.1.2.3"));
        assertEquals(Optional.of(8), routes.longestPrefixMatch("10.2.2.3"));
        assertEquals(Optional.of(0), routes.longestPrefixMatch("192.168.1.1"));
        assertEquals(List.of("10.1.0.0/16", "10.0.0.0/8", "0.0.0.0/0"),
                routes.keyStream().map(LpmKey::toString).collect(Collectors.toList()), "the kernel's post-order");
        assertTrue(routes.remove(LpmKey.ipv4("10.1.0.0/16")));
        assertEquals(Optional.of(8), routes.longestPrefixMatch(new byte[] {10, 1, 2, 3}));
        assertEquals(4, routes.dataSize());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void queueStackAndBloom(@BpfMapDef(type = MapType.QUEUE, maxEntries = 3) BpfQueue<Long> queue,
                            @BpfMapDef(type = MapType.STACK, maxEntries = 3) BpfStack<Long> stack,
                            @BpfMapDef(type = MapType.BLOOM_FILTER, maxEntries = 100, mapExtra = 3)
                            BloomFilter<Integer> bloom) {
        for (long v = 1; v <= 3; v++) {
            queue.push(v);
            stack.push(v);
        }
        assertFalse(queue.offer(4L), "full");
        assertThrows(MapFullException.class, () -> stack.push(4L));
        queue.pushOverwritingOldest(4L);
        stack.pushOverwritingOldest(4L);
        assertEquals(Optional.of(2L), queue.peek());
        assertEquals(Optional.of(4L), stack.peek());
        assertEquals(List.of(2L, 3L, 4L), queue.drain());
        assertEquals(List.of(4L, 3L, 2L), stack.drain());
        assertEquals(Optional.empty(), queue.pop());

        for (int i = 0; i < 50; i++) {
            bloom.add(i * 3);
        }
        for (int i = 0; i < 50; i++) {
            assertTrue(bloom.mightContain(i * 3), "no false negatives");
        }
        CodecException e = assertThrows(CodecException.class, () -> BpfStack.of(queue.map(), Codecs.s64()));
        assertTrue(e.getMessage().contains("BpfStack does not fit"), e.getMessage());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void ringBufferRecordsDecoded(MapBackend backend,
                                  @BpfMapDef(type = MapType.RINGBUF, keySize = 0, valueSize = 0, maxEntries = 4096)
                                  BpfMap ring) {
        Codec<Event> codec = Codecs.struct(Event.class);
        TypedRingBufferReader<Event> reader;
        try {
            reader = TypedRingBufferReader.of(backend, codec, ring);
        } catch (NotSupportedException e) {
            Assumptions.abort(backend.name() + " has no ring buffer reader yet: " + e.getMessage());
            return;
        }
        try (reader) {
            try (ProgramView program = ring.programView(0)) {
                for (int i = 0; i < 3; i++) {
                    byte[] comm = new byte[8];
                    comm[0] = (byte) ('a' + i);
                    assertTrue(program.ringbufOutput(codec.encode(new Event(100 + i, comm, 1000L * i)), 0));
                }
                assertTrue(program.ringbufOutput(new byte[5], 0));
            }
            List<Event> got = new ArrayList<>();
            assertEquals(2, reader.consume(got::add, 2));
            assertEquals(1, reader.consume(got::add, 1));
            assertEquals(List.of(100, 101, 102), got.stream().map(Event::pid).collect(Collectors.toList()));
            assertEquals('c', (char) got.get(2).comm()[0]);
            assertEquals(2000L, got.get(2).timestamp());
            CodecException e = assertThrows(CodecException.class, () -> reader.poll(got::add, Duration.ofSeconds(1)));
            assertTrue(e.getMessage().startsWith("record of 5 bytes in map "), e.getMessage());
            assertTrue(reader.reader().available(ring) > 0, "the odd record stays unconsumed");
        }
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void userRingBufferRecordsEncoded(MapBackend backend,
                                      @BpfMapDef(type = MapType.USER_RINGBUF, keySize = 0, valueSize = 0,
                                              maxEntries = 4096) BpfMap ring) {
        TypedUserRingBufferWriter<Counter> writer;
        try {
            writer = TypedUserRingBufferWriter.of(backend, ring, COUNTER);
        } catch (NotSupportedException e) {
            Assumptions.abort(backend.name() + " has no user ring buffer writer yet: " + e.getMessage());
            return;
        }
        try (writer) {
            long free = writer.free();
            writer.write(new Counter(1, 2));
            assertTrue(writer.offer(new Counter(3, 4)));
            assertEquals(free - 2 * (8 + 16), writer.free());
            assertThrows(CodecException.class, () -> writer.write(null));
            List<Counter> drained = new ArrayList<>();
            try (ProgramView program = ring.programView(0)) {
                assertEquals(2, program.userRingbufDrain(b -> drained.add(COUNTER.decode(b)), 0));
            } catch (NotSupportedException e) {
                Assumptions.abort(backend.name() + "'s program view cannot drain yet (" + e.getMessage()
                        + "); the records were written: " + (free - writer.free()) + " bytes");
            }
            assertEquals(List.of(new Counter(1, 2), new Counter(3, 4)), drained);
        }
    }

    @BpfMapsTest
    void integerCodecOrdersOnTheSimulator(@BpfMapDef(type = MapType.HASH, keySize = 2, valueSize = 4) BpfMap raw) {
        TypedMap<Integer, Long> map = TypedMap.of(raw, Codecs.u16(ByteOrder.BIG_ENDIAN), Codecs.u32());
        map.put(0x1234, 0xFFFF_FFFFL);
        byte[] key = new byte[2];
        assertTrue(raw.nextKey(null, key));
        assertEquals(0x12, key[0]);
        assertEquals(Optional.of(0xFFFF_FFFFL), map.get(0x1234));
        assertEquals(new TreeSet<>(List.of(0x1234)), new TreeSet<>(map.keyStream().collect(Collectors.toList())));
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void mapOfMapsHoldsInnerMaps(MapBackend backend) {
        org.bpfmaps.MapSpec inner = org.bpfmaps.MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(8).maxEntries(2)
                .build();
        try (BpfMap template = backend.create(inner);
             BpfMap outer = backend.create(org.bpfmaps.MapSpec.builder(MapType.HASH_OF_MAPS).keySize(4).valueSize(4)
                     .maxEntries(4).innerMap(template).build());
             BpfMap other = backend.create(org.bpfmaps.MapSpec.builder(MapType.HASH).keySize(4).valueSize(8)
                     .maxEntries(2).build())) {
            MapOfMaps<Integer> tables = MapOfMaps.of(backend, outer, Codecs.s32());
            BpfMap member = backend.create(inner);
            int memberId = member.id();
            TypedMap.of(member, Codecs.s32(), Codecs.u64()).put(1, 42L);
            tables.set(7, member);
            member.close(); // the slot keeps it
            assertEquals(java.util.OptionalInt.of(memberId), tables.innerId(7));
            assertTrue(tables.containsKey(7));
            try (BpfMap reopened = tables.open(7).orElseThrow()) {
                assertEquals(memberId, reopened.id());
                assertEquals(Optional.of(42L), TypedMap.of(reopened, Codecs.s32(), Codecs.u64()).get(1));
            }
            assertEquals(java.util.OptionalInt.empty(), tables.innerId(8));
            assertEquals(Optional.empty(), tables.open(8));
            BpfException e = assertThrows(BpfException.class, () -> tables.set(8, other));
            assertEquals(Errno.EINVAL.number(), e.errno(), "a hash does not match an array template");
            assertThrows(org.bpfmaps.AlreadyExistsException.class, () -> tables.set(7, template, UpdateFlags.NOEXIST));
            assertEquals(List.of(7), tables.keyStream().collect(Collectors.toList()));
            assertTrue(tables.remove(7));
            assertFalse(tables.remove(7));
            assertThrows(CodecException.class, () -> MapOfMaps.of(backend, other, Codecs.s32()));
        }
    }
}
