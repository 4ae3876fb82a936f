package org.bpfmaps.linux;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.Scratch;
import org.bpfmaps.spi.MapBackendProvider;

/**
 * The {@code linux} backend provider: maps in the running kernel through {@code bpf(2)}.
 *
 * <p>Availability is probed once per class loader, the first time it is asked, by really creating and closing a
 * one-element {@code ARRAY} map. When unavailable, {@link #unavailabilityCause()} says why: not Linux, an
 * architecture whose {@code bpf} syscall number bpfmaps does not know, JNA that failed to load, or {@code bpf()}
 * refused ({@code EPERM}: no {@code CAP_BPF}, or unprivileged BPF disabled). {@link #open(Map)} takes no options.
 */
public final class LinuxProvider implements MapBackendProvider {
    /** The provider's name. */
    public static final String NAME = "linux";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public LinuxProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    @Override
    public Optional<Throwable> unavailabilityCause() {
        return Optional.ofNullable(Probe.CAUSE);
    }

    /**
     * Opens the backend.
     *
     * @throws IllegalArgumentException for any option (this backend has none)
     * @throws IllegalStateException    when the backend is unavailable, with the probe's cause
     */
    @Override
    public MapBackend open(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("the linux backend takes no options; got " + options.keySet());
        }
        if (Probe.CAUSE != null) {
            throw new IllegalStateException("the linux backend is unavailable: " + Probe.CAUSE.getMessage(),
                    Probe.CAUSE);
        }
        return new LinuxBackend();
    }

    @Override
    public String toString() {
        return NAME + (isAvailable() ? " (available)" : " (unavailable: " + Probe.CAUSE.getMessage() + ")");
    }

    /** The availability probe, run once when the class initialises. */
    private static final class Probe {
        static final Throwable CAUSE = probe(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** Why a process on {@code os}/{@code arch} cannot use the backend, or {@code null} when it can. */
    static Throwable probe(String os, String arch) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new UnsupportedOperationException("not Linux: os.name is '" + os + "'");
        }
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("arm64"))) {
            return new UnsupportedOperationException("unknown architecture '" + arch
                    + "': bpfmaps knows the bpf() syscall number of x86_64 and aarch64 only");
        }
        try {
            if (LibC.NR_BPF <= 0) {
                return new IllegalStateException("no bpf() syscall number");
            }
        } catch (Throwable t) {
            return new IllegalStateException("JNA failed to load libc: " + t, t);
        }
        try {
            int fd = Bpf.mapCreate(Scratch.get().attr(), MapType.ARRAY.id(), 4, 4, 1, 0, 0, 0, new byte[0], 0);
            if (fd < 0) {
                BpfException why = BpfException.of(BpfCommand.BPF_MAP_CREATE, -fd, "probe map");
                String hint = why.error() == Errno.EPERM
                        ? ": the process lacks CAP_BPF, or unprivileged BPF is disabled"
                        : why.error() == Errno.ENOSYS ? ": the kernel has no bpf() system call" : "";
                return new IllegalStateException("bpf() refused to create a probe ARRAY map with "
                        + why.error().name() + hint, why);
            }
            LibC.close(fd);
            return null;
        } catch (Throwable t) {
            return new IllegalStateException("the bpf() probe failed: " + t, t);
        }
    }
}
