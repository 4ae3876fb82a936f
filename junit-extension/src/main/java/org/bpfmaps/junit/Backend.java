package org.bpfmaps.junit;

/** The backends a {@link BpfMapsTest} can run on. */
public enum Backend {
    /** The in-JVM simulated kernel: always available, fresh per test. */
    SIMULATOR("simulator"),
    /** The running Linux kernel: needs the bpfmaps-linux artifact, root or CAP_BPF. */
    LINUX("linux");

    private final String providerName;

    Backend(String providerName) {
        this.providerName = providerName;
    }

    /** The provider name passed to {@link org.bpfmaps.BpfMaps#open(String)}. */
    public String providerName() {
        return providerName;
    }
}
