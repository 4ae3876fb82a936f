package org.bpfmaps.simulator.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.Test;

/** End-to-end through SimulatedKernel once DelegatedMapObject is wired in (not committed: needs the lead's edits). */
class WiredMapsTest {

    private static int errno(Runnable r) {
        BpfException e = assertThrows(BpfException.class, r::run);
        return e.errno();
    }

    @Test
    void lpmThroughTheKernel() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build()) {
            assertTrue(k.isSupported(MapType.LPM_TRIE));
            assertEquals(22, errno(() -> k.create(MapSpec.builder(MapType.LPM_TRIE).keySize(8).valueSize(4)
                    .maxEntries(8).build())));
            BpfMap m = k.create(MapSpec.builder(MapType.LPM_TRIE).keySize(8).valueSize(4).maxEntries(8)
                    .flags(MapFlag.NO_PREALLOC).build());
            m.update(LpmTrieTest.v4("10.0.0.0", 8), LpmTrieTest.val(1), 0);
            m.update(LpmTrieTest.v4("10.1.0.0", 16), LpmTrieTest.val(2), 0);
            assertEquals(Optional.empty().isPresent(), m.lookup(LpmTrieTest.v4("11.0.0.0", 32)).isPresent());
            assertArrayEquals(LpmTrieTest.val(2), m.lookup(LpmTrieTest.v4("10.1.9.9", 32)).get());
            assertEquals(524, errno(() -> m.lookupAndDelete(LpmTrieTest.v4("10.0.0.0", 8), new byte[4], 0)));
            assertEquals(32 * 2, m.info().memlock());
            ProgramView p = m.programView(1);
            assertArrayEquals(LpmTrieTest.val(1), p.lookup(LpmTrieTest.v4("10.2.0.0", 32)).get());
            assertEquals(22, errno(() -> p.push(new byte[4], 0)));
        }
    }

    @Test
    void queueStackBloomThroughTheKernel() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(2).build()) {
            BpfMap q = k.create(MapSpec.builder(MapType.QUEUE).keySize(0).valueSize(4).maxEntries(2).build());
            q.update(null, new byte[] {1, 0, 0, 0}, 0);
            q.update(null, new byte[] {2, 0, 0, 0}, 0);
            assertEquals(7, errno(() -> q.update(null, new byte[] {3, 0, 0, 0}, 0)));
            q.update(null, new byte[] {3, 0, 0, 0}, 2);
            byte[] out = new byte[4];
            assertTrue(q.lookupAndDelete(null, out, 0));
            assertEquals(2, out[0]);
            assertEquals(22, errno(() -> q.delete((byte[]) null)));
            ProgramView p = q.programView(0);
            assertTrue(p.pop(out));
            assertEquals(3, out[0]);
            assertFalse(p.pop(out));
            p.push(new byte[] {9, 0, 0, 0}, 0);
            assertTrue(p.peek(out));
            assertEquals(9, out[0]);
            q.freeze();
            assertEquals(1, errno(() -> q.update(null, new byte[4], 0)));

            BpfMap b = k.create(MapSpec.builder(MapType.BLOOM_FILTER).keySize(0).valueSize(4).maxEntries(100)
                    .flags(MapFlag.ZERO_SEED).mapExtra(3).build());
            assertEquals(22, errno(() -> k.create(MapSpec.builder(MapType.BLOOM_FILTER).keySize(0).valueSize(4)
                    .maxEntries(100).mapExtra(16).build())));
            b.update(null, new byte[] {1, 2, 3, 4}, 0);
            assertTrue(b.lookup(null, new byte[] {1, 2, 3, 4}, 0));
            assertFalse(b.lookup(null, new byte[] {4, 3, 2, 1}, 0));
            assertEquals(95, errno(() -> b.delete((byte[]) null)));
            assertEquals(22, errno(() -> b.update(null, new byte[4], 2)));
            assertTrue(b.programView(0).peek(new byte[] {1, 2, 3, 4}));
            assertEquals(22, errno(() -> b.programView(0).pop(new byte[4])));
        }
    }
}
