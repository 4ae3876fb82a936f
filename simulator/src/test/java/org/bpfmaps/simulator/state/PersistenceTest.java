package org.bpfmaps.simulator.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Persisted simulator state within one JVM: reload, damage, torn tails, permissions, locks, compaction. */
class PersistenceTest {

    private Path base;
    private Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-state-test");
        dir = base.resolve("state");
    }

    @AfterEach
    void removeDir() throws IOException {
        deleteTree(base);
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path q : all) {
                if (Files.isDirectory(q, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(q, PosixFilePermissions.fromString("rwx------"));
                }
                Files.delete(q);
            }
        }
    }

    private SimulatedKernel kernel() {
        return SimulatedKernel.builder().cpus(4).stateDirectory(dir).stateLockTimeout(Duration.ofSeconds(5)).build();
    }

    /** A kernel that does not fsync each call: for tests about contents, not durability, with many calls. */
    private SimulatedKernel fastKernel() {
        return SimulatedKernel.builder().cpus(4).stateDirectory(dir).stateSync(false)
                .stateLockTimeout(Duration.ofSeconds(5)).build();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Every element in iteration order, as "key=value" hex. */
    static List<String> dump(BpfMap map) {
        List<String> out = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        byte[] k = null;
        byte[] next = new byte[map.keySize()];
        while (map.nextKey(k, next)) {
            out.add(hex.formatHex(next) + "=" + map.lookup(next).map(hex::formatHex).orElse("(gone)"));
            k = next.clone();
        }
        return out;
    }

    @Test
    void pinnedMapsComeBackWithContentsOrderIdsAndFlags() {
        List<String> hashDump;
        List<String> percpuDump;
        int hashId;
        int arrayId;
        int lastId;
        try (SimulatedKernel k = kernel()) {
            k.makeDirectory("/sys/fs/bpf/app");
            BpfMap hash = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(64)
                    .name("h").build());
            for (int i = 0; i < 40; i++) {
                hash.update(u32(i * 7919), u64(i));
            }
            hash.delete(u32(7 * 7919));
            hash.update(u32(3 * 7919), u64(333)); // an update moves the element to the head of its bucket
            hash.pin("/sys/fs/bpf/app/hash");
            hashId = hash.id();
            hashDump = dump(hash);

            BpfMap percpu = k.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(4).valueSize(4).maxEntries(8)
                    .build());
            percpu.pin("/sys/fs/bpf/app/percpu");
            for (int cpu = 0; cpu < 4; cpu++) {
                try (ProgramView pv = percpu.programView(cpu)) {
                    pv.update(u32(1), u32(100 + cpu), 0);
                }
            }
            percpuDump = dump(percpu);

            BpfMap array = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(4).build());
            array.update(u32(2), u32(22));
            array.freeze();
            array.pin("/sys/fs/bpf/array");
            arrayId = array.id();

            BpfMap queue = k.create(MapSpec.builder(MapType.QUEUE).keySize(0).valueSize(4).maxEntries(8).build());
            queue.pin("/sys/fs/bpf/queue");
            try (ProgramView pv = queue.programView(0)) {
                pv.push(u32(1), 0);
                pv.push(u32(2), 0);
                pv.push(u32(3), 0);
                byte[] v = new byte[4];
                assertTrue(pv.pop(v));
            }

            BpfMap bloom = k.create(MapSpec.builder(MapType.BLOOM_FILTER).keySize(0).valueSize(4).maxEntries(100)
                    .mapExtra(3).build());
            bloom.pin("/sys/fs/bpf/bloom");
            try (ProgramView pv = bloom.programView(1)) {
                for (int i = 0; i < 50; i++) {
                    pv.push(u32(i), 0);
                }
            }

            BpfMap transient_ = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                    .build());
            transient_.update(u32(1), u32(1));
            lastId = transient_.id();
            BpfMap unpinned = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                    .build());
            unpinned.pin("/sys/fs/bpf/gone");
            k.unpin("/sys/fs/bpf/gone");
            lastId = Math.max(lastId, unpinned.id());
            // descriptors left open on purpose: closing the kernel (or the process ending) closes them
        }

        try (SimulatedKernel k = kernel()) {
            assertEquals(List.of("/sys/fs/bpf/app/hash", "/sys/fs/bpf/app/percpu", "/sys/fs/bpf/array",
                    "/sys/fs/bpf/bloom", "/sys/fs/bpf/queue"), k.pinnedPaths());
            assertEquals(5, k.mapIds().length, "maps that no pin holds are gone");
            try (BpfMap hash = k.openPinned("/sys/fs/bpf/app/hash")) {
                assertEquals(hashId, hash.id());
                assertEquals("h", hash.name());
                assertEquals(hashDump, dump(hash), "same elements in the same bucket order");
            }
            try (BpfMap percpu = k.openPinned("/sys/fs/bpf/app/percpu")) {
                assertEquals(percpuDump, dump(percpu));
            }
            try (BpfMap array = k.openPinned("/sys/fs/bpf/array")) {
                assertEquals(arrayId, array.id());
                assertTrue(array.info().frozen());
                assertArrayEquals(u32(22), array.lookup(u32(2)).orElseThrow());
                BpfException e = assertThrows(BpfException.class, () -> array.update(u32(1), u32(1)));
                assertEquals(Errno.EPERM, e.error(), "still frozen");
            }
            try (BpfMap queue = k.openPinned("/sys/fs/bpf/queue"); ProgramView pv = queue.programView(0)) {
                byte[] v = new byte[4];
                assertTrue(pv.pop(v));
                assertArrayEquals(u32(2), v);
                assertTrue(pv.pop(v));
                assertArrayEquals(u32(3), v);
                assertFalse(pv.pop(v));
            }
            try (BpfMap bloom = k.openPinned("/sys/fs/bpf/bloom"); ProgramView pv = bloom.programView(0)) {
                byte[] v = new byte[4];
                for (int i = 0; i < 50; i++) {
                    System.arraycopy(u32(i), 0, v, 0, 4);
                    assertTrue(pv.peek(v), "bloom filter bits (and seed) survive: " + i);
                }
            }
            try (BpfMap fresh = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1)
                    .build())) {
                assertTrue(fresh.id() > lastId, "ids are never reused: " + fresh.id() + " after " + lastId);
            }
        }
    }

    @Test
    void unpinningTheLastReferenceRemovesTheMapInTheNextKernel() {
        try (SimulatedKernel k = kernel()) {
            BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            m.pin("/sys/fs/bpf/m");
        }
        try (SimulatedKernel k = kernel()) {
            k.unpin("/sys/fs/bpf/m");
            assertEquals(0, k.mapIds().length);
        }
        try (SimulatedKernel k = kernel()) {
            assertEquals(List.of(), k.pinnedPaths());
            assertThrows(NotFoundException.class, () -> k.openPinned("/sys/fs/bpf/m"));
        }
    }

    @Test
    void providerOptionStateDir() {
        try (MapBackend b = BpfMaps.open("simulator", Map.of("state.dir", dir.toString(), "cpus", "2"))) {
            BpfMap m = b.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            m.update(u32(5), u32(6));
            m.pin("/sys/fs/bpf/p");
        }
        try (MapBackend b = BpfMaps.open("simulator", Map.of("state.dir", dir.toString(), "state.sync", "false"));
             BpfMap m = b.openPinned("/sys/fs/bpf/p")) {
            assertArrayEquals(u32(6), m.lookup(u32(5)).orElseThrow());
            assertEquals(2, b.possibleCpus(), "the state fixes the CPU count");
        }
    }

    @Test
    void aDifferentCpuCountIsRefused() {
        kernel().close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SimulatedKernel.builder().cpus(3).stateDirectory(dir).build());
        assertTrue(e.getMessage().contains("4 possible CPUs"), e.getMessage());
        kernel().close(); // the lock was released by the failed build
    }

    @Test
    void directoryAndFilesAreOwnerOnly() throws IOException {
        kernel().close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(StateDirectory.JOURNAL_FILE))));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(StateDirectory.LOCK_FILE))));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("journal", "lock"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void worldOrGroupWritableDirectoryIsRefused() throws IOException {
        Files.createDirectories(dir);
        for (String mode : List.of("rwxrwxrwx", "rwxrwx---", "rwx----w-")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            IllegalStateException e = assertThrows(IllegalStateException.class, this::kernel, mode);
            assertTrue(e.getMessage().contains(dir.toRealPath().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("writable by"), e.getMessage());
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        kernel().close(); // readable by others is allowed
    }

    @Test
    void groupWritableOrLinkedJournalIsRefused() throws IOException {
        kernel().close();
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rw-rw----"));
        IllegalStateException e = assertThrows(IllegalStateException.class, this::kernel);
        assertTrue(e.getMessage().contains(journal.toString()) && e.getMessage().contains("its group"),
                e.getMessage());
        Path elsewhere = base.resolve("elsewhere");
        Files.move(journal, elsewhere);
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(journal, elsewhere);
        e = assertThrows(IllegalStateException.class, this::kernel);
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void aPathThatIsNotADirectoryIsRefused() throws IOException {
        Files.writeString(dir, "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, this::kernel);
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }

    @Test
    void pinPathsAreConfinedToTheVirtualBpffs() throws IOException {
        try (SimulatedKernel k = kernel()) {
            BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            for (String escape : List.of("/sys/fs/bpf/../../../etc/passwd-x", "/sys/fs/bpf/../x",
                    dir.resolve("evil").toString(), "/sys/fs/bpf/./../bpf2/x")) {
                BpfException e = assertThrows(BpfException.class, () -> m.pin(escape), escape);
                // outside the root: EPERM where the parent exists on the host, ENOENT where the walk finds none
                assertEquals(escape.contains("bpf2") ? Errno.ENOENT : Errno.EPERM, e.error(), escape);
            }
            assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> m.pin("/sys/fs/bpf/a/../b")).error(),
                    "the walk does not pass a missing directory");
            m.pin("/sys/fs/bpf/../bpf/.//b");
            assertEquals(List.of("/sys/fs/bpf/b"), k.pinnedPaths(), "resolved like a path walk");
            m.close();
        }
        try (SimulatedKernel k = kernel()) {
            assertEquals(List.of("/sys/fs/bpf/b"), k.pinnedPaths());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("journal", "lock"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "pins are journal records, never files");
        }
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/b")) && Files.isRegularFile(Path.of("/sys/fs/bpf/b")));
    }

    @Test
    void aSecondKernelWaitsForTheFirst() throws Exception {
        SimulatedKernel first = kernel();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SimulatedKernel.builder()
                    .stateDirectory(dir).stateLockTimeout(Duration.ofMillis(200)).build());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            BpfMap m = first.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            m.pin("/sys/fs/bpf/w");
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    m.update(u32(1), u32(2));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                first.close();
            });
            closer.start();
            try (SimulatedKernel second = kernel(); BpfMap w = second.openPinned("/sys/fs/bpf/w")) {
                assertArrayEquals(u32(2), w.lookup(u32(1)).orElseThrow(), "the second kernel ran after the first");
            }
            closer.join();
        } finally {
            first.close();
        }
    }

    /** Writes keys 0..n-1 into a pinned hash map and returns the journal's length after each committed update. */
    private List<Long> writeKeys(int n) throws IOException {
        List<Long> lengths = new ArrayList<>();
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        try (SimulatedKernel k = kernel();
             BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(64).build())) {
            m.pin("/sys/fs/bpf/keys");
            for (int i = 0; i < n; i++) {
                m.update(u32(i), u64(i));
                lengths.add(Files.size(journal));
            }
        }
        return lengths;
    }

    private List<Integer> keysPresent() {
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned("/sys/fs/bpf/keys")) {
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                if (m.lookup(u32(i)).isPresent()) {
                    keys.add(i);
                }
            }
            return keys;
        }
    }

    @Test
    void aTornTailIsIgnoredAndCutOff() throws IOException {
        List<Long> lengths = writeKeys(10);
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        for (long cut : new long[] {1, 5, 9, 13}) {
            try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                ch.truncate(lengths.get(lengths.size() - 1) - cut); // inside the last record
            }
            lengths.remove(lengths.size() - 1);
            assertEquals(lengths.size(), keysPresent().size(), "the torn update never happened (cut " + cut + ")");
            assertEquals(lengths.get(lengths.size() - 1), Files.size(journal), "the torn tail was cut off");
        }
        // zero-filled tail, as a file system may leave after a power loss
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(100));
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), keysPresent());
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned("/sys/fs/bpf/keys")) {
            m.update(u32(40), u64(40)); // appends after the cut
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 40), keysPresent());
    }

    @Test
    void aDamagedJournalIsRefusedNamingFileAndOffset() throws IOException {
        writeKeys(10);
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        byte[] original = Files.readAllBytes(journal);
        Journal.Contents c = Journal.read(journal);
        // flip one byte: in a payload, in a length, in the magic, in the last record's checksum
        long[] positions = {c.offsets().get(3) + Journal.PAYLOAD_OFFSET + 2, c.offsets().get(5),
                2, original.length - 1};
        for (long pos : positions) {
            byte[] damaged = original.clone();
            damaged[(int) pos] ^= 0x20;
            Files.write(journal, damaged);
            CorruptStateException e = assertThrows(CorruptStateException.class, this::kernel, "flip at " + pos);
            assertEquals(journal.toRealPath(), e.file().toRealPath());
            assertTrue(e.getMessage().contains(journal.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
            assertTrue(e.offset() <= pos, "offset " + e.offset() + " for a flip at " + pos);
            assertArrayEquals(damaged, Files.readAllBytes(journal), "a damaged journal is left as it is");
        }
        Files.write(journal, original);
        assertEquals(10, keysPresent().size(), "the lock was released by each refused build");
    }

    @Test
    void compactionDropsRecordsOfMapsThatAreGone() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        List<String> keptDump;
        try (SimulatedKernel k = fastKernel()) {
            BpfMap kept = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(128).build());
            kept.pin("/sys/fs/bpf/kept");
            for (int round = 0; round < 20; round++) {
                try (BpfMap scratch = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8)
                        .maxEntries(16).build())) {
                    for (int i = 0; i < 16; i++) {
                        scratch.update(u32(i), u64(i));
                    }
                }
                kept.update(u32(round), u64(round * 3L));
            }
            kept.delete(u32(4));
            keptDump = dump(kept);
            long before = Files.size(journal);
            k.compactState();
            assertTrue(Files.size(journal) < before / 4, Files.size(journal) + " vs " + before);
            kept.update(u32(99), u64(99)); // appends to the compacted journal
        }
        try (SimulatedKernel k = fastKernel(); BpfMap kept = k.openPinned("/sys/fs/bpf/kept")) {
            assertEquals(1, kept.lookup(u32(99)).isPresent() ? 1 : 0);
            kept.delete(u32(99));
            assertEquals(keptDump, dump(kept));
            try (BpfMap next = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1)
                    .build())) {
                assertEquals(22, next.id(), "ids continue after compaction");
            }
        }
    }

    @Test
    void compactionSnapshotsHashAndArrayMapsExactly() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        List<List<String>> dumps = new ArrayList<>();
        List<String> paths = List.of("/sys/fs/bpf/d/hash", "/sys/fs/bpf/d/percpu_hash", "/sys/fs/bpf/array",
                "/sys/fs/bpf/percpu_array");
        try (SimulatedKernel k = fastKernel()) {
            k.makeDirectory("/sys/fs/bpf/d");
            BpfMap hash = k.create(MapSpec.builder(MapType.HASH).keySize(8).valueSize(12).maxEntries(4096).build());
            BpfMap pcHash = k.create(MapSpec.builder(MapType.PERCPU_HASH).keySize(4).valueSize(4).maxEntries(64)
                    .build());
            BpfMap array = k.create(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(5).maxEntries(300000)
                    .build());
            BpfMap pcArray = k.create(MapSpec.builder(MapType.PERCPU_ARRAY).keySize(4).valueSize(8).maxEntries(16)
                    .build());
            java.util.Random r = new java.util.Random(7);
            for (int i = 0; i < 6000; i++) {
                byte[] key = u64(r.nextInt(3000));
                if (r.nextInt(5) == 0) {
                    hash.delete(key);
                } else {
                    byte[] v = new byte[12];
                    r.nextBytes(v);
                    hash.update(key, v); // updates move elements to the head of their bucket
                }
            }
            for (int cpu = 0; cpu < 4; cpu++) {
                try (ProgramView pv = pcHash.programView(cpu)) {
                    for (int i = 0; i < 40; i++) {
                        pv.update(u32(i * 3), u32(i * 100 + cpu), 0);
                    }
                }
                try (ProgramView pv = pcArray.programView(cpu)) {
                    pv.update(u32(cpu * 3), u64(cpu + 1), 0);
                }
            }
            for (int i = 0; i < 1000; i++) {
                array.update(u32(r.nextInt(300000)), new byte[] {1, 2, 3, 4, (byte) i});
            }
            array.update(u32(299999), new byte[5]); // back to zero
            pcHash.freeze();
            hash.pin(paths.get(0));
            hash.pin("/sys/fs/bpf/d/hash2"); // two pins of one map
            pcHash.pin(paths.get(1));
            array.pin(paths.get(2));
            pcArray.pin(paths.get(3));
            for (BpfMap m : List.of(hash, pcHash, array, pcArray)) {
                dumps.add(m.type() == MapType.ARRAY ? nonZero(m) : dump(m));
            }
            long before = Files.size(journal);
            k.compactState();
            assertTrue(Files.size(journal) < before / 2, Files.size(journal) + " vs " + before);
        }
        try (SimulatedKernel k = fastKernel()) {
            assertEquals(List.of("/sys/fs/bpf/array", "/sys/fs/bpf/d/hash", "/sys/fs/bpf/d/hash2",
                    "/sys/fs/bpf/d/percpu_hash", "/sys/fs/bpf/percpu_array"), k.pinnedPaths());
            for (int i = 0; i < paths.size(); i++) {
                try (BpfMap m = k.openPinned(paths.get(i))) {
                    assertEquals(dumps.get(i), m.type() == MapType.ARRAY ? nonZero(m) : dump(m), paths.get(i));
                    assertEquals(m.type() == MapType.PERCPU_HASH, m.info().frozen());
                }
            }
            try (BpfMap a = k.openPinned("/sys/fs/bpf/d/hash"); BpfMap b = k.openPinned("/sys/fs/bpf/d/hash2")) {
                assertEquals(a.id(), b.id());
            }
        }
    }

    /** The non-zero elements of an array, as "index=value" hex. */
    private static List<String> nonZero(BpfMap array) {
        List<String> out = new ArrayList<>();
        byte[] zero = new byte[array.valueBufferSize()];
        for (int i = 0; i < array.maxEntries(); i++) {
            byte[] v = array.lookup(u32(i)).orElseThrow();
            if (!java.util.Arrays.equals(v, zero)) {
                out.add(i + "=" + HexFormat.of().formatHex(v));
            }
        }
        return out;
    }

    @Test
    void loadingCompactsWhenMostRecordsAreDead() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        try (SimulatedKernel k = fastKernel()) {
            BpfMap kept = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(16).build());
            kept.pin("/sys/fs/bpf/kept");
            kept.update(u32(1), u64(1));
            BpfMap scratch = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(256)
                    .build());
            for (int i = 0; i < 200; i++) {
                scratch.update(u32(i), u64(i));
            }
        }
        long before = Files.size(journal);
        try (SimulatedKernel k = fastKernel(); BpfMap kept = k.openPinned("/sys/fs/bpf/kept")) {
            assertTrue(Files.size(journal) < before / 10, Files.size(journal) + " vs " + before);
            assertArrayEquals(u64(1), kept.lookup(u32(1)).orElseThrow());
        }
    }

    @Test
    void loadingCompactsAJournalThatGrewPastTwiceItsCompactedSize() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        try (SimulatedKernel k = fastKernel();
             BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(64).maxEntries(16).build())) {
            m.pin("/sys/fs/bpf/busy");
            for (int i = 0; i < 20000; i++) {
                m.update(u32(i % 10), new byte[64]);
            }
            m.update(u32(3), new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 9});
        }
        long before = Files.size(journal);
        assertTrue(before > 1 << 20);
        List<String> d;
        try (SimulatedKernel k = fastKernel(); BpfMap m = k.openPinned("/sys/fs/bpf/busy")) {
            assertTrue(Files.size(journal) < 4096, "compacted at load: " + Files.size(journal) + " bytes");
            d = dump(m);
            assertEquals(10, d.size());
        }
        try (SimulatedKernel k = fastKernel(); BpfMap m = k.openPinned("/sys/fs/bpf/busy")) {
            assertEquals(d, dump(m));
        }
    }

    @Test
    void injectedFaultsAreNotPersisted() {
        try (SimulatedKernel k = kernel()) {
            BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build());
            m.pin("/sys/fs/bpf/f");
            k.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 1);
            assertThrows(BpfException.class, () -> m.update(u32(1), u32(1)));
            m.update(u32(2), u32(2), org.bpfmaps.UpdateFlags.NOEXIST);
            assertThrows(org.bpfmaps.AlreadyExistsException.class,
                    () -> m.update(u32(2), u32(3), org.bpfmaps.UpdateFlags.NOEXIST));
        }
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned("/sys/fs/bpf/f")) {
            assertFalse(m.lookup(u32(1)).isPresent());
            assertArrayEquals(u32(2), m.lookup(u32(2)).orElseThrow());
        }
    }

    @Test
    void flagsAndReadOnlyDescriptorsSurvive() {
        try (SimulatedKernel k = kernel()) {
            BpfMap m = k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4)
                    .flags(MapFlag.NO_PREALLOC, MapFlag.RDONLY_PROG).build());
            m.pin("/sys/fs/bpf/flags");
        }
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned("/sys/fs/bpf/flags")) {
            assertTrue(m.info().type() == MapType.HASH && MapFlag.RDONLY_PROG.isSet(m.flags())
                    && MapFlag.NO_PREALLOC.isSet(m.flags()));
        }
    }
}
