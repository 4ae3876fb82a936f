package org.bpfmaps.linux.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.BpfMap;
import org.bpfmaps.linux.LinuxMap;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.ProgLoadAttr;
import org.bpfmaps.linux.sys.ProgTestRunAttr;

/**
 * Test support: drains a USER_RINGBUF with a real {@code bpf_user_ringbuf_drain}, independent of the program
 * view, so the writer is checked against the kernel's own reader.
 *
 * <p>A {@code SCHED_CLS} program calls {@code bpf_user_ringbuf_drain(map, callback, &ctx, 0)}; the callback
 * reads the first 8 bytes of each sample with {@code bpf_dynptr_read} and adds them to {@code ctx}. One test run
 * reports, in its 32-bit {@code retval}, the helper's return value (low 16 bits, signed) and the low 16 bits of
 * that sum. Callbacks are {@code BPF_PSEUDO_FUNC} references, which the verifier accepts only with BTF
 * {@code func_info}, so the program comes with a five-type BTF object (int, two prototypes, two functions).
 */
final class KernelDrainer implements AutoCloseable {
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TEST_RUN = 10;
    private static final int BPF_BTF_LOAD = 18;
    private static final int PROG_TYPE_SCHED_CLS = 3;
    private static final int FUNC_DYNPTR_READ = 201;
    private static final int FUNC_USER_RINGBUF_DRAIN = 209;
    private static final int PSEUDO_MAP_FD = 1;
    private static final int PSEUDO_FUNC = 4;
    // BPF_PROG_LOAD fields after expected_attach_type (uapi bpf.h)
    private static final int PROG_BTF_FD_OFFSET = 72;
    private static final int FUNC_INFO_REC_SIZE_OFFSET = 76;
    private static final int FUNC_INFO_OFFSET = 80;
    private static final int FUNC_INFO_CNT_OFFSET = 88;

    private final int btfFd;
    private final int progFd;
    private final NativeBuffer attr = new NativeBuffer(ProgTestRunAttr.SIZE);
    private final NativeBuffer packet = new NativeBuffer(64);

    /** What one drain reported. */
    record Result(int drained, int sumLow16) {
    }

    KernelDrainer(BpfMap userRing) {
        btfFd = loadBtf();
        try {
            progFd = loadProgram(((LinuxMap) userRing).fd());
        } catch (RuntimeException e) {
            LibC.close(btfFd);
            throw e;
        }
    }

