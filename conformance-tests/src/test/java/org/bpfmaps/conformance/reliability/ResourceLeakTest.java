package org.bpfmaps.conformance.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resources: no descriptor leaks over many opens and closes, the Cleaner reclaims maps users forget to close, and
 * a closed handle never reaches the kernel (so never a reused descriptor). Counts scale with
 * {@code -Dbpfmaps.stress.scale=N}.
 *
 * <p>Leak checks compare the <i>numbers</i> of BPF descriptors ({@link FdCount#bpfNumbers()}) before and after,
 * not counts of every descriptor: the JVM opens files of its own at any time (a jar, the surefire report channel),
 * and a Cleaner may close an earlier test's dropped map meanwhile, which only removes numbers. A BPF descriptor
 * number that appears during the loop and is still open after it is a leak, with no slack. Every loop is warmed
 * up first so the backend's own one-time descriptors exist before the baseline. The simulator opens no real
 * descriptor; there the first test compares map ids instead.
 */
@DisplayName("Reliability: resources")
class ResourceLeakTest {
    static final int SCALE = Integer.getInteger("bpfmaps.stress.scale", 1);
    static final int MAPS = 100_000 * SCALE;
    static final int VIEWS = 10_000 * SCALE;
    static final int FORGOTTEN = 10_000;
    static final MapSpec SMALL = MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(1).build();

    static MapBackend open(String name) {
        if (name.equals("linux")) {
            KernelRequirement.assumeKernel();
            return BpfMaps.open("linux");
        }
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"simulator", "linux"})
    @Timeout(300)
    void openingAndClosingManyMapsLeavesNoDescriptorsOrMaps(String backend) {
        try (MapBackend b = open(backend)) {
            for (int i = 0; i < 100; i++) {
                try (BpfMap m = b.create(SMALL); BpfMap again = b.openById(m.id())) {
                    m.update(Bytes.u32(i), new byte[8]);
                }
            }
            Set<Integer> fds = FdCount.bpfNumbers();
            int ids = b.mapIds().length;
            long t0 = System.nanoTime();
            for (int i = 0; i < MAPS; i++) {
                try (BpfMap m = b.create(SMALL)) {
                    m.update(Bytes.u32(i), new byte[8]);
                    if (i % 10 == 0) {
                        b.openById(m.id()).close();
                    }
                }
            }
            Set<Integer> leaked = FdCount.added(fds, FdCount.bpfNumbers());
            int idsAfter = b.mapIds().length;
            System.out.printf("resources %s: %d maps created and closed (every 10th also opened by id) in %.1f s;"
                            + " %d BPF fds before, %d new after; maps in the kernel %d -> %d%n", backend, MAPS,
                    (System.nanoTime() - t0) / 1e9, fds.size(), leaked.size(), ids, idsAfter);
            assertEquals(Set.of(), leaked, "BPF descriptors left open");
            if (backend.equals("simulator")) {
                assertEquals(ids, idsAfter, "maps left in the simulated kernel");
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"simulator", "linux"})
    @Timeout(300)
    void programViewsLeaveNoDescriptors(String backend) {
        try (MapBackend b = open(backend); BpfMap m = b.create(SMALL)) {
            m.update(Bytes.u32(7), Bytes.u64(42));
            int cpus = b.possibleCpus();
            for (int i = 0; i < 20; i++) {
                try (ProgramView v = m.programView(i % cpus)) {
                    v.lookup(Bytes.u32(7));
                }
            }
            Set<Integer> fds = FdCount.bpfNumbers();
            long t0 = System.nanoTime();
            for (int i = 0; i < VIEWS; i++) {
                try (ProgramView v = m.programView(i % cpus)) {
                    byte[] got = v.lookup(Bytes.u32(7)).orElseThrow();
                    if (i % 1000 == 0) {
                        assertArrayEquals(Bytes.u64(42), got);
                    }
                }
            }
            Set<Integer> leaked = FdCount.added(fds, FdCount.bpfNumbers());
            System.out.printf("resources %s: %d program views (open + one lookup + close) in %.1f s; %d BPF fds "
                    + "before, %d new after%n", backend, VIEWS, (System.nanoTime() - t0) / 1e9, fds.size(),
                    leaked.size());
            assertEquals(Set.of(), leaked, "BPF descriptors left open");
        }
    }

    @Test
    @Timeout(120)
    void theCleanerReclaimsMapsNobodyClosed() throws InterruptedException {
        try (MapBackend b = open("linux")) {
            b.create(SMALL).close();
            Set<Integer> fds = FdCount.bpfNumbers();
            Set<Integer> dropped = FdCount.added(fds, createAndForget(b, FORGOTTEN));
            long deadline = System.nanoTime() + 60_000_000_000L;
            Set<Integer> open = openOf(dropped);
            int rounds = 0;
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
                rounds++;
                open = openOf(dropped);
            }
            System.out.printf("resources linux: %d maps created and dropped unclosed (%d new BPF fds); %d still open "
                    + "after %d gc rounds%n", FORGOTTEN, dropped.size(), open.size(), rounds);
            assertTrue(dropped.size() >= FORGOTTEN, "the maps were not all open at once: " + dropped.size());
            assertEquals(Set.of(), open, "the Cleaner did not close these dropped maps' descriptors");
        }
    }

    /** Creates {@code n} maps, returns the BPF descriptors open while all are, and drops the maps unclosed. */
    private static Set<Integer> createAndForget(MapBackend b, int n) {
        List<BpfMap> maps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            maps.add(b.create(SMALL));
        }
        Set<Integer> peak = FdCount.bpfNumbers();
        maps.clear();
        return peak;
    }

    /** Which of {@code fds} are still open BPF descriptors (nothing else opens BPF descriptors meanwhile). */
    private static Set<Integer> openOf(Set<Integer> fds) {
        Set<Integer> now = FdCount.bpfNumbers();
        now.retainAll(fds);
        return now;
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"simulator", "linux"})
    void aClosedHandleNeverReachesTheMapThatReusedItsDescriptor(String backend) {
        try (MapBackend b = open(backend)) {
            // Only map descriptors are compared: the JVM may open a jar or class file between two snapshots.
            Set<Integer> before = FdCount.mapNumbers();
            BpfMap closed = b.create(SMALL);
            Set<Integer> withFirst = FdCount.mapNumbers();
            withFirst.removeAll(before);
            closed.update(Bytes.u32(1), Bytes.u64(1));
            closed.close();
            try (BpfMap other = b.create(SMALL)) {
                Set<Integer> withSecond = FdCount.mapNumbers();
                withSecond.removeAll(before);
                if (backend.equals("linux")) {
                    assertEquals(withFirst, withSecond, "the second map did not get the first map's fd number, so "
                            + "this test would not prove anything");
                    System.out.println("resources linux: closed map's fd " + withFirst + " reused by the next map");
                }
                other.update(Bytes.u32(2), Bytes.u64(2));
                byte[] v = new byte[8];
                byte[] k = new byte[4];
                List<Runnable> calls = List.of(
                        () -> closed.lookup(Bytes.u32(2)),
                        () -> closed.lookup(Bytes.u32(2), v),
                        () -> closed.update(Bytes.u32(3), Bytes.u64(3)),
                        () -> closed.delete(Bytes.u32(2)),
                        () -> closed.nextKey(null, k),
                        () -> closed.lookupAndDelete(Bytes.u32(2), v),
                        () -> closed.freeze(),
                        () -> closed.info(),
                        () -> closed.lookupBatch(null, new byte[4], new byte[4], new byte[8], 1, 0),
                        () -> closed.updateBatch(Bytes.u32(4), Bytes.u64(4), 1, 0),
                        () -> closed.deleteBatch(Bytes.u32(2), 1, 0),
                        () -> closed.pin("/sys/fs/bpf/never"),
                        () -> closed.programView(0).update(Bytes.u32(5), Bytes.u64(5), 0),
                        () -> closed.update(new byte[3], new byte[8]));
                for (Runnable call : calls) {
                    MapClosedException e = assertThrows(MapClosedException.class, call::run);
                    assertEquals(9, e.errno());
                }
                assertArrayEquals(Bytes.u64(2), other.lookup(Bytes.u32(2)).orElseThrow(), "the other map changed");
                assertFalse(other.lookup(Bytes.u32(3)).isPresent(), "a write through the closed handle landed");
                assertFalse(other.lookup(Bytes.u32(5)).isPresent(), "a program write through the closed handle "
                        + "landed");
                assertFalse(other.info().frozen(), "freeze through the closed handle froze the other map");
                assertTrue(other.nextKey(null, k));
                assertArrayEquals(Bytes.u32(2), k);
                assertFalse(other.nextKey(k, new byte[4]), "the other map has more than its one key");
            }
        }
    }

    /**
     * A thread keeps writing through a handle while the main thread closes it and creates new maps that reuse
     * the descriptor: each write either lands in its own map before the close or fails with
     * {@link MapClosedException}; none lands in a newer map.
     */
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"simulator", "linux"})
    @Timeout(120)
    void closeRacingUseNeverHitsTheNextMap(String backend) throws Exception {
        try (MapBackend b = open(backend)) {
            long closedSeen = 0;
            for (int round = 0; round < 300; round++) {
                BpfMap victim = b.create(SMALL);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicReference<Throwable> error = new AtomicReference<>();
                AtomicLong closedCalls = new AtomicLong();
                Thread writer = new Thread(() -> {
                    byte[] marker = Bytes.u64(0xBAD);
                    while (!stop.get()) {
                        try {
                            victim.update(Bytes.u32(9), marker);
                        } catch (MapClosedException e) {
                            closedCalls.incrementAndGet();
                            return;
                        } catch (Throwable t) {
                            error.set(t);
                            return;
                        }
                    }
                });
                writer.start();
                Thread.onSpinWait();
                victim.close();
                List<BpfMap> next = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        next.add(b.create(SMALL));
                    }
                    stop.set(true);
                    writer.join();
                    if (error.get() != null) {
                        throw new AssertionError("a write through a closing handle failed with something other "
                                + "than MapClosedException", error.get());
                    }
                    closedSeen += closedCalls.get();
                    for (BpfMap m : next) {
                        assertFalse(m.lookup(Bytes.u32(9)).isPresent(), "round " + round + ": a write through the "
                                + "closed handle landed in a new map");
                    }
                } finally {
                    stop.set(true);
                    writer.join();
                    next.forEach(BpfMap::close);
                }
            }
            System.out.println("resources " + backend + ": 300 close-while-writing rounds, " + closedSeen
                    + " writes refused with MapClosedException, none landed in a later map");
        }
    }
}
