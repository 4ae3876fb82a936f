package org.bpfmaps.conformance.reliability;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.reliability.FuzzCase.Buf;
import org.bpfmaps.conformance.reliability.FuzzCase.Form;
import org.bpfmaps.conformance.reliability.FuzzCase.Kind;
import org.bpfmaps.conformance.reliability.FuzzCase.Length;
import org.bpfmaps.conformance.reliability.FuzzCase.Op;
import org.bpfmaps.conformance.reliability.FuzzCase.Spec;

/**
 * jqwik generators for bad-input cases: wild specs (any size, flag bits, names, map_extra) and specs a kernel
 * accepts (so that operations reach the map), each followed by operations with wrong buffers and flags.
 */
public final class FuzzGenerators {
    private FuzzGenerators() {
    }

    /**
     * Cases over {@code types}: 30% wild specs, 60% accepted specs with a few random access flags, 10% ring buffer
     * specs of every size class (when both ring types are in {@code types}). Ring buffers get mostly ring calls
     * (reader, writer, program helpers) and some element commands; other maps get a few ring calls, which must be
     * refused the same way by both backends.
     */
    public static Arbitrary<FuzzCase> cases(List<MapType> types, int minOps, int maxOps) {
        boolean rings = types.contains(MapType.RINGBUF) && types.contains(MapType.USER_RINGBUF);
        Arbitrary<Spec> spec = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, wildSpecs(types)),
                net.jqwik.api.Tuple.of(60, acceptedSpecs(types)),
                net.jqwik.api.Tuple.of(rings ? 10 : 0, ringSpecs()));
        // built once: making the operation arbitraries anew for every case would cost more than running it
        Arbitrary<List<Op>> ringLists = ringOps().list().ofMinSize(minOps).ofMaxSize(maxOps);
        Arbitrary<List<Op>> otherLists = ops().list().ofMinSize(minOps).ofMaxSize(maxOps);
        return spec.flatMap(s -> (s.type().isRingBuffer() ? ringLists : otherLists).map(l -> new FuzzCase(s, l)));
    }

    /**
     * RINGBUF and USER_RINGBUF specs: valid sizes (powers of two, multiples of the page) and invalid ones (0, not a
     * power of two, not a page multiple), key and value sizes 0 or not, flags the rings refuse (access flags,
     * MMAPABLE, BPF_F_RB_OVERWRITE which 6.18 lacks) and accept (NUMA node 0), map_extra.
     */
    public static Arbitrary<Spec> ringSpecs() {
        Arbitrary<MapType> type = Arbitraries.of(MapType.RINGBUF, MapType.USER_RINGBUF);
        Arbitrary<Integer> zeroMostly = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(4, 8, -1)));
        Arbitrary<Integer> maxEntries = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.of(4096, 8192, 16384)),
                net.jqwik.api.Tuple.of(5, Arbitraries.of(1 << 16, 1 << 20)),
                net.jqwik.api.Tuple.of(12, Arbitraries.of(0, 1, 8, 2048, 4095, 4097, 6144, 12288, 3 << 12, 20480,
                        (1 << 16) + 4096, -1, -4096, Integer.MAX_VALUE)));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(8, Arbitraries.of(MapFlag.NUMA_NODE.bit(), MapFlag.RDONLY.bit(),
                        MapFlag.WRONLY.bit(), MapFlag.RDONLY_PROG.bit(), MapFlag.WRONLY_PROG.bit(),
                        MapFlag.MMAPABLE.bit(), MapFlag.NO_PREALLOC.bit(), MapFlag.ZERO_SEED.bit(), 1 << 19)));
        Arbitrary<Long> extra = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(1L, 4096L)));
        return Combinators.combine(type, zeroMostly, zeroMostly, maxEntries, flags, Arbitraries.of("rb", "ring_1"),
                extra).as(Spec::new);
    }

    /** Operations on a ring buffer: 75% ring calls (see {@link RingCalls}), 25% the usual element commands. */
    public static Arbitrary<Op> ringOps() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(25, Arbitraries.of(Kind.RING_OUTPUT, Kind.RING_RESERVE_SUBMIT,
                        Kind.RING_RESERVE_DISCARD, Kind.RING_WRITE, Kind.RING_RESERVE, Kind.RING_SUBMIT,
                        Kind.RING_DISCARD)),
                net.jqwik.api.Tuple.of(20, Arbitraries.of(Kind.RING_CONSUME, Kind.RING_DRAIN, Kind.RING_QUERY,
                        Kind.RING_FREE, Kind.RING_AVAILABLE, Kind.RING_POLL)),
                net.jqwik.api.Tuple.of(5, Arbitraries.of(Kind.RING_READER_OPEN, Kind.RING_WRITER_OPEN,
                        Kind.RING_WAKEUP)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(Kind.RING_READER_CLOSE, Kind.RING_WRITER_CLOSE)),
                net.jqwik.api.Tuple.of(17, Arbitraries.just(Kind.UPDATE)));
        return Combinators.combine(kind, ops(), ringFlags()).as((k, base, f) -> k == Kind.UPDATE ? base
                : new Op(k, base.key(), base.value(), f, base.count(), base.keyIndex(), base.cpu(), base.cursor()));
    }

    /** Helper flags: mostly 0, the wake-up bits and query selectors, some unknown bits. */
    private static Arbitrary<Long> ringFlags() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(50, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(30, Arbitraries.of(1L, 2L, 3L)),
                net.jqwik.api.Tuple.of(5, Arbitraries.of(4L, 5L, 8L, 0x100L, -1L, 1L << 32)));
    }

    /** Specs of any shape: sizes 0, odd, huge; any flag bits; odd names; any map_extra. */
    public static Arbitrary<Spec> wildSpecs(List<MapType> types) {
        Arbitrary<MapType> type = Arbitraries.of(types);
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.of(0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 260, 261)),
                net.jqwik.api.Tuple.of(20, Arbitraries.integers().between(0, 300)),
                net.jqwik.api.Tuple.of(5, Arbitraries.of(4096, 32768, 32769, 65536, 1 << 20, 4 << 20,
                        Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -8)));
        Arbitrary<Integer> maxEntries = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.of(0, 1, 2, 3, 4, 5, 8, 16, 64, 4096, 8192)),
                net.jqwik.api.Tuple.of(10, Arbitraries.integers().between(0, 1000)),
                net.jqwik.api.Tuple.of(4, Arbitraries.of(1 << 16, 1 << 20, 1 << 26, Integer.MAX_VALUE,
                        Integer.MIN_VALUE, -1)));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.of(0, MapFlag.NO_PREALLOC.bit(), MapFlag.ZERO_SEED.bit(),
                        MapFlag.RDONLY.bit(), MapFlag.WRONLY.bit(), MapFlag.RDONLY_PROG.bit(),
                        MapFlag.WRONLY_PROG.bit(), MapFlag.MMAPABLE.bit(), MapFlag.NO_COMMON_LRU.bit())),
                net.jqwik.api.Tuple.of(20, Arbitraries.integers().between(0, (1 << 20) - 1)),
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(0, 1 << 12)
                        .map(f -> f | MapFlag.NUMA_NODE.bit())),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers()));
        Arbitrary<Long> extra = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(10, Arbitraries.of(1L, 3L, 5L, 15L, 16L, 0xf0L, 1L << 32, 4096L, -1L)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs()));
        return Combinators.combine(type, size, size, maxEntries, flags, names(), extra).as(Spec::new);
    }

    /** Names of valid characters, odd characters, UTF-8, and lengths around the 15-byte limit. */
    public static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.strings().withChars("abcXYZ019_.").ofMinLength(0)
                        .ofMaxLength(17)),
                net.jqwik.api.Tuple.of(10, Arbitraries.of("", "a-b", "a b", "$x", "tab\t", "nul\0x", "é", "字符",
                        "🙂", "exactly15chars_", "sixteen_chars_16", "éééééééé", "a/b", "ÿ")),
                net.jqwik.api.Tuple.of(5, Arbitraries.strings().all().ofMaxLength(20)));
    }

    /** Specs a 6.18 kernel accepts, with random access flags on top, so operations reach the map. */
    public static Arbitrary<Spec> acceptedSpecs(List<MapType> types) {
        int zs = MapFlag.ZERO_SEED.bit();
        int np = MapFlag.NO_PREALLOC.bit();
        List<Spec> all = List.of(
                new Spec(MapType.HASH, 4, 8, 16, zs, "h", 0),
                new Spec(MapType.HASH, 3, 5, 4, zs | np, "h_odd", 0),
                new Spec(MapType.HASH, 8, 1, 2, 0, "h_seeded", 0),
                new Spec(MapType.PERCPU_HASH, 4, 12, 8, zs, "pch", 0),
                new Spec(MapType.LRU_HASH, 4, 8, 8, zs, "lru", 0),
                new Spec(MapType.LRU_PERCPU_HASH, 8, 4, 16, zs | MapFlag.NO_COMMON_LRU.bit(), "lrupc", 0),
                new Spec(MapType.ARRAY, 4, 8, 4, 0, "a", 0),
                new Spec(MapType.ARRAY, 4, 1, 8, MapFlag.MMAPABLE.bit(), "a_mm", 0),
                new Spec(MapType.PERCPU_ARRAY, 4, 12, 4, 0, "pca", 0),
                new Spec(MapType.LPM_TRIE, 8, 4, 8, np, "lpm", 0),
                new Spec(MapType.QUEUE, 0, 8, 4, 0, "q", 0),
                new Spec(MapType.STACK, 0, 4, 3, 0, "s", 0),
                new Spec(MapType.BLOOM_FILTER, 0, 8, 16, zs, "bloom", 3),
                new Spec(MapType.DEVMAP, 4, 8, 4, 0, "dev", 0),
                new Spec(MapType.DEVMAP_HASH, 4, 4, 4, 0, "devh", 0),
                new Spec(MapType.CPUMAP, 4, 8, 4, 0, "cpu", 0),
                new Spec(MapType.STACK_TRACE, 4, 16, 4, 0, "st", 0),
                new Spec(MapType.CGROUP_STORAGE, 16, 8, 0, 0, "cgs", 0),
                new Spec(MapType.PERCPU_CGROUP_STORAGE, 8, 12, 0, 0, "pcgs", 0),
                new Spec(MapType.PROG_ARRAY, 4, 4, 4, 0, "pa", 0),
                new Spec(MapType.PERF_EVENT_ARRAY, 4, 4, 2, 0, "pe", 0),
                new Spec(MapType.CGROUP_ARRAY, 4, 4, 2, 0, "cga", 0),
                new Spec(MapType.SOCKMAP, 4, 8, 4, 0, "sm", 0),
                new Spec(MapType.SOCKHASH, 8, 4, 4, 0, "sh", 0),
                new Spec(MapType.XSKMAP, 4, 4, 4, 0, "xsk", 0),
                new Spec(MapType.REUSEPORT_SOCKARRAY, 4, 8, 4, 0, "rp", 0),
                new Spec(MapType.ARENA, 0, 0, 4, MapFlag.MMAPABLE.bit(), "arena", 0));
        List<Spec> usable = all.stream().filter(s -> types.contains(s.type())).toList();
        Arbitrary<Integer> access = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(70, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(30, Arbitraries.of(MapFlag.RDONLY.bit(), MapFlag.WRONLY.bit(),
                        MapFlag.RDONLY_PROG.bit(), MapFlag.WRONLY_PROG.bit(),
                        MapFlag.RDONLY.bit() | MapFlag.WRONLY_PROG.bit())));
        return Combinators.combine(Arbitraries.of(usable), access).as((s, a) ->
                new Spec(s.type(), s.keySize(), s.valueSize(), s.maxEntries(), s.flags() | a, s.name(),
                        s.mapExtra()));
    }

    /** Operations: mostly element commands with wrong buffers and odd flags, some batches and program calls. */
    public static Arbitrary<Op> ops() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(60, Arbitraries.of(Kind.LOOKUP_COPY, Kind.LOOKUP_INTO, Kind.LOOKUP_FLAGS,
                        Kind.LOOKUP_BUFFER, Kind.UPDATE, Kind.UPDATE_BUFFER, Kind.DELETE, Kind.DELETE_BUFFER,
                        Kind.NEXT_KEY, Kind.NEXT_KEY_BUFFER, Kind.LOOKUP_AND_DELETE, Kind.LOOKUP_AND_DELETE_BUFFER)),
                net.jqwik.api.Tuple.of(12, Arbitraries.of(Kind.LOOKUP_BATCH, Kind.LOOKUP_AND_DELETE_BATCH,
                        Kind.UPDATE_BATCH, Kind.DELETE_BATCH)),
                net.jqwik.api.Tuple.of(6, Arbitraries.of(Kind.PROGRAM_LOOKUP, Kind.PROGRAM_UPDATE,
                        Kind.PROGRAM_DELETE, Kind.PROGRAM_PUSH, Kind.PROGRAM_POP, Kind.PROGRAM_PEEK)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.INFO)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Kind.FREEZE, Kind.CLOSE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Kind.RING_READER_OPEN, Kind.RING_WRITER_OPEN,
                        Kind.RING_OUTPUT, Kind.RING_QUERY, Kind.RING_DRAIN)));
        Arbitrary<Long> flags = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(50, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(30, Arbitraries.of(1L, 2L, 3L, 4L, 8L, 16L, 0x20L)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(-1L, Long.MIN_VALUE, 1L << 32, 0x8L | (1L << 32))),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs()));
        Arbitrary<Integer> count = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.integers().between(0, 10)),
                net.jqwik.api.Tuple.of(10, Arbitraries.of(-1, -100, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 20,
                        1 << 28)));
        Arbitrary<Integer> cpu = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.of(0, 1)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(-1, 2, 3, 64, Integer.MAX_VALUE)));
        return Combinators.combine(kind, bufs(), bufs(), flags, count, Arbitraries.integers().between(0, 7), cpu,
                bufs()).as(Op::new);
    }

    /** Buffers: mostly the right length, else null, empty, a few bytes short or long, in every form. */
    public static Arbitrary<Buf> bufs() {
        Arbitrary<Length> length = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(60, Arbitraries.just(Length.EXACT)),
                net.jqwik.api.Tuple.of(10, Arbitraries.of(Length.NULL, Length.EMPTY)),
                net.jqwik.api.Tuple.of(15, Arbitraries.of(Length.SHORT, Length.LONG)));
        Arbitrary<Integer> delta = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Arbitraries.integers().between(1, 9)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(64, 4095, 4096, 65536)));
        return Combinators.combine(length, delta, Arbitraries.of(Form.class), Arbitraries.integers().between(0, 7))
                .as(Buf::new);
    }
}
