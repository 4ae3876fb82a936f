package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.KernelMaps.u32;
import static org.bpfmaps.linux.prog.KernelMaps.u64;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prints what one program-view call costs next to syscall lookups, measured in the same run. Not an
 * assertion and not JMH: each figure is the best of {@value #ROUNDS} rounds' mean wall-clock time per call,
 * which damps the noise of a busy machine. Property {@code bpfmaps.cost.calls} sets calls per round.
 */
class ProgramViewCostTest {
    private static final int ROUNDS = 5;
    private static final int CALLS = Integer.getInteger("bpfmaps.cost.calls", 20_000);

    @BeforeEach
    void kernel() {
        KernelMaps.requireKernel();
    }

    @Test
    void printPerCallCosts() {
        MapBackend backend = BpfMaps.open("linux");
        int cpus = backend.possibleCpus();
        NativeBuffer mask = new NativeBuffer(128);
        NativeBuffer saved = new NativeBuffer(128);
        NativeBuffer attr = new NativeBuffer(32);
        NativeBuffer key = new NativeBuffer(8);
        NativeBuffer value = new NativeBuffer(8);
        LibC.sched_getaffinity(0, 128, saved.address());
        try (BpfMap m = backend.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(1024).build());
             ProgramView v0 = LinuxProgramView.open(m, ((LinuxMap) m).fd(), 0, true);
             ProgramView v1 = LinuxProgramView.open(m, ((LinuxMap) m).fd(), cpus - 1, true);
             ProgramView i0 = LinuxProgramView.open(m, ((LinuxMap) m).fd(), 0, false);
             ProgramView i1 = LinuxProgramView.open(m, ((LinuxMap) m).fd(), cpus - 1, false)) {
            int fd = ((LinuxMap) m).fd();
            m.update(u32(1), u64(42));
            ByteBuffer a = attr.buffer();
            key.buffer().putInt(0, 1);
            Runnable rawSyscall = () -> {
                a.putInt(0, fd);
                a.putLong(8, key.address());
                a.putLong(16, value.address());
                a.putLong(24, 0);
                if (LibC.bpf(KernelMaps.BPF_MAP_LOOKUP_ELEM, attr.address(), 32) != 0) {
                    throw new AssertionError("lookup failed");
                }
            };
            byte[] k = u32(1);
            byte[] out = new byte[8];
            byte[] v42 = u64(42);
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                    "program view cost (HASH 4B key, 8B value), best of %d rounds x %d calls, mean per call:%n",
                    ROUNDS, CALLS));
            // Same-CPU figures with this thread pinned to CPU 0.
            mask.buffer().put(0, (byte) 1);
            Assertions.assertEquals(0, LibC.sched_setaffinity(0, 128, mask.address()));
            report.append(line("raw bpf(BPF_MAP_LOOKUP_ELEM)", time(CALLS, rawSyscall)));
            report.append(line("LinuxMap.lookup(byte[], byte[])", time(CALLS, () -> m.lookup(k, out))));
            report.append(line("program lookup, caller on the CPU", time(CALLS, () -> v0.lookup(k, out))));
            report.append(line("program update, caller on the CPU", time(CALLS, () -> v0.update(k, v42, 0))));
            if (cpus > 1) {
                report.append(line("program lookup, other CPU by IPI", time(CALLS, () -> i1.lookup(k, out))));
                report.append(line("program lookup, other CPU, pin there and back",
                        time(CALLS / 20, () -> v1.lookup(k, out))));
            }
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
        return String.format(Locale.ROOT, "  %-48s %8.0f ns%n", what, nanos);
    }

    private static double time(int calls, Runnable r) {
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / (double) calls);
        }
        return best;
    }
}
