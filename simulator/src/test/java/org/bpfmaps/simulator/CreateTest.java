package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SEMANTICS §1: BPF_MAP_CREATE errnos and their order. */
class CreateTest {
    private static final java.util.Set<MapType> EMULATED = java.util.EnumSet.of(MapType.LRU_HASH, MapType.LRU_PERCPU_HASH,
            MapType.RINGBUF, MapType.USER_RINGBUF,
            MapType.HASH, MapType.ARRAY,
            MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LPM_TRIE, MapType.QUEUE, MapType.STACK,
            MapType.BLOOM_FILTER, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.STACK_TRACE,
            MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE, MapType.PROG_ARRAY,
            MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.SOCKMAP, MapType.SOCKHASH, MapType.XSKMAP, MapType.REUSEPORT_SOCKARRAY,
            MapType.ARENA);


    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private static MapSpec.Builder hash(MapType type) {
        return MapSpec.builder(type).keySize(4).valueSize(8).maxEntries(4);
    }

    private void ok(MapSpec.Builder b) {
        kernel.create(b.build()).close();
    }

    private BpfException refused(Errno errno, MapSpec.Builder b) {
        BpfException e = assertErrno(errno, () -> kernel.create(b.build()));
        assertEquals(BpfCommand.BPF_MAP_CREATE, e.command());
        return e;
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void hashSizes(MapType type) {
        refused(Errno.EINVAL, hash(type).keySize(0));
        refused(Errno.EINVAL, hash(type).valueSize(0));
        refused(Errno.EINVAL, hash(type).maxEntries(0));
        ok(hash(type).keySize(1 << 20).maxEntries(1));
        ok(hash(type).keySize(1));
        refused(Errno.E2BIG, hash(type).keySize(4 << 20));
        refused(Errno.E2BIG, hash(type).maxEntries(Integer.MIN_VALUE));
        refused(Errno.E2BIG, hash(type).maxEntries(-1));
        // htab_map_alloc: roundup_pow_of_two(max_entries) buckets of 16 bytes must fit a u32 byte size, so anything
        // above 2^27 entries is E2BIG (checked on 6.18 with NO_PREALLOC: 2^27 + 1 and 2^28 both E2BIG)
        refused(Errno.E2BIG, hash(type).maxEntries((1 << 27) + 1).flags(MapFlag.NO_PREALLOC));
        refused(Errno.E2BIG, hash(type).maxEntries(1 << 28).flags(MapFlag.NO_PREALLOC));
        ok(hash(type).maxEntries(1 << 26));
        refused(Errno.EINVAL, hash(type).keySize(4 << 20).flags(MapFlag.MMAPABLE)); // flags before sizes
    }

    @Test
    void valueSizeLimits() {
        refused(Errno.E2BIG, hash(MapType.HASH).valueSize(4 << 20));
        ok(hash(MapType.HASH).valueSize(1 << 20));
        ok(hash(MapType.PERCPU_HASH).valueSize(32768));
        refused(Errno.E2BIG, hash(MapType.PERCPU_HASH).valueSize(32769));
        ok(hash(MapType.PERCPU_ARRAY).valueSize(32768));
        refused(Errno.E2BIG, hash(MapType.PERCPU_ARRAY).valueSize(32769));
        refused(Errno.E2BIG, hash(MapType.ARRAY).valueSize(Integer.MIN_VALUE).maxEntries(1));
        refused(Errno.ENOMEM, hash(MapType.ARRAY).valueSize(8).maxEntries(-1));
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void hashFlags(MapType type) {
        ok(hash(type).flags(MapFlag.NO_PREALLOC));
        ok(hash(type).flags(MapFlag.ZERO_SEED, MapFlag.RDONLY_PROG, MapFlag.RDONLY));
        ok(hash(type).flags(MapFlag.WRONLY, MapFlag.WRONLY_PROG));
        for (MapFlag f : new MapFlag[] {MapFlag.NO_COMMON_LRU, MapFlag.STACK_BUILD_ID, MapFlag.CLONE,
                MapFlag.MMAPABLE, MapFlag.PRESERVE_ELEMS, MapFlag.INNER_MAP, MapFlag.TOKEN_FD,
                MapFlag.SEGV_ON_FAULT, MapFlag.NO_USER_CONV}) {
            refused(Errno.EINVAL, hash(type).flags(f));
        }
        for (int bit = 13; bit < 32; bit++) {
            refused(Errno.EINVAL, hash(type).flags(1 << bit));
        }
        refused(Errno.EINVAL, hash(type).flags(MapFlag.RDONLY, MapFlag.WRONLY));
        refused(Errno.EINVAL, hash(type).flags(MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG));
        refused(Errno.EINVAL, hash(type).mapExtra(1));
        refused(Errno.EINVAL, hash(type).flags(MapFlag.NUMA_NODE).numaNode(5));
        ok(hash(type).numaNode(5)); // ignored without the flag
    }

    @Test
    void numaNodeZeroOnlyForNonPercpuTypes() {
        ok(hash(MapType.HASH).flags(MapFlag.NUMA_NODE).numaNode(0));
        ok(hash(MapType.ARRAY).flags(MapFlag.NUMA_NODE).numaNode(0));
        refused(Errno.EINVAL, hash(MapType.PERCPU_HASH).flags(MapFlag.NUMA_NODE).numaNode(0));
        refused(Errno.EINVAL, hash(MapType.PERCPU_ARRAY).flags(MapFlag.NUMA_NODE).numaNode(0));
    }

    @ParameterizedTest
    @EnumSource(names = {"ARRAY", "PERCPU_ARRAY"})
    void arrayRules(MapType type) {
        ok(hash(type));
        refused(Errno.EINVAL, hash(type).keySize(0));
        refused(Errno.EINVAL, hash(type).keySize(8));
        refused(Errno.EINVAL, hash(type).valueSize(0));
        refused(Errno.EINVAL, hash(type).maxEntries(0));
        for (MapFlag f : new MapFlag[] {MapFlag.ZERO_SEED, MapFlag.NO_PREALLOC, MapFlag.PRESERVE_ELEMS,
                MapFlag.NO_COMMON_LRU, MapFlag.STACK_BUILD_ID}) {
            refused(Errno.EINVAL, hash(type).flags(f));
        }
        refused(Errno.EINVAL, hash(type).keySize(8).valueSize(Integer.MIN_VALUE)); // EINVAL checks before E2BIG
        ok(hash(type).flags(MapFlag.RDONLY_PROG));
        if (type == MapType.ARRAY) {
            ok(hash(type).flags(MapFlag.MMAPABLE));
            ok(hash(type).flags(MapFlag.INNER_MAP));
        } else {
            refused(Errno.EINVAL, hash(type).flags(MapFlag.MMAPABLE));
            refused(Errno.EINVAL, hash(type).flags(MapFlag.INNER_MAP));
        }
    }

    @Test
    void names() {
        ok(hash(MapType.HASH).name("abcdefghij_.012"));
        ok(hash(MapType.HASH).name(""));
        for (String bad : new String[] {"a-b", "a b", "a$", "é", "abcdefghij_.0123"}) {
            refused(Errno.EINVAL, hash(MapType.HASH).name(bad));
        }
        refused(Errno.E2BIG, hash(MapType.HASH).name("a-b").keySize(4 << 20)); // the name is checked last
        // ... its length too: Linux 6.18 answers LRU + NO_PREALLOC (ENOTSUPP) before a 16-byte name
        refused(Errno.ENOTSUPP, hash(MapType.LRU_HASH).flags(MapFlag.NO_PREALLOC).name("a-b"));
        refused(Errno.ENOTSUPP, hash(MapType.LRU_HASH).flags(MapFlag.NO_PREALLOC).name("\u00e9".repeat(8)));
        refused(Errno.EINVAL, hash(MapType.LRU_HASH).name("\u00e9".repeat(8)));
        refused(Errno.E2BIG, hash(MapType.HASH).name("abcdefghij_.0123").keySize(4 << 20));
    }

    @Test
    void aNameIsReadUpToItsFirstNul() {
        // bpf_obj_name_cpy stops at the first NUL of the 16-byte field; what follows is ignored (Linux 6.18)
        for (String name : new String[] {"nul\0x", "nul\0\u00e9", "nul\0-"}) {
            try (var m = kernel.create(hash(MapType.HASH).name(name).build())) {
                assertEquals("nul", m.info().name(), name);
                assertEquals("nul", m.name());
            }
        }
        try (var m = kernel.create(hash(MapType.HASH).name("\0").build())) {
            assertEquals("", m.info().name());
        }
        refused(Errno.EINVAL, hash(MapType.HASH).name("a-b\0x"));
        try (var m = kernel.create(hash(MapType.HASH).name("abcdefghij_.012\0x").build())) {
            assertEquals("abcdefghij_.012", m.info().name(), "17 bytes, but the field's 16th is the NUL");
        }
    }

    @Test
    void typesNotEmulatedAreRefused() {
        // Listed by hand, so that emulating a new type is a deliberate change of this test.
        for (MapType t : MapType.values()) {
            boolean emulated = EMULATED.contains(t);
            assertEquals(emulated, kernel.isSupported(t), t.name());
            if (!emulated) {
                BpfException e = refused(Errno.EINVAL, MapSpec.builder(t).keySize(4).valueSize(4).maxEntries(4));
                if (t != MapType.UNSPEC) {
                    assertTrue(e.getMessage().contains("does not emulate"), e.getMessage());
                }
            }
        }
        assertFalse(kernel.isSupported(MapType.UNSPEC));
    }

    @Test
    void infoReportsTheSpec() {
        var m = kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).name("demo_h")
                .flags(MapFlag.NO_PREALLOC, MapFlag.ZERO_SEED).build());
        var info = m.info();
        assertEquals(MapType.HASH, info.type());
        assertEquals(m.id(), info.id());
        assertEquals(4, info.keySize());
        assertEquals(8, info.valueSize());
        assertEquals(4, info.maxEntries());
        assertEquals(MapFlag.mask(MapFlag.NO_PREALLOC, MapFlag.ZERO_SEED), info.flags());
        assertEquals("demo_h", info.name());
        assertFalse(info.frozen());
        assertEquals("map " + m.id() + " 'demo_h' (hash)", m.toString());
    }
}
