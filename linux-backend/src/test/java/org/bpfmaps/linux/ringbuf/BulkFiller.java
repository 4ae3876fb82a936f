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
 * Test support: fills a RINGBUF with zeroed records of one size in a single system call, the way
 * {@code benchmarks/src/main/c/ringbuf_floor.c} does, so Java and C consume rings filled alike.
 *
 * <p>A {@code SCHED_CLS} program calls {@code bpf_ringbuf_output(map, stack, size, 0)} once per run, and
 * {@code BPF_PROG_TEST_RUN} with {@code repeat} runs it that many times on the calling thread's CPU (runs after
 * the ring is full output nothing).
 */
final class BulkFiller implements AutoCloseable {
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TEST_RUN = 10;
    private static final int PROG_TYPE_SCHED_CLS = 3;
    private static final int FUNC_RINGBUF_OUTPUT = 130;

    private final int progFd;
    private final NativeBuffer attr = new NativeBuffer(ProgTestRunAttr.SIZE);
    private final NativeBuffer packet = new NativeBuffer(64);

    BulkFiller(BpfMap ring, int recordSize) {
        if (recordSize <= 0 || recordSize > 256 || recordSize % 8 != 0) {
            throw new IllegalArgumentException("record size " + recordSize);
        }
        ByteBuffer p = ByteBuffer.allocate(8 * (recordSize / 8 + 9)).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = -recordSize; off < 0; off += 8) {
            insn(p, 0x7a, 10, 0, off, 0);                          // *(u64 *)(r10 + off) = 0
        }
        insn(p, 0x18, 1, 1, 0, ((LinuxMap) ring).fd());             // r1 = map (BPF_PSEUDO_MAP_FD)
        insn(p, 0, 0, 0, 0, 0);
        insn(p, 0xbf, 2, 10, 0, 0);                                // r2 = r10
        insn(p, 0x07, 2, 0, 0, -recordSize);                       // r2 += -size
        insn(p, 0xb7, 3, 0, 0, recordSize);                        // r3 = size
        insn(p, 0xb7, 4, 0, 0, 0);                                 // r4 = 0
        insn(p, 0x85, 0, 0, 0, FUNC_RINGBUF_OUTPUT);               // call bpf_ringbuf_output
        insn(p, 0xb7, 0, 0, 0, 0);                                 // r0 = 0
        insn(p, 0x95, 0, 0, 0, 0);                                 // exit
        byte[] code = p.array();
        NativeBuffer insns = new NativeBuffer(code.length);
        NativeBuffer license = new NativeBuffer(8);
        NativeBuffer load = new NativeBuffer(ProgLoadAttr.SIZE);
        try {
            insns.buffer().put(0, code);
            license.buffer().put(0, "GPL\0".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer a = load.buffer();
            a.putInt(ProgLoadAttr.PROG_TYPE_OFFSET, PROG_TYPE_SCHED_CLS);
            a.putInt(ProgLoadAttr.INSN_CNT_OFFSET, code.length / 8);
            a.putLong(ProgLoadAttr.INSNS_OFFSET, insns.address());
            a.putLong(ProgLoadAttr.LICENSE_OFFSET, license.address());
            int fd = LibC.bpf(BPF_PROG_LOAD, load.address(), ProgLoadAttr.SIZE);
            if (fd < 0) {
                throw new IllegalStateException("loading the ring filler failed: errno " + (-fd));
            }
            progFd = fd;
        } finally {
            insns.free();
            license.free();
            load.free();
        }
    }

    private static void insn(ByteBuffer p, int code, int dst, int src, int off, int imm) {
        p.put((byte) code).put((byte) ((src << 4) | dst)).putShort((short) off).putInt(imm);
    }

    /** Runs the program {@code times} times in one {@code BPF_PROG_TEST_RUN}, on this thread's CPU. */
    void run(int times) {
        attr.zero(0, ProgTestRunAttr.SIZE);
        ByteBuffer a = attr.buffer();
        a.putInt(ProgTestRunAttr.PROG_FD_OFFSET, progFd);
        a.putInt(ProgTestRunAttr.DATA_SIZE_IN_OFFSET, packet.size());
        a.putLong(ProgTestRunAttr.DATA_IN_OFFSET, packet.address());
        a.putInt(ProgTestRunAttr.REPEAT_OFFSET, times);
        int r = LibC.bpf(BPF_PROG_TEST_RUN, attr.address(), ProgTestRunAttr.SIZE);
        if (r < 0) {
            throw new IllegalStateException("BPF_PROG_TEST_RUN of the ring filler failed: errno " + (-r));
        }
    }

    @Override
    public void close() {
        LibC.close(progFd);
        attr.free();
        packet.free();
    }
}
