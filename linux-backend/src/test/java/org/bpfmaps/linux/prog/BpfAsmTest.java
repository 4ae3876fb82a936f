package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.BpfAsm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Encodings checked against bytes derived by hand from {@code struct bpf_insn} and the opcode constants of
 * {@code include/uapi/linux/bpf.h} / {@code bpf_common.h} (little-endian host: dst_reg in the low nibble).
 */
class BpfAsmTest {

    @BeforeAll
    static void littleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    private static String hex(BpfAsm a) {
        return HexFormat.ofDelimiter(" ").formatHex(a.assemble());
    }

    @Test
    void mov64Immediate() {
        // BPF_ALU64 (0x07) | BPF_MOV (0xb0) | BPF_K (0x00) = 0xb7
        assertEquals("b7 00 00 00 00 00 00 00", hex(new BpfAsm().mov64(R0, 0)));
        assertEquals("b7 03 00 00 fe ff ff ff", hex(new BpfAsm().mov64(R3, -2)));
    }

    @Test
    void mov64RegisterPutsSourceInHighNibble() {
        // BPF_ALU64 | BPF_MOV | BPF_X (0x08) = 0xbf; regs byte = src << 4 | dst
        assertEquals("bf a2 00 00 00 00 00 00", hex(new BpfAsm().mov64Reg(R2, R10)));
    }

    @Test
    void aluImmediateAndRegister() {
        assertEquals("07 02 00 00 fc ff ff ff", hex(new BpfAsm().add64(R2, -4)));
        assertEquals("b4 01 00 00 07 00 00 00", hex(new BpfAsm().mov32(R1, 7)));
        // BPF_ALU (0x04) | BPF_ADD | BPF_X = 0x0c
        assertEquals("0c 21 00 00 00 00 00 00", hex(new BpfAsm().alu32Reg(ALU_ADD, R1, R2)));
        // BPF_ALU64 | BPF_LSH (0x60) | BPF_K = 0x67
        assertEquals("67 04 00 00 20 00 00 00", hex(new BpfAsm().alu64(ALU_LSH, R4, 32)));
    }

    @Test
    void exitAndCall() {
        // BPF_JMP (0x05) | BPF_EXIT (0x90) = 0x95; BPF_JMP | BPF_CALL (0x80) = 0x85, imm = helper id
        assertEquals("95 00 00 00 00 00 00 00", hex(new BpfAsm().exit()));
        assertEquals("85 00 00 00 01 00 00 00", hex(new BpfAsm().call(1)));
        assertEquals("85 00 00 00 86 00 00 00", hex(new BpfAsm().call(134)));
    }

    @Test
    void mapFdLoadTakesTwoSlots() {
        // BPF_LD (0x00) | BPF_IMM (0x00) | BPF_DW (0x18) = 0x18; src_reg = BPF_PSEUDO_MAP_FD (1)
        BpfAsm a = new BpfAsm().ldMapFd(R1, 5);
        assertEquals(2, a.size());
        assertEquals("18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00", hex(a));
    }

    @Test
    void imm64SplitsIntoLowAndHighHalves() {
        assertEquals("18 03 00 00 88 77 66 55 00 00 00 00 44 33 22 11",
                hex(new BpfAsm().ldImm64(R3, 0x1122334455667788L)));
    }

    @Test
    void memoryAccessesOfEverySize() {
        // LDX: 0x01 | BPF_MEM (0x60) | size (W 0x00, H 0x08, B 0x10, DW 0x18)
        assertEquals("79 01 08 00 00 00 00 00", hex(new BpfAsm().ldx(SIZE_DW, R1, R0, 8)));
        assertEquals("61 01 04 00 00 00 00 00", hex(new BpfAsm().ldx(SIZE_W, R1, R0, 4)));
        assertEquals("69 01 02 00 00 00 00 00", hex(new BpfAsm().ldx(SIZE_H, R1, R0, 2)));
        assertEquals("71 01 01 00 00 00 00 00", hex(new BpfAsm().ldx(SIZE_B, R1, R0, 1)));
        // STX: 0x03 | BPF_MEM | size
        assertEquals("7b 16 10 00 00 00 00 00", hex(new BpfAsm().stx(SIZE_DW, R6, 16, R1)));
        assertEquals("63 16 10 00 00 00 00 00", hex(new BpfAsm().stx(SIZE_W, R6, 16, R1)));
        assertEquals("6b 16 10 00 00 00 00 00", hex(new BpfAsm().stx(SIZE_H, R6, 16, R1)));
        assertEquals("73 16 10 00 00 00 00 00", hex(new BpfAsm().stx(SIZE_B, R6, 16, R1)));
        // ST: 0x02 | BPF_MEM | size, imm stored
        assertEquals("62 0a fc ff 00 00 00 00", hex(new BpfAsm().st(SIZE_W, R10, -4, 0)));
        assertEquals("7a 0a f8 ff 2a 00 00 00", hex(new BpfAsm().st(SIZE_DW, R10, -8, 42)));
    }

    @Test
    void forwardJumpCountsFromTheNextInstruction() {
        BpfAsm a = new BpfAsm();
        BpfAsm.Label l = a.newLabel();
        a.jmp(JMP_JEQ, R0, 0, l).mov64(R0, 1).exit().bind(l).mov64(R0, 2);
        String h = hex(a);
        // BPF_JMP | BPF_JEQ (0x10) | BPF_K = 0x15, off = 2
        assertEquals("15 00 02 00 00 00 00 00", h.substring(0, 23));
    }

    @Test
    void backwardJumpHasNegativeOffset() {
        BpfAsm a = new BpfAsm();
        BpfAsm.Label top = a.newLabel();
        a.bind(top).mov64(R0, 0).ja(top);
        // BPF_JMP | BPF_JA (0x00) = 0x05, off = 0 - 2 = -2
        assertEquals("b7 00 00 00 00 00 00 00 05 00 fe ff 00 00 00 00", hex(a));
    }

    @Test
    void conditionalJumpsImmediateAndRegister() {
        BpfAsm a = new BpfAsm();
        BpfAsm.Label l = a.newLabel();
        a.jmp(JMP_JGT, R3, 64, l).jmpReg(JMP_JGT, R3, R4, l).jmp(JMP_JNE, R0, 0, l).bind(l).exit();
        assertEquals("25 03 02 00 40 00 00 00 2d 43 01 00 00 00 00 00 55 00 00 00 00 00 00 00 "
                + "95 00 00 00 00 00 00 00", hex(a));
    }

    @Test
    void jumpOverImm64CountsBothSlots() {
        BpfAsm a = new BpfAsm();
        BpfAsm.Label l = a.newLabel();
        a.jmp(JMP_JEQ, R1, 0, l).ldMapFd(R1, 3).bind(l).exit();
        assertEquals("15 01 02 00 00 00 00 00", hex(a).substring(0, 23));
    }

    @Test
    void misuseIsRefused() {
        BpfAsm a = new BpfAsm();
        a.ja(a.newLabel());
        assertThrows(IllegalStateException.class, a::assemble);
        assertThrows(IllegalArgumentException.class, () -> new BpfAsm().mov64(11, 0));
        assertThrows(IllegalArgumentException.class, () -> new BpfAsm().ldx(SIZE_W, R1, R2, 40000));
        BpfAsm b = new BpfAsm();
        BpfAsm.Label l = b.newLabel();
        b.bind(l);
        assertThrows(IllegalStateException.class, () -> b.bind(l));
    }
}
