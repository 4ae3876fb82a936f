package org.bpfmaps.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

class DescriptorTableTest {
    private static final MapSpec SPEC = MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build();

    @Test
    void descriptorsAreNumberedLowestFreeFromThree() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).build()) {
            BpfMap a = k.create(SPEC);
            BpfMap b = k.create(SPEC);
            BpfMap c = k.openById(a.id());
            assertEquals(3, a.fd());
            assertEquals(4, b.fd());
            assertEquals(5, c.fd());
            b.close();
            assertThrows(MapClosedException.class, b::fd);
            BpfMap d = k.openById(a.id(), Access.READ_ONLY);
            assertEquals(4, d.fd(), "the lowest free number is reused");
            assertNotEquals(a.id(), k.create(SPEC).id());
        }
    }

    @Test
    void numbersResolveToTheirHandleOrToTheKernelsErrno() {
        try (SimulatedKernel k = SimulatedKernel.builder().cpus(1).build()) {
            BpfMap a = k.create(SPEC);
            assertSame(a, k.descriptor(a.fd()));
            for (int stdio = 0; stdio < 3; stdio++) {
                assertNull(k.descriptor(stdio));
                assertEquals(22, SimulatedKernel.fdErrno(stdio), "fd " + stdio + " is open but not a map");
            }
            assertNull(k.descriptor(a.fd() + 1));
            assertEquals(9, SimulatedKernel.fdErrno(a.fd() + 1));
            assertEquals(9, SimulatedKernel.fdErrno(-1));
            a.close();
            assertNull(k.descriptor(3), "a closed descriptor resolves to nothing");
        }
    }
}
