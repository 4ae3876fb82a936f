package org.bpfmaps.conformance.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.PermissionDeniedException;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.HostCpus;
import org.bpfmaps.conformance.KernelRequirement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ring-buffer helpers through a program view never widen the handle's access, on both backends: producing into a
 * RINGBUF writes it, {@code bpf_ringbuf_query} reads it, {@code bpf_user_ringbuf_drain} does both.
 */
class RingBufferHelperAccessTest {

    private static MapBackend open(String backend) {
        if (backend.equals("linux")) {
            KernelRequirement.assumeKernel();
            return BpfMaps.open("linux");
        }
        return BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())));
    }

    private static void assertDenied(Runnable call) {
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class, call::run);
        assertEquals(1, e.errno());
        assertEquals(BpfCommand.PROGRAM_HELPER, e.command());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simulator", "linux"})
    void ringHelpersFollowTheHandlesAccess(String backend) {
        try (MapBackend kernel = open(backend);
             BpfMap ring = kernel.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
             BpfMap readOnly = kernel.openById(ring.id(), Access.READ_ONLY);
             BpfMap writeOnly = kernel.openById(ring.id(), Access.WRITE_ONLY);
             ProgramView ro = readOnly.programView(0);
             ProgramView wo = writeOnly.programView(0);
             ProgramView rw = ring.programView(0)) {
            assertDenied(() -> ro.ringbufOutput(new byte[8], 0));
            assertDenied(() -> ro.ringbufReserveSubmit(new byte[8], 0));
            assertDenied(() -> ro.ringbufReserveDiscard(8, 0));
            assertEquals(0L, ro.ringbufQuery(3), "nothing was produced through the read-only handle");
            assertDenied(() -> wo.ringbufQuery(0));
            assertTrue(wo.ringbufOutput(new byte[8], 0));
            assertEquals(16L, rw.ringbufQuery(3), "one 8-byte record went in through the write-only handle");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simulator", "linux"})
    void userRingDrainNeedsReadAndWrite(String backend) {
        try (MapBackend kernel = open(backend);
             BpfMap ring = kernel.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
             BpfMap readOnly = kernel.openById(ring.id(), Access.READ_ONLY);
             BpfMap writeOnly = kernel.openById(ring.id(), Access.WRITE_ONLY);
             ProgramView ro = readOnly.programView(0);
             ProgramView wo = writeOnly.programView(0);
             ProgramView rw = ring.programView(0)) {
            List<byte[]> drained = new ArrayList<>();
            assertDenied(() -> ro.userRingbufDrain(drained::add, 0));
            assertDenied(() -> wo.userRingbufDrain(drained::add, 0));
            assertEquals(0, rw.userRingbufDrain(drained::add, 0));
            assertTrue(drained.isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simulator", "linux"})
    void readersAndWritersNeedAReadWriteDescriptor(String backend) {
        try (MapBackend kernel = open(backend);
             BpfMap ring = kernel.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
             BpfMap user = kernel.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build())) {
            for (Access access : new Access[] {Access.READ_ONLY, Access.WRITE_ONLY}) {
                try (BpfMap r = kernel.openById(ring.id(), access); BpfMap u = kernel.openById(user.id(), access)) {
                    assertEquals(13, assertThrows(PermissionDeniedException.class,
                            () -> kernel.ringBufferReader(r).close()).errno(), access.name());
                    assertEquals(13, assertThrows(PermissionDeniedException.class,
                            () -> kernel.userRingBufferWriter(u).close()).errno(), access.name());
                }
            }
            kernel.ringBufferReader(ring).close();
            kernel.userRingBufferWriter(user).close();
        }
    }
}
