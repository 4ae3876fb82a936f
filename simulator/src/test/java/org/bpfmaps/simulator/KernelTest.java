package org.bpfmaps.simulator;

import static org.bpfmaps.simulator.Bytes.assertErrno;
import static org.bpfmaps.simulator.Bytes.u32;
import static org.bpfmaps.simulator.Bytes.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.spi.MapBackendProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ids, the virtual bpffs, descriptor access modes, CPUs and the provider. */
class KernelTest {

    private final SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).build();

    @AfterEach
    void close() {
        kernel.close();
    }

    private BpfMap hash() {
        return kernel.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(4).build());
    }

    @Test
    void idsStartAtOneGrowAndAreNeverReused() {
        BpfMap a = hash();
        BpfMap b = hash();
        assertEquals(1, a.id());
        assertEquals(2, b.id());
        assertArrayEquals(new int[] {1, 2}, kernel.mapIds());
        a.close();
        assertArrayEquals(new int[] {2}, kernel.mapIds(), "a map without descriptors or pins is gone");
        assertErrno(Errno.ENOENT, () -> kernel.openById(1));
        BpfMap c = hash();
        assertEquals(3, c.id());
        BpfMap b2 = kernel.openById(2);
        b2.update(u32(1), u64(5));
        assertArrayEquals(u64(5), b.lookup(u32(1)).orElseThrow(), "two descriptors, one map");
        b.close();
        assertArrayEquals(new int[] {2, 3}, kernel.mapIds(), "b2 still refers to map 2");
        assertErrno(Errno.ENOENT, () -> kernel.openById(99));
        assertEquals(BpfCommand.BPF_MAP_GET_FD_BY_ID,
                assertErrno(Errno.ENOENT, () -> kernel.openById(99)).command());
    }

    @Test
    void pinsKeepMapsAlive() {
        BpfMap m = hash();
        m.update(u32(1), u64(1));
        m.pin("/sys/fs/bpf/h");
        assertErrno(Errno.EEXIST, () -> m.pin("/sys/fs/bpf/h"));
        assertErrno(Errno.ENOENT, () -> m.pin("/sys/fs/bpf/nodir/h"));
        assertErrno(Errno.EPERM, () -> m.pin("/tmp/h"));
        assertErrno(Errno.EPERM, () -> m.pin("/sys/fs/bpfX"));
        assertErrno(Errno.ENOTDIR, () -> m.pin("/sys/fs/bpf/h/x"));
        assertErrno(Errno.ENOENT, () -> m.pin("")); // as the kernel's path walk answers an empty name
        assertErrno(Errno.EEXIST, () -> m.pin("/sys/fs/bpf//./h")); // paths are normalised
        assertErrno(Errno.EPERM, () -> m.pin("/sys/fs/bpf/../h"));
        assertErrno(Errno.EPERM, () -> m.pin("relative-to-the-working-directory"));
        assertEquals(BpfCommand.BPF_OBJ_PIN, assertErrno(Errno.EEXIST, () -> m.pin("/sys/fs/bpf/h")).command());
        kernel.makeDirectory("/sys/fs/bpf/dir");
        m.pin("/sys/fs/bpf/dir/h");
        assertEquals(List.of("/sys/fs/bpf/dir/h", "/sys/fs/bpf/h"), kernel.pinnedPaths());
        int id = m.id();
        m.close();
        assertArrayEquals(new int[] {id}, kernel.mapIds());
        try (BpfMap again = kernel.openPinned("/sys/fs/bpf/dir/../h")) {
            assertEquals(id, again.id());
            assertArrayEquals(u64(1), again.lookup(u32(1)).orElseThrow());
        }
        kernel.unpin("/sys/fs/bpf/h");
        assertErrno(Errno.ENOENT, () -> kernel.openPinned("/sys/fs/bpf/h"));
        assertEquals(BpfCommand.BPF_OBJ_GET, assertErrno(Errno.ENOENT, () -> kernel.openPinned("/sys/fs/bpf/h"))
                .command());
        assertArrayEquals(new int[] {id}, kernel.mapIds());
        kernel.unpin("/sys/fs/bpf/dir/h");
        assertArrayEquals(new int[0], kernel.mapIds());
        assertErrno(Errno.ENOENT, () -> kernel.unpin("/sys/fs/bpf/dir/h"));
        assertErrno(Errno.ENOENT, () -> kernel.openPinned("/no/such/file/anywhere"));
        assertErrno(Errno.EACCES, () -> kernel.openPinned("/"));
    }

    /**
     * Odd paths, each answered as Linux 6.18 answered it with a bpffs mounted at {@code D} and the working directory
     * its parent (the same calls through the linux backend): pin {@code D/m} and {@code D/dir/n}, then open and pin.
     */
    @Test
    void pathsAreWalkedAsTheKernelWalksThem() {
        String cwd = java.nio.file.Path.of(System.getProperty("user.dir")).normalize().toString();
        String d = cwd + "/bpffs-walk";
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).bpffsRoot(d).build()) {
            k.makeDirectory(d + "/dir/"); // mkdir accepts a trailing slash
            BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            m.pin(d + "/m");
            m.pin(d + "/dir/n");
            List<String> opens = List.of("'' ENOENT", "/ EACCES", ". EACCES", "D EACCES", "D/ EACCES", "D/m ok",
                    "D/m/ ENOTDIR", "D//m ok", "/D/m ok", "D/./m ok", "D/dir/../m ok", "D/nonexistent/../m ENOENT",
                    "D/m/../m ENOTDIR", "D/m/x ENOTDIR", "D/dir EACCES", "D/dir/ EACCES", "D/dir/n/ ENOTDIR",
                    "D/dir//n ok", "bpffs-walk/m ok", "./bpffs-walk/m ok", "bpffs-walk/m/ ENOTDIR",
                    "bpffs-walk//dir/n ok", "relative/path ENOENT", "/nonexistent/bpffs/x ENOENT",
                    "/proc/self/status EACCES", "/tmp EACCES", "D-nope ENOENT", "D/\u00e9 ENOENT");
            for (String c : opens) {
                String path = path(c, d);
                assertEquals(c, c.substring(0, c.lastIndexOf(' ')) + " " + outcome(() -> k.openPinned(path).close()));
            }
            List<String> pins = List.of("'' ENOENT", "D EEXIST", "D/ EEXIST", "D/p/ ENOENT", "D//p2 ok",
                    "D/nonexistent/../p3 ENOENT", "D/m EEXIST", "D/m/x ENOTDIR", "D/dir EEXIST", "D/dir/ EEXIST",
                    "bpffs-walk/p4 ok", "/tmp/x EPERM");
            for (String c : pins) {
                String path = path(c, d);
                assertEquals(c, c.substring(0, c.lastIndexOf(' ')) + " " + outcome(() -> m.pin(path)));
            }
            assertEquals(List.of(d + "/dir/n", d + "/m", d + "/p2", d + "/p4"), k.pinnedPaths());
            assertThrows(IllegalArgumentException.class, () -> k.openPinned(d + "/m\0x"));
            assertThrows(IllegalArgumentException.class, () -> m.pin(d + "/p\0x"));
        }
    }

    private static String path(String c, String d) {
        String p = c.substring(0, c.lastIndexOf(' '));
        return p.equals("''") ? "" : p.replace("D", d);
    }

    private static String outcome(org.junit.jupiter.api.function.Executable call) {
        try {
            call.execute();
            return "ok";
        } catch (org.bpfmaps.BpfException e) {
            return Errno.of(e.errno()).name();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Test
    void customRoot() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).bpffsRoot("/mnt/bpf").build()) {
            BpfMap m = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build());
            assertErrno(Errno.EPERM, () -> m.pin("/sys/fs/bpf/a"));
            m.pin("/mnt/bpf/a");
            assertEquals(m.id(), k.openPinned("/mnt/bpf/a").id());
        }
    }

    @Test
    void descriptorAccessModes() {
        BpfMap m = hash();
        m.update(u32(1), u64(1));
        BpfMap ro = kernel.openById(m.id(), Access.READ_ONLY);
        BpfMap wo = kernel.openById(m.id(), Access.WRITE_ONLY);
        assertEquals(Access.READ_ONLY, ro.access());
        assertTrue(ro.lookup(u32(1)).isPresent());
        assertTrue(ro.nextKey(null, new byte[4]));
        assertErrno(Errno.EPERM, () -> ro.update(u32(2), u64(2)));
        assertErrno(Errno.EPERM, () -> ro.delete(u32(1)));
        assertErrno(Errno.EPERM, () -> ro.lookupAndDelete(u32(1), new byte[8]));
        assertErrno(Errno.EPERM, ro::freeze);
        assertErrno(Errno.EPERM, () -> wo.lookup(u32(1)));
        assertErrno(Errno.EINVAL, () -> wo.lookup(u32(1), new byte[8], 8)); // flags before permission
        assertErrno(Errno.EPERM, () -> wo.lookup(u32(1), new byte[8], 4));
        assertErrno(Errno.EPERM, () -> wo.nextKey(null, new byte[4]));
        assertErrno(Errno.EPERM, () -> wo.lookupAndDelete(u32(1), new byte[8]));
        wo.update(u32(2), u64(2));
        assertTrue(wo.delete(u32(2)));
        m.pin("/sys/fs/bpf/m");
        BpfMap pinnedRo = kernel.openPinned("/sys/fs/bpf/m", Access.READ_ONLY);
        assertErrno(Errno.EPERM, () -> pinnedRo.update(u32(2), u64(2)));
        wo.freeze();
        assertErrno(Errno.EPERM, () -> m.update(u32(2), u64(2)));
    }

    @Test
    void createdDescriptorFollowsRdonlyAndWronlyFlags() {
        BpfMap ro = kernel.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2)
                .flags(MapFlag.RDONLY).build());
        assertEquals(Access.READ_ONLY, ro.access());
        assertErrno(Errno.EPERM, () -> ro.update(u32(0), u32(1)));
        assertTrue(ro.lookup(u32(0)).isPresent());
        BpfMap wo = kernel.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(2)
                .flags(MapFlag.WRONLY).build());
        assertEquals(Access.WRITE_ONLY, wo.access());
        assertErrno(Errno.EPERM, () -> wo.lookup(u32(0)));
        assertErrno(Errno.EPERM, () -> wo.nextKey(null, new byte[4]));
        wo.update(u32(0), u32(1));
    }

    @Test
    void closedDescriptorsFailCleanly() {
        BpfMap m = hash();
        m.close();
        m.close();
        assertTrue(m.isClosed());
        assertThrows(MapClosedException.class, () -> m.lookup(u32(1)));
        assertThrows(MapClosedException.class, m::info);
        assertThrows(MapClosedException.class, () -> m.pin("/sys/fs/bpf/x"));
        assertThrows(MapClosedException.class, () -> m.programView(0));
    }

    @Test
    void closingTheKernelClosesEveryMap() {
        BpfMap a = hash();
        BpfMap b = kernel.openById(a.id());
        a.pin("/sys/fs/bpf/a");
        kernel.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        kernel.close();
        assertThrows(IllegalStateException.class, this::hash);
    }

    @Test
    void onCpuAttributesCallsToACpu() {
        assertEquals(0, kernel.currentCpu());
        assertEquals(1, (int) kernel.onCpu(1, kernel::currentCpu));
        assertEquals(0, kernel.currentCpu());
        kernel.onCpu(1, () -> assertEquals(0, (int) kernel.onCpu(0, kernel::currentCpu)));
        assertInstanceOf(InvalidArgumentException.class,
                assertErrno(Errno.EINVAL, () -> kernel.onCpu(2, () -> 0)));
        assertErrno(Errno.EINVAL, () -> kernel.onCpu(-1, () -> 0));
    }

    @Test
    void provider() {
        MapBackendProvider p = ServiceLoader.load(MapBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(x -> x.name().equals("simulator")).findFirst()
                .orElseThrow();
        assertInstanceOf(SimulatorProvider.class, p);
        assertTrue(p.isAvailable());
        assertTrue(p.unavailabilityCause().isEmpty());
        try (MapBackend b = p.open(Map.of("cpus", "3"))) {
            assertEquals(3, b.possibleCpus());
            assertEquals("simulator", b.name());
        }
        try (MapBackend b = p.open(Map.of())) {
            assertEquals(HostCpus.possible(), b.possibleCpus());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.open(Map.of("cpuz", "3")));
        assertTrue(e.getMessage().contains("cpuz"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.open(Map.of("cpus", "0")));
        assertThrows(IllegalArgumentException.class, () -> p.open(Map.of("cpus", "two")));
        try (MapBackend b = BpfMaps.open("simulator", Map.of("cpus", "2", "bpffs.root", "/x"))) {
            BpfMap m = b.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build());
            m.pin("/x/m");
            assertSame(SimulatedKernel.class, b.getClass());
        }
    }

    @Test
    void possibleCpuListParsing() {
        assertEquals(2, HostCpus.parseCpuList("0-1\n"));
        assertEquals(1, HostCpus.parseCpuList("0"));
        assertEquals(8, HostCpus.parseCpuList("0-3,8-11"));
        assertEquals(3, HostCpus.parseCpuList("0,2,4"));
        assertThrows(IllegalArgumentException.class, () -> HostCpus.parseCpuList(""));
        assertFalse(HostCpus.possible() < 1);
    }
}
