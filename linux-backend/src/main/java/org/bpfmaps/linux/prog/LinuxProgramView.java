package org.bpfmaps.linux.prog;

import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.ProgramView;

/**
 * Program view of a kernel map: runs helper calls in small BPF programs with {@code BPF_PROG_TEST_RUN}.
 * (Placeholder entry point; the implementation lands with the program-view work.)
 */
public final class LinuxProgramView {
    private LinuxProgramView() {
    }

    /** Opens a program view of {@code map} (whose descriptor is {@code mapFd}) running on {@code cpu}. */
    public static ProgramView open(BpfMap map, int mapFd, int cpu) {
        throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.ENOTSUPP.number(), map.toString(),
                "program views are not implemented on the linux backend yet");
    }
}
