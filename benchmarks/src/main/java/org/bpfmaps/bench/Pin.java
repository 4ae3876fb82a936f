package org.bpfmaps.bench;

import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;

/** Pins the calling thread to one CPU (linux rows: the same CPU the C floors run on under {@code taskset -c 0}). */
final class Pin {
    private Pin() {
    }

    /** Pins the calling thread to {@code cpu}; {@code false} when the kernel refused. */
    static boolean toCpu(int cpu) {
        NativeBuffer mask = new NativeBuffer(128);
        try {
            mask.buffer().put(cpu / 8, (byte) (1 << (cpu % 8)));
            return LibC.sched_setaffinity(0, 128, mask.address()) == 0;
        } finally {
            mask.free();
        }
    }
}
