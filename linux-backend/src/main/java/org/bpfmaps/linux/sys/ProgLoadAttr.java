package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for {@code BPF_PROG_LOAD}.
 *
 * <p>Exists so no offset is counted at a call site; offsets follow the 6.18 uapi {@code include/uapi/linux/bpf.h}.
 * <pre>
 *  |                       prog_type (u32)                       0 |
 *  |                       insn_cnt (u32)                        4 |
 *  |                  insns (u64 user pointer)                   8 |
 *  |         license (u64 user pointer, NUL-terminated)         16 |
 *  |                       log_level (u32)                      24 |
 *  |                       log_size (u32)                       28 |
 *  |                 log_buf (u64 user pointer)                 32 |
 *  |                     kern_version (u32)                     40 |
 *  |                      prog_flags (u32)                      44 |
 *  |                  prog_name (char[16])                      48 |
 *  |                     prog_ifindex (u32)                     64 |
 *  |                 expected_attach_type (u32)                 68 |
 *  |   prog_btf_fd, func_info*, line_info*, attach_btf_id ...   72 |
 *  |                      fd_array (u64)                       120 |
 *  |                      core_relos (u64)                     128 |
 *  |                  core_relo_rec_size (u32)                 136 |
 *  |              log_true_size (u32, written back)            140 |
 *  |                    prog_token_fd (s32)                    144 |
 *  |                    fd_array_cnt (u32)                     148 |
 * </pre>
 * bpfmaps sends the prefix up to and including {@code log_true_size} ({@link #SIZE}).
 */
public final class ProgLoadAttr {
    /** Offset of {@code prog_type} ({@code enum bpf_prog_type}). */
    public static final int PROG_TYPE_OFFSET = 0;
    /** Offset of {@code insn_cnt}, the number of 8-byte instruction slots. */
    public static final int INSN_CNT_OFFSET = 4;
    /** Offset of {@code insns}, a pointer to the instructions. */
    public static final int INSNS_OFFSET = 8;
    /** Offset of {@code license}, a pointer to a NUL-terminated string. */
    public static final int LICENSE_OFFSET = 16;
    /** Offset of {@code log_level} (0: no log, 1: verifier log, 2: verbose). */
    public static final int LOG_LEVEL_OFFSET = 24;
    /** Offset of {@code log_size}, the log buffer's size. */
    public static final int LOG_SIZE_OFFSET = 28;
    /** Offset of {@code log_buf}, a pointer to the verifier log buffer. */
    public static final int LOG_BUF_OFFSET = 32;
    /** Offset of {@code kern_version}. */
    public static final int KERN_VERSION_OFFSET = 40;
    /** Offset of {@code prog_flags} ({@code BPF_F_SLEEPABLE}, ...). */
    public static final int PROG_FLAGS_OFFSET = 44;
    /** Offset of {@code prog_name}. */
    public static final int PROG_NAME_OFFSET = 48;
    /** Length of {@code prog_name} ({@code BPF_OBJ_NAME_LEN}), including its NUL. */
    public static final int PROG_NAME_LENGTH = 16;
    /** Offset of {@code prog_ifindex}. */
    public static final int PROG_IFINDEX_OFFSET = 64;
    /** Offset of {@code expected_attach_type}. */
    public static final int EXPECTED_ATTACH_TYPE_OFFSET = 68;
    /** Offset of {@code fd_array}. */
    public static final int FD_ARRAY_OFFSET = 120;
    /** Offset of {@code log_true_size}, the full log length the kernel wanted to write. */
    public static final int LOG_TRUE_SIZE_OFFSET = 140;
    /** Bytes bpfmaps passes as {@code size}: up to the end of {@code log_true_size}. */
    public static final int SIZE = LOG_TRUE_SIZE_OFFSET + 4;

    /** {@code BPF_PROG_TYPE_RAW_TRACEPOINT}. */
    public static final int PROG_TYPE_RAW_TRACEPOINT = 17;
    /** {@code BPF_PROG_TYPE_SYSCALL}. */
    public static final int PROG_TYPE_SYSCALL = 31;

    private ProgLoadAttr() {
    }
}
