package org.bpfmaps.linux.prog;

import static org.bpfmaps.linux.prog.BpfAsm.ALU_ADD;
import static org.bpfmaps.linux.prog.BpfAsm.ALU_AND;
import static org.bpfmaps.linux.prog.BpfAsm.ALU_LSH;
import static org.bpfmaps.linux.prog.BpfAsm.ALU_OR;
import static org.bpfmaps.linux.prog.BpfAsm.ALU_RSH;
import static org.bpfmaps.linux.prog.BpfAsm.ALU_XOR;
import static org.bpfmaps.linux.prog.BpfAsm.CLASS_LD;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JEQ;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JGT;
import static org.bpfmaps.linux.prog.BpfAsm.JMP_JNE;
import static org.bpfmaps.linux.prog.BpfAsm.MODE_IMM;
import static org.bpfmaps.linux.prog.BpfAsm.R0;
import static org.bpfmaps.linux.prog.BpfAsm.R1;
import static org.bpfmaps.linux.prog.BpfAsm.R10;
import static org.bpfmaps.linux.prog.BpfAsm.R2;
import static org.bpfmaps.linux.prog.BpfAsm.R3;
import static org.bpfmaps.linux.prog.BpfAsm.R4;
import static org.bpfmaps.linux.prog.BpfAsm.R5;
import static org.bpfmaps.linux.prog.BpfAsm.R6;
import static org.bpfmaps.linux.prog.BpfAsm.R7;
import static org.bpfmaps.linux.prog.BpfAsm.R8;
import static org.bpfmaps.linux.prog.BpfAsm.R9;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_DW;
import static org.bpfmaps.linux.prog.BpfAsm.SIZE_W;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;

/**
 * The {@code bpf_user_ringbuf_drain} program of a program view on a USER_RINGBUF.
 *
 * <p><b>Shape.</b> The main program (a raw tracepoint program like every other view program) calls
 * {@code bpf_user_ringbuf_drain(ring, callback, &stack_ctx, ctx[0])} and returns the helper's value. The
 * callback is a BPF subprogram in the same instruction stream, referenced by a {@code BPF_PSEUDO_FUNC}
 * {@code ld_imm64} whose immediate is the callback's instruction offset relative to the next instruction. The
 * verifier accepts callback references only when the program carries BTF {@code func_info} (one record per
 * function), so a minimal BTF object is loaded with it: {@code int}, a one-argument prototype for the main
 * function and a two-argument prototype for the static callback.
 *
 * <p><b>Callback.</b> It receives a {@code struct bpf_dynptr *} over the sample. There is no helper that
 * reports a dynptr's size (only the {@code bpf_dynptr_size} kfunc), so the callback finds it by a branch-free
 * binary search: for each bit from high to low, a one-byte {@code bpf_dynptr_read} at offset
 * {@code size + bit - 1} succeeds exactly when the sample is at least {@code size + bit} bytes long; the
 * success bit ({@code 1 - (r0 >>> 63)}) is shifted into place and OR-ed into the size. Without branches the
 * verifier walks one path, not one per outcome. The callback then looks up the view's scratch element and
 * appends {@code u32 length} + payload there, 8-byte aligned, at the cursor kept in the first data word.
 *
 * <p><b>Scratch layout</b> (from the scratch map's data offset): {@code u64 cursor}, then records of
 * {@code u32 len} + {@code len} bytes, each padded to 8. The appended records of one drain never exceed the
 * ring's size (a ring record is {@code round_up(8 + len, 8)}), but the verifier bounds cursor and length
 * separately, so the area is twice the ring size. A record that would overflow it (impossible by the
 * argument above) stops the drain (callback returns 1); the kernel has then already consumed that sample.
 */
final class DrainProgram {
    static final int USER_RINGBUF_DRAIN = 209;
    static final int DYNPTR_READ = 201;
    static final int PSEUDO_FUNC = 4;

