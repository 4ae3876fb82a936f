package org.bpfmaps.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.junit.jupiter.api.Test;

/** BPF_OBJ_GET opens any pinned bpf object: opening a pinned program as a map must be refused. */
class PinnedNonMapKernelTest {

    @Test
    void pinnedProgramIsRefusedWithEinvalAndNoDescriptorLeaks() throws Exception {
        MapBackend backend = KernelTests.backend();
        try (KernelTests.Bpffs bpffs = new KernelTests.Bpffs()) {
            Path path = bpffs.path("a_program");
            int prog = loadReturnZeroSocketFilter();
            assertTrue(prog >= 0, "program load failed: errno " + -prog);
            try {
                NativeBuffer name = new NativeBuffer(256);
                byte[] p = (path + "\0").getBytes(StandardCharsets.UTF_8);
                name.buffer().put(0, p);
                assertEquals(0, Bpf.objPin(new NativeBuffer(128), prog, name.address()));
            } finally {
                LibC.close(prog);
            }
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> backend.openPinned(path.toString()));
            assertEquals(22, e.errno());
            assertTrue(e.getMessage().contains("bpf-prog"), e.getMessage());
            // After the first refusal (which may load classes and open jars), refusals leak no descriptor.
            long fdsBefore = openFds();
            for (int i = 0; i < 50; i++) {
                assertThrows(InvalidArgumentException.class, () -> backend.openPinned(path.toString()));
            }
            // At most as many: a Cleaner may close an earlier test's dropped descriptor meanwhile.
            long fdsAfter = openFds();
            assertTrue(fdsAfter <= fdsBefore, "descriptors " + fdsBefore + " -> " + fdsAfter);
            backend.unpin(path.toString());
            assertTrue(Files.notExists(path));
            assertEquals(2, assertThrows(org.bpfmaps.NotFoundException.class,
                    () -> backend.unpin(path.toString())).errno());
        } finally {
            backend.close();
        }
    }

    /** Open descriptors to BPF objects; see {@link org.bpfmaps.linux.KernelTests#descriptorsTo}. */
    private static long openFds() throws java.io.IOException {
        return org.bpfmaps.linux.KernelTests.descriptorsTo("anon_inode:bpf");
    }

    /** BPF_PROG_LOAD of {@code r0 = 0; exit} as a socket filter (type 1), attr laid out by hand. */
    private static int loadReturnZeroSocketFilter() {
        NativeBuffer insns = new NativeBuffer(16);
        insns.buffer().put(0, (byte) 0xb7); // BPF_ALU64 | BPF_MOV | BPF_K, dst r0, imm 0
        insns.buffer().put(8, (byte) 0x95); // BPF_JMP | BPF_EXIT
        NativeBuffer license = new NativeBuffer(8);
        license.buffer().put(0, "GPL\0".getBytes(StandardCharsets.US_ASCII));
        NativeBuffer attr = new NativeBuffer(128);
        attr.buffer().putInt(0, 1);            // prog_type = BPF_PROG_TYPE_SOCKET_FILTER
        attr.buffer().putInt(4, 2);            // insn_cnt
        attr.buffer().putLong(8, insns.address());
        attr.buffer().putLong(16, license.address());
        return LibC.bpf(5, attr.address(), 128);
    }
}
