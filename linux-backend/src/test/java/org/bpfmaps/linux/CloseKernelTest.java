package org.bpfmaps.linux;

import static org.bpfmaps.linux.KernelTests.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloseKernelTest {
    private MapBackend backend;

    @BeforeEach
    void setUp() {
        backend = KernelTests.backend();
    }

    /** The fdinfo line {@code map_id:} of {@code fd}, or -1 when the fd is not an open map. */
    private static int mapIdOfFd(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("map_id:")) {
                    return Integer.parseInt(line.substring("map_id:".length()).trim());
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void closedMapFailsCleanlyAndClosesItsFd() {
        BpfMap map = backend.create(KernelTests.spec(MapType.HASH, 4, 4, 4));
        int fd = ((LinuxMap) map).fd();
        int id = map.id();
        assertEquals(id, mapIdOfFd(fd));
        map.close();
        assertTrue(map.isClosed());
        map.close(); // idempotent
        assertTrue(mapIdOfFd(fd) != id, "fd " + fd + " no longer holds map " + id);
        MapClosedException e = assertThrows(MapClosedException.class, () -> map.lookup(u32(1)));
        assertEquals(BpfCommand.BPF_MAP_LOOKUP_ELEM, e.command());
        assertThrows(MapClosedException.class, () -> map.update(u32(1), u32(1)));
        assertThrows(MapClosedException.class, () -> map.delete(u32(1)));
        assertThrows(MapClosedException.class, () -> map.nextKey(null, new byte[4]));
        assertThrows(MapClosedException.class, () -> map.lookupAndDelete(u32(1), new byte[4]));
        assertThrows(MapClosedException.class, map::freeze);
        assertThrows(MapClosedException.class, map::info);
        assertThrows(MapClosedException.class, () -> map.pin("/sys/fs/bpf/x"));
        assertThrows(MapClosedException.class, () -> map.lookupBatch(null, new byte[4], new byte[4], new byte[4],
                1, 0));
        assertThrows(MapClosedException.class, () -> ((LinuxMap) map).fd());
    }

    @Test
    void concurrentCloseNeverReachesTheKernelWithAStaleFd() throws Exception {
        for (int round = 0; round < 20; round++) {
            BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1));
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            AtomicLong ok = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    ByteBuffer key = ByteBuffer.allocate(4);
                    ByteBuffer value = ByteBuffer.allocate(4);
                    try {
                        start.await();
                        for (;;) {
                            map.lookup(key, value);
                            map.update(key, value, 0);
                            ok.incrementAndGet();
                        }
                    } catch (MapClosedException expected) {
                        // the only acceptable way out
                    } catch (Throwable other) {
                        unexpected.compareAndSet(null, other);
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            long deadline = System.nanoTime() + 60_000_000_000L; // a bound: the workers may start late
            while (ok.get() < 50 && System.nanoTime() < deadline && unexpected.get() == null) {
                Thread.onSpinWait();
            }
            map.close();
            for (Thread w : workers) {
                w.join(10_000);
                assertFalse(w.isAlive(), "worker stopped after close");
            }
            if (unexpected.get() != null) {
                fail("a call on a concurrently closed map failed other than with MapClosedException (round "
                        + round + ")", unexpected.get());
            }
            assertTrue(ok.get() > 0, "workers made calls before the close");
        }
    }

    @Test
    void anUnreachableMapHasItsFdClosedByTheCleaner() throws Exception {
        int[] fdAndId = createAndForget();
        long deadline = System.nanoTime() + 60_000_000_000L; // a bound, not a timing: a loaded machine is slow
        while (mapIdOfFd(fdAndId[0]) == fdAndId[1]) {
            if (System.nanoTime() > deadline) {
                fail("fd " + fdAndId[0] + " of unreachable map " + fdAndId[1] + " still open after 60 s of GC");
            }
            System.gc();
            Thread.sleep(20);
        }
    }

    private int[] createAndForget() {
        BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1));
        return new int[] {((LinuxMap) map).fd(), map.id()};
    }

    @Test
    void withFdKeepsTheFdOpenAcrossAConcurrentClose() {
        BpfMap map = backend.create(KernelTests.spec(MapType.ARRAY, 4, 4, 1));
        int id = map.id();
        int observed = ((LinuxMap) map).withFd(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, fd -> {
            map.close();
            assertTrue(map.isClosed());
            return mapIdOfFd(fd);
        });
        assertEquals(id, observed, "fd still valid inside withFd after close()");
        assertThrows(MapClosedException.class,
                () -> ((LinuxMap) map).withFd(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, fd -> fd));
    }
}
