package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class PossibleCpusTest {
    @Test
    void parsesKernelCpuLists() {
        assertEquals(1, PossibleCpus.parse("0\n").cardinality());
        assertEquals(2, PossibleCpus.parse("0-1\n").cardinality());
        BitSet holes = PossibleCpus.parse("0-3,8-11");
        assertEquals(8, holes.cardinality());
        assertEquals("{0, 1, 2, 3, 8, 9, 10, 11}", holes.toString());
        assertEquals("{0, 2, 5, 6, 7}", PossibleCpus.parse("0,2,5-7").toString());
    }

    @Test
    void refusesGarbage() {
        assertThrows(IllegalArgumentException.class, () -> PossibleCpus.parse(""));
        assertThrows(IllegalArgumentException.class, () -> PossibleCpus.parse("x"));
        assertThrows(IllegalArgumentException.class, () -> PossibleCpus.parse("3-1"));
    }
}