    private static final int BPF_BTF_LOAD = 18;
    // BPF_PROG_LOAD attribute fields after expected_attach_type (uapi bpf.h)
    static final int PROG_BTF_FD_OFFSET = 72;
    static final int FUNC_INFO_REC_SIZE_OFFSET = 76;
    static final int FUNC_INFO_OFFSET = 80;
    static final int FUNC_INFO_CNT_OFFSET = 88;

    /** Offset of the records after the cursor word. */
    static final int RECORDS = 8;

    private DrainProgram() {
    }

    /** Data bytes the scratch element needs for a ring of {@code ringSize} bytes. */
    static long scratchData(long ringSize) {
        return RECORDS + 2 * ringSize + 16;
    }

    /** Generated code and where the callback starts. */
    record Code(byte[] insns, int callbackStart) {
    }

    /** The instructions for a ring of {@code ringSize} bytes (a power of two). */
    static Code generate(int ringFd, ScratchMap scratch, long ringSize) {
        int dataOff = scratch.dataOffset;
        int bits = 64 - Long.numberOfLeadingZeros(ringSize); // 2^bits > ringSize
        BpfAsm a = new BpfAsm();
        // ---- main(ctx) ----
        BpfAsm.Label found = a.newLabel();
        a.mov64Reg(R7, R1);
        a.st(SIZE_W, R10, -4, 0);
        a.ldMapFd(R1, scratch.fd);
        a.mov64Reg(R2, R10).add64(R2, -4);
        a.call(HelperPrograms.MAP_LOOKUP_ELEM);
        a.jmp(JMP_JNE, R0, 0, found);
        a.ret(-HelperPrograms.EFAULT);
        a.bind(found);
        a.st(SIZE_DW, R0, dataOff, 0);                   // cursor = 0
        a.st(SIZE_DW, R10, -16, 0);                      // callback ctx (unused)
        a.ldMapFd(R1, ringFd);
        int funcRef = a.size();
        a.raw(CLASS_LD | MODE_IMM | SIZE_DW, R2, PSEUDO_FUNC, 0, 0); // r2 = callback (patched)
        a.raw(0, 0, 0, 0, 0);
        a.mov64Reg(R3, R10).add64(R3, -16);
        a.ldx(SIZE_DW, R4, R7, 0);                       // flags
        a.call(USER_RINGBUF_DRAIN);
        a.exit();
        // ---- callback(dynptr, ctx) ----
        int callback = a.size();
        BpfAsm.Label stop = a.newLabel();
        BpfAsm.Label have = a.newLabel();
        a.mov64Reg(R9, R1);
        a.mov64(R8, 0);
        for (int k = bits - 1; k >= 0; k--) {
            long bit = 1L << k;
            a.mov64Reg(R1, R10).add64(R1, -8);
            a.mov64(R2, 1);
            a.mov64Reg(R3, R9);
            a.mov64Reg(R4, R8).add64(R4, (int) (bit - 1));
            a.mov64(R5, 0);
            a.call(DYNPTR_READ);
            a.alu64(ALU_RSH, R0, 63);
            a.alu64(ALU_XOR, R0, 1);
            if (k > 0) {
                a.alu64(ALU_LSH, R0, k);
            }
            a.alu64Reg(ALU_OR, R8, R0);
        }
        a.st(SIZE_W, R10, -4, 0);
        a.ldMapFd(R1, scratch.fd);
        a.mov64Reg(R2, R10).add64(R2, -4);
        a.call(HelperPrograms.MAP_LOOKUP_ELEM);
        a.jmp(JMP_JNE, R0, 0, have);
        a.ret(1);
        a.bind(have);
        a.mov64Reg(R6, R0);
        a.ldx(SIZE_DW, R7, R6, dataOff);                  // cursor
        a.jmp(JMP_JGT, R7, (int) ringSize, stop);
        a.jmp(JMP_JGT, R8, (int) ringSize, stop);
        a.mov64Reg(R1, R8).add64(R1, 4 + 7);
        a.alu64(ALU_AND, R1, -8);
        a.alu64Reg(ALU_ADD, R1, R7);                     // cursor after this record
        a.jmp(JMP_JGT, R1, (int) ringSize, stop);
        a.stx(SIZE_DW, R6, dataOff, R1);                 // publish the new cursor
        a.alu64Reg(ALU_ADD, R6, R7);                     // r6 = scratch + cursor
        a.stx(SIZE_W, R6, dataOff + RECORDS, R8);        // length prefix
        a.mov64Reg(R1, R6).add64(R1, dataOff + RECORDS + 4);
        a.mov64Reg(R2, R8);
        a.mov64Reg(R3, R9);
        a.mov64(R4, 0);
        a.mov64(R5, 0);
        a.call(DYNPTR_READ);
        BpfAsm.Label ok = a.newLabel();
        a.jmp(JMP_JEQ, R0, 0, ok);
        a.ret(1);
        a.bind(ok);
        a.ret(0);
        a.bind(stop);
        a.ret(1);
        byte[] code = a.assemble();
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.nativeOrder());
        b.putInt(funcRef * BpfAsm.INSN_SIZE + 4, callback - funcRef - 1);
        return new Code(code, callback);
    }

    /** Loads the BTF object the program's {@code func_info} refers to; returns its descriptor. */
    static int loadBtf(String subject) {
        byte[] strings = "\0int\0bpfmaps_drain\0bpfmaps_drain_cb\0x\0y\0".getBytes(StandardCharsets.US_ASCII);
        int sInt = 1;
        int sMain = 5;
        int sCb = 19;
        int sX = 36;
        int sY = 38;
        ByteBuffer t = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        // [1] INT "int" size 4, encoding signed, 32 bits
        t.putInt(sInt).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32);
        // [2] FUNC_PROTO int (int x)
        t.putInt(0).putInt((13 << 24) | 1).putInt(1).putInt(sX).putInt(1);
        // [3] FUNC bpfmaps_drain, global linkage
        t.putInt(sMain).putInt((12 << 24) | 1).putInt(2);
        // [4] FUNC_PROTO int (int x, int y)
        t.putInt(0).putInt((13 << 24) | 2).putInt(1).putInt(sX).putInt(1).putInt(sY).putInt(1);
        // [5] FUNC bpfmaps_drain_cb, static linkage
        t.putInt(sCb).putInt(12 << 24).putInt(4);
        int typeLen = t.position();
        ByteBuffer btf = ByteBuffer.allocate(24 + typeLen + strings.length).order(ByteOrder.nativeOrder());
        btf.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        btf.putInt(0).putInt(typeLen).putInt(typeLen).putInt(strings.length);
        btf.put(t.array(), 0, typeLen).put(strings);
        byte[] blob = btf.array();
        NativeBuffer data = new NativeBuffer(blob.length);
        NativeBuffer log = new NativeBuffer(8192);
        NativeBuffer attr = new NativeBuffer(32);
        try {
            data.buffer().put(0, blob);
            ByteBuffer at = attr.buffer();
            at.putLong(0, data.address());
            at.putLong(8, log.address());
            at.putInt(16, blob.length);
            at.putInt(20, log.size());
            at.putInt(24, 1);
            int fd = LibC.bpf(BPF_BTF_LOAD, attr.address(), 28);
            if (fd < 0) {
                byte[] l = new byte[log.size()];
                log.buffer().get(0, l);
                int n = 0;
                while (n < l.length && l[n] != 0) {
                    n++;
                }
                throw BpfException.of(BpfCommand.PROGRAM_HELPER, -fd, subject,
                        "loading the drain program's BTF failed: " + new String(l, 0, n, StandardCharsets.UTF_8));
            }
            return fd;
        } finally {
            data.free();
            log.free();
            attr.free();
        }
    }

    /** The two {@code bpf_func_info} records ({@code insn_off}, {@code type_id}): main is type 3, callback 5. */
    static byte[] funcInfo(int callbackStart) {
        ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        f.putInt(0).putInt(3).putInt(callbackStart).putInt(5);
        return f.array();
    }
}
