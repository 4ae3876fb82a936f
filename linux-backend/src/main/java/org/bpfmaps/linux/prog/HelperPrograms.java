package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.BpfAsm.ALU_ADD;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JEQ;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JGT;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JNE;
import static org.bpfmaps.linux.prog.BpfAsm.R0;
import static org.bpfmaps.linux.prog.BpfAsm.R1;
import static org.bpfmaps.linux.prog.BpfAsm.R10;
import static org.bpfmaps.linux.prog.BpfAsm.R2;
import static org.bpfmaps.linux.prog.BpfAsm.R3;
import static org.bpfmaps.linux.prog.BpfAsm.R4;
import static org.bpfmaps.linux.prog.BpfAsm.R6;
import static org.bpfmaps.linux.prog.BpfAsm.R7;
import static org.bpfmaps.linux.prog.BpfAsm.R8;
import static org.bpfmaps.linux.prog.BpfAsm.R9;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_B;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_DW;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_H;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_W;

/**
 * Generates the helper programs of a program view: one raw tracepoint program per helper call kind.
 *
 * <p>Every program starts the same way: it saves its context (the u64 arguments passed with the test run) in
 * r7, looks up element 0 of the scratch map and keeps the pointer in r6. Keys and values are then passed to
 * the helper as pointers into that element, which the verifier accepts as map-value memory of known size.
 * Arguments that are plain numbers (update/push flags, ring buffer flags, record sizes) come from the
 * context: {@code ctx[0]} is the flags word, {@code ctx[1]} a length. The helper's return value is the
 * program's, so a test run's {@code retval} is {@code 0} or {@code -errno}; lookups return {@code -ENOENT}
 * for a NULL result, ring buffer reservations {@code -EAGAIN}.
 */
final class HelperPrograms {
    // Helper ids (include/uapi/linux/bpf.h, ___BPF_FUNC_MAPPER).
    static final int MAP_LOOKUP_ELEM = 1;
    static final int MAP_UPDATE_ELEM = 2;
    static final int MAP_DELETE_ELEM = 3;
    static final int MAP_PUSH_ELEM = 87;
    static final int MAP_POP_ELEM = 88;
    static final int MAP_PEEK_ELEM = 89;
    static final int PROBE_READ_KERNEL = 113;
    static final int RINGBUF_OUTPUT = 130;
    static final int RINGBUF_RESERVE = 131;
    static final int RINGBUF_SUBMIT = 132;
    static final int RINGBUF_DISCARD = 133;
    static final int RINGBUF_QUERY = 134;

    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int EFAULT = 14;
    static final int EINVAL = 22;

    /** Context words passed to every run: {@code ctx[0]} flags, {@code ctx[1]} length. */
    static final int CTX_WORDS = 2;

    /**
     * Copies up to this many bytes with unrolled loads and stores; larger copies use
     * {@code bpf_probe_read_kernel} (one call, but unavailable under kernel lockdown).
     */
    static final int UNROLL_LIMIT = 4096;

    /** The helper call kinds. */
    enum Kind {
        LOOKUP("bpfmaps_lookup"),
        LOOKUP_PRESENCE("bpfmaps_lookup"),
        UPDATE("bpfmaps_update"),
        DELETE("bpfmaps_delete"),
        PUSH("bpfmaps_push"),
        POP("bpfmaps_pop"),
        PEEK("bpfmaps_peek"),
        RINGBUF_OUTPUT("bpfmaps_rb_out"),
        RINGBUF_QUERY("bpfmaps_rb_query"),
        RINGBUF_RESERVE_SUBMIT("bpfmaps_rb_sub"),
        RINGBUF_RESERVE_DISCARD("bpfmaps_rb_disc");

        final String programName;

        Kind(String programName) {
            this.programName = programName;
        }
    }

    private HelperPrograms() {
    }

