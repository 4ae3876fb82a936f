package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.KernelMaps.u32;
import static org.bpfmaps.linux.prog.KernelMaps.u64;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.linux.prog.KernelMaps.TestMap;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prints what one program-view call costs next to a plain syscall lookup, measured in the same run. Not an
 * assertion: a rough wall-clock mean over many calls (no JMH), for orientation only.
 */
class ProgramViewCostTest {
    private static final int WARMUP = 20_000;
    private static final int CALLS = Integer.getInteger("bpfmaps.cost.calls", 50_000);

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    @Test
    void printPerCallCosts() {
        int cpus = KernelMaps.possibleCpus();
        NativeBuffer mask = new NativeBuffer(128);
        NativeBuffer saved = new NativeBuffer(128);
        NativeBuffer attr = new NativeBuffer(32);
        NativeBuffer key = new NativeBuffer(8);
        NativeBuffer value = new NativeBuffer(8);
        LibC.sched_getaffinity(0, 128, saved.address());
        try (TestMap m = new TestMap(MapType.HASH, 4, 8, 1024, 0);
             ProgramView v0 = LinuxProgramView.open(m.map, m.fd, 0, true);
             ProgramView v1 = LinuxProgramView.open(m.map, m.fd, cpus - 1, true);
             ProgramView i0 = LinuxProgramView.open(m.map, m.fd, 0, false);
             ProgramView i1 = LinuxProgramView.open(m.map, m.fd, cpus - 1, false)) {
            Assertions.assertEquals(0, m.update(u32(1), u64(42), 0));
            // Pin this thread to CPU 0 for the same-CPU numbers.
            mask.buffer().put(0, (byte) 1);
            Assertions.assertEquals(0, LibC.sched_setaffinity(0, 128, mask.address()));

            ByteBuffer a = attr.buffer();
            key.buffer().putInt(0, 1);
            Runnable syscall = () -> {
                a.putInt(0, m.fd);
                a.putLong(8, key.address());
                a.putLong(16, value.address());
                a.putLong(24, 0);
                if (LibC.bpf(KernelMaps.BPF_MAP_LOOKUP_ELEM, attr.address(), 32) != 0) {
                    throw new AssertionError("lookup failed");
                }
            };
            byte[] k = u32(1);
            byte[] out = new byte[8];
            StringBuilder report = new StringBuilder("program view cost (HASH 4B key, 8B value), mean per call:\n");
            report.append(line("syscall BPF_MAP_LOOKUP_ELEM", time(syscall)));
            report.append(line("program lookup, same CPU", time(() -> v0.lookup(k, out))));
            report.append(line("program update, same CPU", time(() -> v0.update(k, u64(42), 0))));
            if (cpus > 1) {
                report.append(line("program lookup, other CPU, IPI (no pin)", time(() -> i1.lookup(k, out))));
                // Alternating CPUs with the thread's own affinity wide: every call moves the thread.
                LibC.sched_setaffinity(0, 128, saved.address());
                report.append(line("program lookup, alternating CPUs, pin+restore",
                        time(CALLS / 20, () -> {
                            v0.lookup(k, out);
                            v1.lookup(k, out);
                        }) / 2));
                report.append(line("program lookup, alternating CPUs, IPI (no pin)",
                        time(CALLS, () -> {
                            i0.lookup(k, out);
                            i1.lookup(k, out);
                        }) / 2));
            }
            mask.buffer().put(0, (byte) 1);
            LibC.sched_setaffinity(0, 128, mask.address());
            report.append(line("syscall BPF_MAP_LOOKUP_ELEM (again, last)", time(syscall)));
            report.append(line("program lookup, same CPU (again, last)", time(() -> v0.lookup(k, out))));
            System.out.print(report);
        } finally {
            LibC.sched_setaffinity(0, 128, saved.address());
            mask.free();
            saved.free();
            attr.free();
            key.free();
            value.free();
        }
    }

    private static String line(String what, double nanos) {
        return String.format(Locale.ROOT, "  %-50s %8.0f ns%n", what, nanos);
    }

    private static double time(Runnable r) {
        return time(CALLS, r);
    }

    private static double time(int calls, Runnable r) {
        for (int i = 0; i < Math.min(WARMUP, calls); i++) {
            r.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        return (System.nanoTime() - t0) / (double) calls;
    }
}
