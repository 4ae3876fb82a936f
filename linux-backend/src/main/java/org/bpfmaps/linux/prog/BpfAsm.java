package org.bpfmaps.linux.prog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A small assembler for eBPF bytecode: typed emit methods for the instructions the program view needs, and
 * labels for forward and backward jumps.
 *
 * <p>Each instruction is one {@code struct bpf_insn} of 8 bytes ({@code include/uapi/linux/bpf.h}):
 * <pre>
 *   byte 0    : code    = operation | source (K: immediate, X: register) | class
 *   byte 1    : dst_reg (bits 0-3) and src_reg (bits 4-7) on little-endian hosts; swapped on big-endian ones
 *   bytes 2-3 : off     (s16, jump distance in instructions or memory offset in bytes)
 *   bytes 4-7 : imm     (s32)
 * </pre>
 * {@code BPF_LD | BPF_IMM | BPF_DW} takes two slots; the second holds the upper 32 bits of the constant in its
 * {@code imm}. With {@code src_reg = BPF_PSEUDO_MAP_FD} (1) the constant is a map file descriptor that the
 * verifier replaces with the map's address.
 *
 * <p>Jump offsets count instructions from the one after the jump. {@link #assemble()} resolves labels and
 * encodes in the host byte order, as {@code BPF_PROG_LOAD} expects. Instances are not thread-safe.
 */
public final class BpfAsm {
    // Registers.
    public static final int R0 = 0;
    public static final int R1 = 1;
    public static final int R2 = 2;
    public static final int R3 = 3;
    public static final int R4 = 4;
    public static final int R5 = 5;
    public static final int R6 = 6;
    public static final int R7 = 7;
    public static final int R8 = 8;
    public static final int R9 = 9;
    /** The read-only frame pointer. */
    public static final int R10 = 10;

    // Instruction classes (bpf_common.h, bpf.h).
    public static final int CLASS_LD = 0x00;
    public static final int CLASS_LDX = 0x01;
    public static final int CLASS_ST = 0x02;
    public static final int CLASS_STX = 0x03;
    public static final int CLASS_ALU = 0x04;
    public static final int CLASS_JMP = 0x05;
    public static final int CLASS_JMP32 = 0x06;
    public static final int CLASS_ALU64 = 0x07;

    // Memory access sizes.
    public static final int SIZE_W = 0x00;
    public static final int SIZE_H = 0x08;
    public static final int SIZE_B = 0x10;
    public static final int SIZE_DW = 0x18;

    // Memory modes.
    public static final int MODE_IMM = 0x00;
    public static final int MODE_MEM = 0x60;

    // Operand source.
    public static final int SRC_K = 0x00;
    public static final int SRC_X = 0x08;

    // ALU operations.
    public static final int ALU_ADD = 0x00;
    public static final int ALU_SUB = 0x10;
    public static final int ALU_MUL = 0x20;
    public static final int ALU_DIV = 0x30;
    public static final int ALU_OR = 0x40;
    public static final int ALU_AND = 0x50;
    public static final int ALU_LSH = 0x60;
    public static final int ALU_RSH = 0x70;
    public static final int ALU_NEG = 0x80;
    public static final int ALU_MOD = 0x90;
    public static final int ALU_XOR = 0xa0;
    public static final int ALU_MOV = 0xb0;
    public static final int ALU_ARSH = 0xc0;

    // Jump operations.
    public static final int JMP_JA = 0x00;
    public static final int JMP_JEQ = 0x10;
    public static final int JMP_JGT = 0x20;
    public static final int JMP_JGE = 0x30;
    public static final int JMP_JSET = 0x40;
    public static final int JMP_JNE = 0x50;
    public static final int JMP_JSGT = 0x60;
    public static final int JMP_JSGE = 0x70;
    public static final int JMP_CALL = 0x80;
    public static final int JMP_EXIT = 0x90;
    public static final int JMP_JLT = 0xa0;
    public static final int JMP_JLE = 0xb0;
    public static final int JMP_JSLT = 0xc0;
    public static final int JMP_JSLE = 0xd0;

    /** {@code src_reg} of a 64-bit immediate load that names a map by file descriptor. */
    public static final int PSEUDO_MAP_FD = 1;

    /** Size of one instruction slot in bytes. */
    public static final int INSN_SIZE = 8;

    /** A jump target; bind it once with {@link #bind(Label)}. */
    public static final class Label {
        private int position = -1;

        private Label() {
        }
    }

    private static final class Slot {
        final int code;
        final int dst;
        final int src;
        int off;
        final int imm;
        final Label target;

        Slot(int code, int dst, int src, int off, int imm, Label target) {
            this.code = code;
            this.dst = dst;
            this.src = src;
            this.off = off;
            this.imm = imm;
            this.target = target;
        }
    }

    private final List<Slot> slots = new ArrayList<>();

    /** A new, unbound label. */
    public Label newLabel() {
        return new Label();
    }

    /** Binds {@code label} to the next instruction emitted. */
    public BpfAsm bind(Label label) {
        if (label.position >= 0) {
            throw new IllegalStateException("label bound twice");
        }
        label.position = slots.size();
        return this;
    }

    /** Number of instruction slots so far (a 64-bit immediate load counts two). */
    public int size() {
        return slots.size();
    }

    /** Emits one raw instruction. */
    public BpfAsm raw(int code, int dst, int src, int off, int imm) {
        checkReg(dst);
        checkReg(src);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of s16 range: " + off);
        }
        slots.add(new Slot(code & 0xff, dst, src, off, imm, null));
        return this;
    }

    // ---- ALU ----

    /** {@code dst = imm} (64-bit, sign-extended). */
    public BpfAsm mov64(int dst, int imm) {
        return raw(CLASS_ALU64 | ALU_MOV | SRC_K, dst, 0, 0, imm);
    }

    /** {@code dst = src} (64-bit). */
    public BpfAsm mov64Reg(int dst, int src) {
        return raw(CLASS_ALU64 | ALU_MOV | SRC_X, dst, src, 0, 0);
    }

    /** {@code dst = (u32) imm}. */
    public BpfAsm mov32(int dst, int imm) {
        return raw(CLASS_ALU | ALU_MOV | SRC_K, dst, 0, 0, imm);
    }

    /** {@code dst op= imm} (64-bit), e.g. {@code alu64(ALU_ADD, R2, -4)}. */
    public BpfAsm alu64(int op, int dst, int imm) {
        return raw(CLASS_ALU64 | op | SRC_K, dst, 0, 0, imm);
    }

    /** {@code dst op= src} (64-bit). */
    public BpfAsm alu64Reg(int op, int dst, int src) {
        return raw(CLASS_ALU64 | op | SRC_X, dst, src, 0, 0);
    }

    /** {@code dst op= imm} (32-bit, upper half zeroed). */
    public BpfAsm alu32(int op, int dst, int imm) {
        return raw(CLASS_ALU | op | SRC_K, dst, 0, 0, imm);
    }

    /** {@code dst op= src} (32-bit, upper half zeroed). */
    public BpfAsm alu32Reg(int op, int dst, int src) {
        return raw(CLASS_ALU | op | SRC_X, dst, src, 0, 0);
    }

    /** {@code dst += imm} (64-bit). */
    public BpfAsm add64(int dst, int imm) {
        return alu64(ALU_ADD, dst, imm);
    }

    /** {@code dst = imm64}: two slots. */
    public BpfAsm ldImm64(int dst, long imm) {
        raw(CLASS_LD | MODE_IMM | SIZE_DW, dst, 0, 0, (int) imm);
        return raw(0, 0, 0, 0, (int) (imm >>> 32));
    }

    /** {@code dst = map fd} ({@code BPF_LD_MAP_FD}): two slots, {@code src_reg = BPF_PSEUDO_MAP_FD}. */
    public BpfAsm ldMapFd(int dst, int mapFd) {
        raw(CLASS_LD | MODE_IMM | SIZE_DW, dst, PSEUDO_MAP_FD, 0, mapFd);
        return raw(0, 0, 0, 0, 0);
    }

    // ---- memory ----

    /** {@code dst = *(size *)(src + off)}; {@code size} one of {@code SIZE_B/H/W/DW}. */
    public BpfAsm ldx(int size, int dst, int src, int off) {
        return raw(CLASS_LDX | MODE_MEM | size, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = src}. */
    public BpfAsm stx(int size, int dst, int off, int src) {
        return raw(CLASS_STX | MODE_MEM | size, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public BpfAsm st(int size, int dst, int off, int imm) {
        return raw(CLASS_ST | MODE_MEM | size, dst, 0, off, imm);
    }

    // ---- jumps ----

    /** {@code if (dst op imm) goto target} (64-bit compare). */
    public BpfAsm jmp(int op, int dst, int imm, Label target) {
        return jump(CLASS_JMP | op | SRC_K, dst, 0, imm, target);
    }

    /** {@code if (dst op src) goto target} (64-bit compare). */
    public BpfAsm jmpReg(int op, int dst, int src, Label target) {
        return jump(CLASS_JMP | op | SRC_X, dst, src, 0, target);
    }

    /** {@code goto target}. */
    public BpfAsm ja(Label target) {
        return jump(CLASS_JMP | JMP_JA, 0, 0, 0, target);
    }

    /** {@code r0 = helper(r1..r5)}; clobbers r1-r5. */
    public BpfAsm call(int helperId) {
        return raw(CLASS_JMP | JMP_CALL, 0, 0, 0, helperId);
    }

    /** {@code return r0}. */
    public BpfAsm exit() {
        return raw(CLASS_JMP | JMP_EXIT, 0, 0, 0, 0);
    }

    /** {@code r0 = imm; return}. */
    public BpfAsm ret(int imm) {
        return mov64(R0, imm).exit();
    }

    private BpfAsm jump(int code, int dst, int src, int imm, Label target) {
        checkReg(dst);
        checkReg(src);
        if (target == null) {
            throw new IllegalArgumentException("jump needs a label");
        }
        slots.add(new Slot(code, dst, src, 0, imm, target));
        return this;
    }

    /** Encodes all instructions, resolving labels; the result has {@code size() * 8} bytes. */
    public byte[] assemble() {
        ByteBuffer out = ByteBuffer.allocate(slots.size() * INSN_SIZE).order(ByteOrder.nativeOrder());
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            int off = s.off;
            if (s.target != null) {
                if (s.target.position < 0) {
                    throw new IllegalStateException("jump at " + i + " to an unbound label");
                }
                off = s.target.position - (i + 1);
                if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
                    throw new IllegalStateException("jump at " + i + " too far: " + off);
                }
            }
            out.put((byte) s.code);
            out.put((byte) (little ? (s.src << 4) | s.dst : (s.dst << 4) | s.src));
            out.putShort((short) off);
            out.putInt(s.imm);
        }
        return out.array();
    }

    private static void checkReg(int reg) {
        if (reg < 0 || reg > 10) {
            throw new IllegalArgumentException("no such register: r" + reg);
        }
    }
}
