package org.bpfmaps.cli;

import com.sun.jna.Function;
import com.sun.jna.Memory;

/** Loads the smallest socket filter ({@code r0 = 0; exit}) and pins it, for tests that need a pinned program. */
final class PinnedProgram {
    private static final int SYS_BPF_X86_64 = 321;
    private static final int SYS_BPF_AARCH64 = 280;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_OBJ_PIN = 6;
    private static final int PROG_TYPE_SOCKET_FILTER = 1;

    private PinnedProgram() {
    }

    /** Pins a new program at {@code path}; returns an error text, or null on success. */
    static String pin(String path) {
        String arch = System.getProperty("os.arch");
        int nr = arch.equals("amd64") || arch.equals("x86_64") ? SYS_BPF_X86_64
                : arch.equals("aarch64") ? SYS_BPF_AARCH64 : -1;
        if (nr < 0) {
            return "no bpf syscall number for " + arch;
        }
        Function syscall = Function.getFunction("c", "syscall", Function.THROW_LAST_ERROR);
        Memory insns = new Memory(16);
        insns.clear();
        insns.setByte(0, (byte) 0xb7); // mov r0, 0
        insns.setByte(8, (byte) 0x95); // exit
        Memory license = new Memory(4);
        license.setString(0, "GPL");
        Memory attr = new Memory(144);
        attr.clear();
        attr.setInt(0, PROG_TYPE_SOCKET_FILTER);
        attr.setInt(4, 2);
        attr.setLong(8, com.sun.jna.Pointer.nativeValue(insns));
        attr.setLong(16, com.sun.jna.Pointer.nativeValue(license));
        int fd;
        try {
            fd = syscall.invokeInt(new Object[] {(long) nr, (long) BPF_PROG_LOAD, attr, 144L});
        } catch (com.sun.jna.LastErrorException e) {
            return "BPF_PROG_LOAD: errno " + e.getErrorCode();
        }
        try {
            Memory name = new Memory(path.length() + 1L);
            name.setString(0, path);
            Memory pin = new Memory(120);
            pin.clear();
            pin.setLong(0, com.sun.jna.Pointer.nativeValue(name));
            pin.setInt(8, fd);
            syscall.invokeInt(new Object[] {(long) nr, (long) BPF_OBJ_PIN, pin, 120L});
            return null;
        } catch (com.sun.jna.LastErrorException e) {
            return "BPF_OBJ_PIN: errno " + e.getErrorCode();
        } finally {
            Function.getFunction("c", "close").invokeInt(new Object[] {fd});
        }
    }
}