    private static int loadBtf() {
        byte[] strings = "\0int\0cb\0prog\0a\0b\0".getBytes(StandardCharsets.US_ASCII);
        int nameInt = 1;
        int nameCb = 5;
        int nameProg = 8;
        int nameA = 13;
        int nameB = 15;
        ByteBuffer types = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        // 1: int, 4 bytes, signed 32 bits
        types.putInt(nameInt).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32);
        // 2: int (int a, int b) -- the callback's prototype
        types.putInt(0).putInt((13 << 24) | 2).putInt(1).putInt(nameA).putInt(1).putInt(nameB).putInt(1);
        // 3: static int cb(...)
        types.putInt(nameCb).putInt(12 << 24).putInt(2);
        // 4: int (int a) -- the program's prototype
        types.putInt(0).putInt((13 << 24) | 1).putInt(1).putInt(nameA).putInt(1);
        // 5: global int prog(...)
        types.putInt(nameProg).putInt((12 << 24) | 1).putInt(4);
        int typeLength = types.position();
        ByteBuffer btf = ByteBuffer.allocate(24 + typeLength + strings.length).order(ByteOrder.nativeOrder());
        btf.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        btf.putInt(0).putInt(typeLength).putInt(typeLength).putInt(strings.length);
        btf.put(types.array(), 0, typeLength).put(strings);
        byte[] blob = btf.array();
        NativeBuffer data = new NativeBuffer(blob.length);
        NativeBuffer log = new NativeBuffer(16384);
        NativeBuffer load = new NativeBuffer(32);
        try {
            data.buffer().put(0, blob);
            ByteBuffer a = load.buffer();
            a.putLong(0, data.address());
            a.putLong(8, log.address());
            a.putInt(16, blob.length);
            a.putInt(20, log.size());
            a.putInt(24, 1);
            int fd = LibC.bpf(BPF_BTF_LOAD, load.address(), 28);
            if (fd < 0) {
                throw new IllegalStateException("BPF_BTF_LOAD failed: errno " + (-fd) + "\n" + text(log));
            }
            return fd;
        } finally {
            data.free();
            log.free();
            load.free();
        }
    }

    private int loadProgram(int mapFd) {
        ByteBuffer p = ByteBuffer.allocate(8 * 64).order(ByteOrder.LITTLE_ENDIAN);
        // main: ctx = {u64 unused, u64 sum} at r10-16
        insn(p, 0x7a, 10, 0, -16, 0);                      // *(u64 *)(r10 - 16) = 0
        insn(p, 0x7a, 10, 0, -8, 0);                       // *(u64 *)(r10 - 8) = 0
        insn(p, 0x18, 1, PSEUDO_MAP_FD, 0, mapFd);         // r1 = map
        insn(p, 0, 0, 0, 0, 0);
        int funcRef = p.position() / 8;
        insn(p, 0x18, 2, PSEUDO_FUNC, 0, 0);               // r2 = callback (patched below)
        insn(p, 0, 0, 0, 0, 0);
        insn(p, 0xbf, 3, 10, 0, 0);                        // r3 = r10
        insn(p, 0x07, 3, 0, 0, -16);                       // r3 += -16
        insn(p, 0xb7, 4, 0, 0, 0);                         // r4 = 0
        insn(p, 0x85, 0, 0, 0, FUNC_USER_RINGBUF_DRAIN);   // call bpf_user_ringbuf_drain
        insn(p, 0x57, 0, 0, 0, 0xffff);                    // r0 &= 0xffff
        insn(p, 0x79, 7, 10, -8, 0);                       // r7 = *(u64 *)(r10 - 8)
        insn(p, 0x57, 7, 0, 0, 0xffff);                    // r7 &= 0xffff
        insn(p, 0x67, 7, 0, 0, 16);                        // r7 <<= 16
        insn(p, 0x4f, 0, 7, 0, 0);                         // r0 |= r7
        insn(p, 0x95, 0, 0, 0, 0);                         // exit
        int callback = p.position() / 8;
        // callback(r1 = dynptr, r2 = ctx)
        insn(p, 0xbf, 6, 2, 0, 0);                         // r6 = ctx
        insn(p, 0xbf, 3, 1, 0, 0);                         // r3 = dynptr
        insn(p, 0xbf, 1, 10, 0, 0);                        // r1 = r10
        insn(p, 0x07, 1, 0, 0, -8);                        // r1 += -8
        insn(p, 0xb7, 2, 0, 0, 8);                         // r2 = 8
        insn(p, 0xb7, 4, 0, 0, 0);                         // r4 = 0
        insn(p, 0xb7, 5, 0, 0, 0);                         // r5 = 0
        insn(p, 0x85, 0, 0, 0, FUNC_DYNPTR_READ);          // call bpf_dynptr_read(r10-8, 8, dynptr, 0, 0)
        insn(p, 0x55, 0, 0, 4, 0);                         // if r0 != 0 goto +4
        insn(p, 0x79, 1, 10, -8, 0);                       // r1 = *(u64 *)(r10 - 8)
        insn(p, 0x79, 2, 6, 8, 0);                         // r2 = *(u64 *)(r6 + 8)
        insn(p, 0x0f, 2, 1, 0, 0);                         // r2 += r1
        insn(p, 0x7b, 6, 2, 8, 0);                         // *(u64 *)(r6 + 8) = r2
        insn(p, 0xb7, 0, 0, 0, 0);                         // r0 = 0 (continue)
        insn(p, 0x95, 0, 0, 0, 0);                         // exit
        int count = p.position() / 8;
        p.putInt(funcRef * 8 + 4, callback - funcRef - 1);
        byte[] code = new byte[count * 8];
        p.get(0, code);

        ByteBuffer funcInfo = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        funcInfo.putInt(0).putInt(5).putInt(callback).putInt(3);
        NativeBuffer insns = new NativeBuffer(code.length);
        NativeBuffer funcs = new NativeBuffer(16);
        NativeBuffer license = new NativeBuffer(8);
        NativeBuffer log = new NativeBuffer(65536);
        NativeBuffer load = new NativeBuffer(ProgLoadAttr.SIZE);
        try {
            insns.buffer().put(0, code);
            funcs.buffer().put(0, funcInfo.array());
            license.buffer().put(0, "GPL\0".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer a = load.buffer();
            a.putInt(ProgLoadAttr.PROG_TYPE_OFFSET, PROG_TYPE_SCHED_CLS);
            a.putInt(ProgLoadAttr.INSN_CNT_OFFSET, count);
            a.putLong(ProgLoadAttr.INSNS_OFFSET, insns.address());
            a.putLong(ProgLoadAttr.LICENSE_OFFSET, license.address());
            a.putInt(ProgLoadAttr.LOG_LEVEL_OFFSET, 1);
            a.putInt(ProgLoadAttr.LOG_SIZE_OFFSET, log.size());
            a.putLong(ProgLoadAttr.LOG_BUF_OFFSET, log.address());
            a.putInt(PROG_BTF_FD_OFFSET, btfFd);
            a.putInt(FUNC_INFO_REC_SIZE_OFFSET, 8);
            a.putLong(FUNC_INFO_OFFSET, funcs.address());
            a.putInt(FUNC_INFO_CNT_OFFSET, 2);
            int fd = LibC.bpf(BPF_PROG_LOAD, load.address(), ProgLoadAttr.SIZE);
            if (fd < 0) {
                throw new IllegalStateException("loading the drain program failed: errno " + (-fd) + "\n"
                        + text(log));
            }
            return fd;
        } finally {
            insns.free();
            funcs.free();
            license.free();
            log.free();
            load.free();
        }
    }

    private static String text(NativeBuffer log) {
        byte[] b = new byte[log.size()];
        log.buffer().get(0, b);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        String s = new String(b, 0, n, StandardCharsets.UTF_8);
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    private static void insn(ByteBuffer p, int code, int dst, int src, int off, int imm) {
        p.put((byte) code).put((byte) ((src << 4) | dst)).putShort((short) off).putInt(imm);
    }

    /** One {@code bpf_user_ringbuf_drain} call. */
    Result drain() {
        attr.zero(0, ProgTestRunAttr.SIZE);
        ByteBuffer a = attr.buffer();
        a.putInt(ProgTestRunAttr.PROG_FD_OFFSET, progFd);
        a.putInt(ProgTestRunAttr.DATA_SIZE_IN_OFFSET, packet.size());
        a.putLong(ProgTestRunAttr.DATA_IN_OFFSET, packet.address());
        a.putInt(ProgTestRunAttr.REPEAT_OFFSET, 1);
        int r = LibC.bpf(BPF_PROG_TEST_RUN, attr.address(), ProgTestRunAttr.SIZE);
        if (r < 0) {
            throw new IllegalStateException("BPF_PROG_TEST_RUN of the drain program failed: errno " + (-r));
        }
        int retval = a.getInt(ProgTestRunAttr.RETVAL_OFFSET);
        return new Result((short) retval, retval >>> 16);
    }

    @Override
    public void close() {
        LibC.close(progFd);
        LibC.close(btfFd);
        attr.free();
        packet.free();
    }
}
