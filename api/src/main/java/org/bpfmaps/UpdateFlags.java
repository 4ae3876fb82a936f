package org.bpfmaps;

/**
 * The {@code flags} of element commands ({@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST},
 * {@code BPF_F_LOCK}, ...), as the kernel's u64 bit values.
 */
public final class UpdateFlags {
    /** Create a new element or update an existing one. */
    public static final long ANY = 0;
    /** Create a new element only; an existing key fails with {@code EEXIST}. */
    public static final long NOEXIST = 1;
    /** Update an existing element only; a missing key fails with {@code ENOENT}. */
    public static final long EXIST = 2;
    /** Take the value's {@code bpf_spin_lock}; needs a BTF-described lock in the value, else {@code EINVAL}. */
    public static final long F_LOCK = 4;
    /** Per-CPU maps: act on the CPU in the upper 32 bits. Linux 6.19 and later; 6.18 answers {@code EINVAL}. */
    public static final long F_CPU = 8;
    /** Per-CPU maps: write one value to all CPUs. Linux 6.19 and later; 6.18 answers {@code EINVAL}. */
    public static final long F_ALL_CPUS = 16;

    /** Ring buffer helpers: do not wake the consumer. */
    public static final long RB_NO_WAKEUP = 1;
    /** Ring buffer helpers: wake the consumer unconditionally. */
    public static final long RB_FORCE_WAKEUP = 2;

    private UpdateFlags() {
    }

    /** A short text for a flags value, e.g. {@code NOEXIST|F_LOCK} or {@code 0x20}. */
    public static String describe(long flags) {
        if (flags == ANY) {
            return "ANY";
        }
        StringBuilder sb = new StringBuilder();
        long rest = flags;
        String[] names = {"NOEXIST", "EXIST", "F_LOCK", "F_CPU", "F_ALL_CPUS"};
        for (int i = 0; i < names.length; i++) {
            long bit = 1L << i;
            if ((rest & bit) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
                rest &= ~bit;
            }
        }
        if (rest != 0) {
            sb.append(sb.length() == 0 ? "" : "|").append("0x").append(Long.toHexString(rest));
        }
        return sb.toString();
    }
}
