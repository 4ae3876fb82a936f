package org.bpfmaps.conformance.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The smallest reproductions of the disagreements the bad-input fuzz found, one test each, every one run on the
 * simulator and the kernel and compared call by call (and, where the contract says, against the documented
 * outcome). They fail until the backend is fixed; the fuzz reports them again, among others, by signature.
 */
@DisplayName("Reliability: bad-input fuzz findings, minimal reproductions")
class FuzzFindingsTest {

    /** Runs {@code scenario} on the simulator and the kernel; returns {simulator lines, kernel lines}. */
    static List<List<String>> onBoth(Function<MapBackend, List<String>> scenario) {
        KernelRequirement.assumeKernel();
        List<List<String>> out = new ArrayList<>();
        try (MapBackend sim = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())))) {
            out.add(scenario.apply(sim));
        }
        try (MapBackend linux = BpfMaps.open("linux")) {
            out.add(linux.onCpu(0, () -> scenario.apply(linux)));
        }
        return out;
    }

    static void assertSame(List<List<String>> r) {
        assertEquals(String.join("\n", r.get(0)), String.join("\n", r.get(1)),
                "simulator (expected) vs kernel (actual), call by call");
    }

    /** A bloom filter's lookup value is an input (the value to test); the caller's zeros must be what is tested. */
    @Test
    void bloomLookupTestsTheCallersValue() {
        List<List<String>> r = onBoth(b -> {
            List<String> lines = new ArrayList<>();
            MapSpec spec = MapSpec.builder(MapType.BLOOM_FILTER).valueSize(8).maxEntries(16)
                    .flags(MapFlag.ZERO_SEED).mapExtra(3).build();
            try (BpfMap m = b.create(spec)) {
                m.update(null, Bytes.filled(8, 0x95), UpdateFlags.ANY);
                byte[] zeros = new byte[8];
                lines.add(line("lookup zeros", () -> m.lookup(null, zeros) + " buffer " + Bytes.hex(zeros)));
                byte[] pushed = Bytes.filled(8, 0x95);
                lines.add(line("lookup pushed", () -> m.lookup(null, pushed) + " buffer " + Bytes.hex(pushed)));
            }
            return lines;
        });
        assertEquals(List.of("lookup zeros -> ok false buffer 0000000000000000",
                "lookup pushed -> ok true buffer 9595959595959595"), r.get(0),
                "simulator");
        assertSame(r);
    }

    /** A program view of a closed map: closed first, as for the map's own calls, whatever the buffers. */
    @Test
    void programViewOfAClosedMapIsMapClosedEvenWithAWrongKey() {
        assertSame(onBoth(b -> {
            BpfMap m = b.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).build());
            ProgramView v = m.programView(0);
            m.close();
            try {
                return List.of(line("view lookup, short key", () -> String.valueOf(v.lookup(new byte[2]))),
                        line("view lookup", () -> String.valueOf(v.lookup(Bytes.u32(1)))),
                        line("map lookup, short key", () -> String.valueOf(m.lookup(new byte[2]))));
            } finally {
                v.close();
            }
        }));
    }

    /** BPF_F_RDONLY/WRONLY at create apply to the creating fd only; the kernel drops them from map_flags. */
    @Test
    void infoFlagsDropTheCreatingDescriptorsAccessFlags() {
        List<List<String>> r = onBoth(b -> {
            List<String> lines = new ArrayList<>();
            for (MapFlag f : new MapFlag[] {MapFlag.RDONLY, MapFlag.WRONLY}) {
                try (BpfMap m = b.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(8).maxEntries(1)
                        .flags(f).build())) {
                    lines.add(f + " info flags 0x" + Integer.toHexString(m.info().flags()));
                }
            }
            return lines;
        });
        assertEquals(List.of("RDONLY info flags 0x0", "WRONLY info flags 0x0"), r.get(1), "kernel");
        assertSame(r);
    }

    /** A per-CPU slot's padding after a program writes value_size bytes of it. */
    @Test
    void perCpuPaddingAfterAProgramWrite() {
        assertSame(onBoth(b -> {
            try (BpfMap m = b.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(4).valueSize(12).maxEntries(4)
                    .flags(MapFlag.ZERO_SEED).build());
                 ProgramView v = m.programView(0)) {
                m.update(Bytes.u32(1), Bytes.filled(m.valueBufferSize(), 0xdf), UpdateFlags.ANY);
                v.update(Bytes.u32(1), Bytes.filled(12, 0x26), UpdateFlags.ANY);
                return List.of("after program write " + Bytes.hex(m.lookup(Bytes.u32(1)).orElseThrow()));
            }
        }));
    }

    /**
     * Create check order, as measured with raw {@code bpf(BPF_MAP_CREATE)} on 6.18: the type's own checks
     * ({@code map_alloc_check}: LRU + NO_PREALLOC is ENOTSUPP) come before the name ({@code bpf_obj_name_cpy},
     * EINVAL for a name with no NUL within 16 bytes or a character other than alnum, '_', '.'), which is read up
     * to its first NUL ("nul\0x" is accepted as "nul").
     */
    @Test
    void createCheckOrderAndNamesWithANul() {
        assertSame(onBoth(b -> List.of(
                line("lru NO_PREALLOC + utf-8 name", () -> {
                    b.create(MapSpec.builder(MapType.LRU_HASH).keySize(1).valueSize(16).maxEntries(4)
                            .flags(MapFlag.NO_PREALLOC).name("éééééééé").build()).close();
                    return "";
                }),
                line("hash named nul\\0x", () -> {
                    try (BpfMap m = b.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                            .name("nul\0x").build())) {
                        return "name " + m.info().name();
                    }
                }))));
    }

    /** Which helper the verifier refuses first on RDONLY_PROG / WRONLY_PROG maps (EACCES vs EINVAL vs allowed). */
    @Test
    void programAccessFlagsAgainstHelpersTheTypeLacks() {
        assertSame(onBoth(b -> {
            List<String> lines = new ArrayList<>();
            record Case(MapType type, int key, MapFlag flag) {
            }
            for (Case c : List.of(new Case(MapType.QUEUE, 0, MapFlag.WRONLY_PROG),
                    new Case(MapType.QUEUE, 0, MapFlag.RDONLY_PROG), new Case(MapType.HASH, 4, MapFlag.RDONLY_PROG),
                    new Case(MapType.ARRAY, 4, MapFlag.RDONLY_PROG))) {
                try (BpfMap m = b.create(MapSpec.builder(c.type()).keySize(c.key()).valueSize(8).maxEntries(4)
                        .flags(c.flag()).build()); ProgramView v = m.programView(0)) {
                    byte[] key = c.key() == 0 ? null : Bytes.u32(0);
                    String p = c.type() + " " + c.flag() + " ";
                    lines.add(line(p + "pop", () -> String.valueOf(v.pop(new byte[8]))));
                    lines.add(line(p + "peek", () -> String.valueOf(v.peek(new byte[8]))));
                    lines.add(line(p + "push", () -> {
                        v.push(new byte[8], 0);
                        return "";
                    }));
                    lines.add(line(p + "lookup", () -> String.valueOf(v.lookup(key, new byte[8]))));
                    lines.add(line(p + "update", () -> {
                        v.update(key, new byte[8], 0);
                        return "";
                    }));
                }
            }
            return lines;
        }));
    }

    /** Bad arguments to the backend's open calls and to programView: documented exceptions, alike on both. */
    @Test
    void badOpenArguments() {
        assertSame(onBoth(b -> {
            List<String> lines = new ArrayList<>();
            for (int id : new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                lines.add(line("openById " + id, () -> {
                    b.openById(id).close();
                    return "";
                }));
            }
            for (String path : new String[] {"", "relative/path", "/nonexistent/bpffs/x", "/proc/self/status"}) {
                lines.add(line("openPinned '" + path + "'", () -> {
                    b.openPinned(path).close();
                    return "";
                }));
            }
            try (BpfMap m = b.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).build())) {
                lines.add(line("pin on tmpfs", () -> {
                    m.pin("/dev/shm/bpfmaps-reliability-pin"); // tmpfs, not bpffs: EPERM
                    return "";
                }));
                for (int cpu : new int[] {-1, b.possibleCpus(), 4096}) {
                    lines.add(line("programView(" + (cpu == b.possibleCpus() ? "possibleCpus" : cpu) + ") lookup",
                            () -> {
                                try (ProgramView v = m.programView(cpu)) {
                                    return String.valueOf(v.lookup(Bytes.u32(1)).isPresent());
                                }
                            }));
                }
            }
            return lines;
        }));
    }

    /** {@code label -> outcome}. */
    /**
     * A ring buffer reader maps the consumer page writable and a user ring writer the producer and data pages, so
     * while one is open {@code BPF_MAP_FREEZE} is EBUSY (the map's {@code writecnt}), and once frozen no new
     * reader or writer can map the pages writable (EPERM); a reader that was already open keeps working.
     */
    @Test
    void ringMappingsBlockFreezeAndFreezeBlocksNewMappings() {
        List<List<String>> r = onBoth(b -> {
            List<String> lines = new ArrayList<>();
            for (MapType type : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
                try (BpfMap ring = b.create(MapSpec.builder(type).maxEntries(4096).build())) {
                    boolean kernelSide = type == MapType.RINGBUF;
                    AutoCloseable first = kernelSide ? b.ringBufferReader(ring) : b.userRingBufferWriter(ring);
                    lines.add(line(type + " freeze while mapped", () -> {
                        ring.freeze();
                        return null;
                    }));
                    lines.add(line(type + " close the mapping, then freeze", () -> {
                        try {
                            first.close();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        ring.freeze();
                        return null;
                    }));
                    lines.add(line(type + " map after freeze", () -> {
                        if (kernelSide) {
                            b.ringBufferReader(ring).close();
                        } else {
                            b.userRingBufferWriter(ring).close();
                        }
                        return null;
                    }));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return lines;
        });
        assertSame(r);
        assertEquals(List.of(
                "RINGBUF freeze while mapped -> BpfException(EBUSY)",
                "RINGBUF close the mapping, then freeze -> ok",
                "RINGBUF map after freeze -> PermissionDeniedException(EPERM)",
                "USER_RINGBUF freeze while mapped -> BpfException(EBUSY)",
                "USER_RINGBUF close the mapping, then freeze -> ok",
                "USER_RINGBUF map after freeze -> PermissionDeniedException(EPERM)"), r.get(1));
    }

    /** A reader on a USER_RINGBUF or a writer on a RINGBUF is EINVAL whatever the descriptor's access. */
    @Test
    void wrongRingTypeIsRefusedBeforeTheAccessCheck() {
        List<List<String>> r = onBoth(b -> {
            List<String> lines = new ArrayList<>();
            try (BpfMap ring = b.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
                 BpfMap user = b.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
                 BpfMap ringRo = b.openById(ring.id(), org.bpfmaps.Access.READ_ONLY);
                 BpfMap userWo = b.openById(user.id(), org.bpfmaps.Access.WRITE_ONLY)) {
                lines.add(line("writer on a read-only RINGBUF descriptor", () -> {
                    b.userRingBufferWriter(ringRo).close();
                    return null;
                }));
                lines.add(line("reader on a write-only USER_RINGBUF descriptor", () -> {
                    b.ringBufferReader(userWo).close();
                    return null;
                }));
            }
            return lines;
        });
        assertSame(r);
        assertEquals(List.of("writer on a read-only RINGBUF descriptor -> InvalidArgumentException(EINVAL)",
                "reader on a write-only USER_RINGBUF descriptor -> InvalidArgumentException(EINVAL)"), r.get(1));
    }

    /** {@code bpf_ringbuf_output} checks its flags first: unknown bits are EINVAL even for a record too big. */
    @Test
    void ringOutputChecksFlagsBeforeRoom() {
        List<List<String>> r = onBoth(b -> {
            List<String> lines = new ArrayList<>();
            try (BpfMap ring = b.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
                 ProgramView p = ring.programView(0)) {
                lines.add(line("output 4096 bytes, flags 0x100", () -> String.valueOf(p.ringbufOutput(
                        new byte[4096], 0x100))));
                lines.add(line("output 4096 bytes, flags 0", () -> String.valueOf(p.ringbufOutput(
                        new byte[4096], 0))));
                lines.add(line("output 8 bytes, flags 0x100", () -> String.valueOf(p.ringbufOutput(
                        new byte[8], 0x100))));
            }
            return lines;
        });
        assertSame(r);
        assertEquals(List.of("output 4096 bytes, flags 0x100 -> InvalidArgumentException(EINVAL)",
                "output 4096 bytes, flags 0 -> ok false", "output 8 bytes, flags 0x100 -> InvalidArgumentException(EINVAL)"),
                r.get(1));
    }

    static String line(String label, java.util.function.Supplier<String> call) {
        return label + " -> " + Outcome.of(label, call);
    }
}
