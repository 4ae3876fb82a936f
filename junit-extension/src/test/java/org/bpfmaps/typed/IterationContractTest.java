package org.bpfmaps.typed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.junit.Backend;
import org.bpfmaps.junit.BpfMapDef;
import org.bpfmaps.junit.BpfMapsTest;

/** The key iterator's contract when the map changes underneath: bounded restarts, then a clear exception. */
class IterationContractTest {

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void deletingTheCurrentKeyRestartsFromTheFirstKey(
            @BpfMapDef(type = MapType.HASH, maxEntries = 16, flags = MapFlag.ZERO_SEED) TypedMap<Integer, Long> map) {
        for (int i = 0; i < 10; i++) {
            map.put(i, (long) i);
        }
        List<Integer> seen = new ArrayList<>();
        Iterator<Integer> it = map.keyIterator();
        Integer first = it.next();
        seen.add(first);
        Integer second = it.next();
        seen.add(second);
        map.remove(second); // the key the walk stands on
        while (it.hasNext()) {
            seen.add(it.next());
        }
        Set<Integer> expected = new HashSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertTrue(new HashSet<>(seen).containsAll(expected), "every key still seen after the restart: " + seen);
        assertEquals(first, seen.get(2), "the walk restarted from the first key: " + seen);
        assertEquals(11, seen.size(), "the first key came twice, nothing else: " + seen);
        assertEquals(1, ((KeyIterator<Integer>) it).restarts());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void tooManyRestartsThrow(@BpfMapDef(type = MapType.HASH, maxEntries = 16) TypedMap<Integer, Long> map) {
        for (int i = 0; i < 10; i++) {
            map.put(i, (long) i);
        }
        map.setMaxRestarts(2);
        Iterator<Integer> it = map.keyIterator();
        ConcurrentModificationException e = assertThrows(ConcurrentModificationException.class, () -> {
            while (it.hasNext()) {
                map.remove(it.next()); // every step loses its place
            }
        });
        assertTrue(e.getMessage().contains("lost its place 3 times"), e.getMessage());
        assertTrue(e.getMessage().contains("giving up after 2 restarts"), e.getMessage());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void removingWhileWalkingWithNoRestartsAllowedFailsAtOnce(
            @BpfMapDef(type = MapType.HASH, maxEntries = 4) TypedMap<Integer, Long> map) {
        map.put(1, 1L);
        map.put(2, 2L);
        map.setMaxRestarts(0);
        Iterator<Integer> it = map.keyIterator();
        map.remove(it.next());
        assertThrows(ConcurrentModificationException.class, it::hasNext);
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void churnFromAnotherThreadNeverLoopsForever(
            @BpfMapDef(type = MapType.HASH, maxEntries = 64) TypedMap<Integer, Long> map) throws Exception {
        for (int i = 0; i < 64; i++) {
            map.put(i, (long) i);
        }
        AtomicBoolean stop = new AtomicBoolean();
        TypedMap<Integer, Long> writerView = TypedMap.of(map.map(), map.keyCodec(), map.valueCodec());
        Thread churn = new Thread(() -> {
            int n = 64;
            while (!stop.get()) {
                writerView.remove(n - 64);
                writerView.put(n, (long) n);
                n++;
            }
        });
        churn.start();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int round = 0; round < 50; round++) {
                    try {
                        long count = map.keyStream().count();
                        assertTrue(count <= 64L * (KeyedView.DEFAULT_MAX_RESTARTS + 2) + 1, "bounded: " + count);
                    } catch (ConcurrentModificationException expected) {
                        assertTrue(expected.getMessage().startsWith("iteration of map "), expected.getMessage());
                    }
                }
            });
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