    /**
     * The program for {@code kind} on the map {@code mapFd} whose per-element value has {@code valueSize}
     * bytes (the per-CPU size for per-CPU maps); {@code size} is the record size of the ring buffer
     * reservations (a constant the verifier needs), else ignored.
     */
    static byte[] generate(Kind kind, int mapFd, int valueSize, ScratchMap scratch, int size) {
        BpfAsm a = new BpfAsm();
        prologue(a, scratch.fd);
        int dataOff = scratch.dataOffset;
        switch (kind) {
            case LOOKUP:
            case LOOKUP_PRESENCE: {
                BpfAsm.Label miss = a.newLabel();
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, ScratchMap.KEY_OFFSET);
                a.call(MAP_LOOKUP_ELEM);
                a.jmp(JMP_JEQ, R0, 0, miss);
                if (kind == Kind.LOOKUP) {
                    copy(a, R6, dataOff, R0, 0, valueSize, R1);
                }
                a.ret(0);
                a.bind(miss).ret(-ENOENT);
                break;
            }
            case UPDATE:
                a.ldx(SIZE_DW, R4, R7, 0);
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, ScratchMap.KEY_OFFSET);
                a.mov64Reg(R3, R6).add64(R3, dataOff);
                a.call(MAP_UPDATE_ELEM).exit();
                break;
            case DELETE:
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, ScratchMap.KEY_OFFSET);
                a.call(MAP_DELETE_ELEM).exit();
                break;
            case PUSH:
                a.ldx(SIZE_DW, R3, R7, 0);
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, dataOff);
                a.call(MAP_PUSH_ELEM).exit();
                break;
            case POP:
            case PEEK:
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, dataOff);
                a.call(kind == Kind.POP ? MAP_POP_ELEM : MAP_PEEK_ELEM).exit();
                break;
            case RINGBUF_OUTPUT: {
                BpfAsm.Label tooLong = a.newLabel();
                a.ldx(SIZE_DW, R3, R7, 8);
                a.jmp(JMP_JGT, R3, scratch.dataCapacity, tooLong);
                a.ldx(SIZE_DW, R4, R7, 0);
                a.ldMapFd(R1, mapFd);
                a.mov64Reg(R2, R6).add64(R2, dataOff);
                a.call(RINGBUF_OUTPUT).exit();
                a.bind(tooLong).ret(-EINVAL);
                break;
            }
            case RINGBUF_QUERY:
                a.ldx(SIZE_DW, R2, R7, 0);
                a.ldMapFd(R1, mapFd);
                a.call(RINGBUF_QUERY);
                a.stx(SIZE_DW, R6, ScratchMap.OUT_OFFSET, R0);
                a.ret(0);
                break;
            case RINGBUF_RESERVE_SUBMIT:
            case RINGBUF_RESERVE_DISCARD: {
                BpfAsm.Label full = a.newLabel();
                a.ldx(SIZE_DW, R9, R7, 0);
                a.ldMapFd(R1, mapFd);
                a.mov64(R2, size);
                a.mov64(R3, 0);
                a.call(RINGBUF_RESERVE);
                a.jmp(JMP_JEQ, R0, 0, full);
                a.mov64Reg(R8, R0);
                if (kind == Kind.RINGBUF_RESERVE_SUBMIT) {
                    copy(a, R8, 0, R6, dataOff, size, R1);
                }
                a.mov64Reg(R1, R8);
                a.mov64Reg(R2, R9);
                a.call(kind == Kind.RINGBUF_RESERVE_SUBMIT ? RINGBUF_SUBMIT : RINGBUF_DISCARD);
                a.ret(0);
                a.bind(full).ret(-EAGAIN);
                break;
            }
            default:
                throw new IllegalArgumentException(kind.toString());
        }
        return a.assemble();
    }

    /** r7 = ctx; r6 = &scratch[0] (or return -EFAULT, which cannot happen for an in-range array index). */
    private static void prologue(BpfAsm a, int scratchFd) {
        BpfAsm.Label found = a.newLabel();
        a.mov64Reg(R7, R1);
        a.st(SIZE_W, R10, -4, 0);
        a.ldMapFd(R1, scratchFd);
        a.mov64Reg(R2, R10).add64(R2, -4);
        a.call(MAP_LOOKUP_ELEM);
        a.jmp(JMP_JNE, R0, 0, found);
        a.ret(-EFAULT);
        a.bind(found).mov64Reg(R6, R0);
    }

    /**
     * Copies {@code len} bytes from {@code src + srcOff} to {@code dst + dstOff}; clobbers {@code tmp}, and
     * r1-r5 for large copies ({@code src} and {@code dst} must then be outside r1-r3).
     */
    static void copy(BpfAsm a, int dst, int dstOff, int src, int srcOff, int len, int tmp) {
        long lastOff = (long) Math.max(dstOff, srcOff) + len;
        if (len > UNROLL_LIMIT || lastOff > Short.MAX_VALUE) {
            a.mov64Reg(R3, src).alu64(ALU_ADD, R3, srcOff);
            a.mov64Reg(R1, dst).alu64(ALU_ADD, R1, dstOff);
            a.mov64(R2, len);
            a.call(PROBE_READ_KERNEL);
            return;
        }
        int i = 0;
        int[][] widths = {{8, SIZE_DW}, {4, SIZE_W}, {2, SIZE_H}, {1, SIZE_B}};
        for (int[] w : widths) {
            while (len - i >= w[0]) {
                a.ldx(w[1], tmp, src, srcOff + i);
                a.stx(w[1], dst, dstOff + i, tmp);
                i += w[0];
            }
        }
    }
}
