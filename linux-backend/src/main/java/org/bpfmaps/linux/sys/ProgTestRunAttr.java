package org.bpfmaps.linux.sys;

/**
 * Layout of {@code union bpf_attr} for {@code BPF_PROG_TEST_RUN} (the {@code test} member).
 *
 * <p>Exists so no offset is counted at a call site; offsets follow the 6.18 uapi {@code include/uapi/linux/bpf.h}.
 * <pre>
 *  |                        prog_fd (u32)                        0 |
 *  |                  retval (u32, written back)                 4 |
 *  |                      data_size_in (u32)                     8 |
 *  |                     data_size_out (u32)                    12 |
 *  |                 data_in (u64 user pointer)                 16 |
 *  |                 data_out (u64 user pointer)                24 |
 *  |                        repeat (u32)                        32 |
 *  |                  duration (u32, written back)              36 |
 *  |                      ctx_size_in (u32)                     40 |
 *  |                     ctx_size_out (u32)                     44 |
 *  |                  ctx_in (u64 user pointer)                 48 |
 *  |                  ctx_out (u64 user pointer)                56 |
 *  |                        flags (u32)                         64 |
 *  |                         cpu (u32)                          68 |
 *  |                     batch_size (u32)                       72 |
 * </pre>
 * For {@code BPF_PROG_TYPE_RAW_TRACEPOINT}, {@code ctx_in} is an array of at most 12 u64 arguments and
 * {@code data_*}, {@code ctx_out}, {@code repeat} and {@code duration} must be zero.
 */
public final class ProgTestRunAttr {
    /** Offset of {@code prog_fd}. */
    public static final int PROG_FD_OFFSET = 0;
    /** Offset of {@code retval}, the program's return value (lower 32 bits of r0). */
    public static final int RETVAL_OFFSET = 4;
    /** Offset of {@code data_size_in}. */
    public static final int DATA_SIZE_IN_OFFSET = 8;
    /** Offset of {@code data_size_out}. */
    public static final int DATA_SIZE_OUT_OFFSET = 12;
    /** Offset of {@code data_in}. */
    public static final int DATA_IN_OFFSET = 16;
    /** Offset of {@code data_out}. */
    public static final int DATA_OUT_OFFSET = 24;
    /** Offset of {@code repeat}. */
    public static final int REPEAT_OFFSET = 32;
    /** Offset of {@code duration}. */
    public static final int DURATION_OFFSET = 36;
    /** Offset of {@code ctx_size_in}. */
    public static final int CTX_SIZE_IN_OFFSET = 40;
    /** Offset of {@code ctx_size_out}. */
    public static final int CTX_SIZE_OUT_OFFSET = 44;
    /** Offset of {@code ctx_in}. */
    public static final int CTX_IN_OFFSET = 48;
    /** Offset of {@code ctx_out}. */
    public static final int CTX_OUT_OFFSET = 56;
    /** Offset of {@code flags} ({@link #F_TEST_RUN_ON_CPU}, ...). */
    public static final int FLAGS_OFFSET = 64;
    /** Offset of {@code cpu}, honoured with {@link #F_TEST_RUN_ON_CPU}. */
    public static final int CPU_OFFSET = 68;
    /** Offset of {@code batch_size}. */
    public static final int BATCH_SIZE_OFFSET = 72;
    /** Bytes of the attr bpfmaps passes as {@code size}. */
    public static final int SIZE = 80;

    /** {@code BPF_F_TEST_RUN_ON_CPU}: run on {@code cpu}. */
    public static final int F_TEST_RUN_ON_CPU = 1;
    /** Most u64 arguments a raw tracepoint context holds ({@code MAX_BPF_FUNC_ARGS}). */
    public static final int RAW_TP_MAX_ARGS = 12;

    private ProgTestRunAttr() {
    }
}
