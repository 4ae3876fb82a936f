package org.bpfmaps.linux.prog;

import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;

/**
 * Moves the calling thread onto one CPU for the duration of a test run and back afterwards.
 *
 * <p>With {@code BPF_F_TEST_RUN_ON_CPU} the kernel runs the program right away when the caller already is on
 * the requested CPU, and otherwise sends it there by IPI, where it runs in interrupt context on behalf of
 * another task. Pinning first makes the run an ordinary one in the calling task, as a raw tracepoint program
 * would normally run. The program view does not depend on it for correctness: everything a program reads
 * or writes lives in kernel memory (the copied context and the scratch map), so when pinning is refused
 * (a cpuset without that CPU) the IPI path still gives the right result.
 */
final class CpuAffinity {
    /** Bytes of the CPU masks; enough for 8192 CPUs and at least the kernel's {@code nr_cpu_ids} bits. */
    private final int maskBytes;
    private final NativeBuffer saved;
    private final NativeBuffer target;

    CpuAffinity(int possibleCpus) {
        int bytes = Math.max(128, ((possibleCpus + 63) / 64) * 8);
        this.maskBytes = bytes;
        this.saved = new NativeBuffer(bytes);
        this.target = new NativeBuffer(bytes);
    }

    /**
     * Pins the calling thread to {@code cpu} unless it already runs there.
     *
     * @return whether the mask was changed (so {@link #restore()} must follow)
     */
    boolean pin(int cpu) {
        if (LibC.sched_getcpu() == cpu) {
            return false;
        }
        if (LibC.sched_getaffinity(0, maskBytes, saved.address()) != 0) {
            return false;
        }
        target.zero(0, maskBytes);
        int index = cpu / 8;
        if (index >= maskBytes) {
            return false;
        }
        target.buffer().put(index, (byte) (1 << (cpu % 8)));
        return LibC.sched_setaffinity(0, maskBytes, target.address()) == 0;
    }

    /** Restores the mask saved by the last successful {@link #pin(int)}. */
    void restore() {
        LibC.sched_setaffinity(0, maskBytes, saved.address());
    }

    void free() {
        saved.free();
        target.free();
    }
}
