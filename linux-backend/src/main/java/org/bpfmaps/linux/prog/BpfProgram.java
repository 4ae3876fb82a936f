package org.bpfmaps.linux.prog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.ProgLoadAttr;
import org.bpfmaps.linux.sys.ProgTestRunAttr;

/**
 * Loads programs with {@code BPF_PROG_LOAD} and runs them with {@code BPF_PROG_TEST_RUN}.
 *
 * <p>A load first goes without a verifier log (the fast path); when it fails, it is repeated with a log so the
 * exception can quote the verifier's complaint. Loading needs {@code CAP_BPF} and {@code CAP_PERFMON} (or
 * {@code CAP_SYS_ADMIN}) for tracing programs; an {@code EPERM} without a log says so.
 */
final class BpfProgram {
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TEST_RUN = 10;
    private static final int LOG_SIZE = 256 * 1024;
    private static final int LOG_QUOTE = 1200;
    private static final byte[] LICENSE = "GPL\0".getBytes(StandardCharsets.US_ASCII);

    private BpfProgram() {
    }

    /**
     * Loads {@code insns} as a program of {@code progType} named {@code name} (at most 15 characters of
     * {@code [A-Za-z0-9_.]}).
     *
     * @return the program's file descriptor
     * @throws BpfException ({@link BpfCommand#PROGRAM_HELPER}) with the kernel's errno and the verifier log's end
     */
    static int load(int progType, byte[] insns, String name, String subject) {
        return load(progType, insns, name, subject, -1, null);
    }

    /**
     * As {@link #load(int, byte[], String, String)}, with the BTF object {@code btfFd} and its
     * {@code bpf_func_info} records ({@code funcInfo}, 8 bytes each), which programs with BPF subprograms used
     * as callbacks need; {@code btfFd < 0} loads without BTF.
     */
    static int load(int progType, byte[] insns, String name, String subject, int btfFd, byte[] funcInfo) {
        NativeBuffer code = new NativeBuffer(insns.length);
        NativeBuffer license = new NativeBuffer(LICENSE.length);
        NativeBuffer attr = new NativeBuffer(ProgLoadAttr.SIZE);
        NativeBuffer funcs = new NativeBuffer(funcInfo == null ? 8 : funcInfo.length);
        try {
            if (btfFd >= 0) {
                funcs.buffer().put(0, funcInfo);
                ByteBuffer b = attr.buffer();
                b.putInt(DrainProgram.PROG_BTF_FD_OFFSET, btfFd);
                b.putInt(DrainProgram.FUNC_INFO_REC_SIZE_OFFSET, 8);
                b.putLong(DrainProgram.FUNC_INFO_OFFSET, funcs.address());
                b.putInt(DrainProgram.FUNC_INFO_CNT_OFFSET, funcInfo.length / 8);
            }
            code.buffer().put(0, insns);
            license.buffer().put(0, LICENSE);
            ByteBuffer a = attr.buffer();
            a.putInt(ProgLoadAttr.PROG_TYPE_OFFSET, progType);
            a.putInt(ProgLoadAttr.INSN_CNT_OFFSET, insns.length / BpfAsm.INSN_SIZE);
            a.putLong(ProgLoadAttr.INSNS_OFFSET, code.address());
            a.putLong(ProgLoadAttr.LICENSE_OFFSET, license.address());
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < n.length && i < ProgLoadAttr.PROG_NAME_LENGTH - 1; i++) {
                a.put(ProgLoadAttr.PROG_NAME_OFFSET + i, n[i]);
            }
            int fd = LibC.bpf(BPF_PROG_LOAD, attr.address(), ProgLoadAttr.SIZE);
            if (fd >= 0) {
                return fd;
            }
            int errno = -fd;
            String log = "";
            NativeBuffer logBuf = new NativeBuffer(LOG_SIZE);
            try {
                a.putInt(ProgLoadAttr.LOG_LEVEL_OFFSET, 1);
                a.putInt(ProgLoadAttr.LOG_SIZE_OFFSET, LOG_SIZE);
                a.putLong(ProgLoadAttr.LOG_BUF_OFFSET, logBuf.address());
                int again = LibC.bpf(BPF_PROG_LOAD, attr.address(), ProgLoadAttr.SIZE);
                if (again >= 0) {
                    // Loaded the second time (a transient failure such as ENOMEM); keep it.
                    return again;
                }
                log = readLog(logBuf);
            } finally {
                logBuf.free();
            }
            throw loadFailure(errno, log, name, subject);
        } finally {
            code.free();
            license.free();
            attr.free();
            funcs.free();
        }
    }

    private static String readLog(NativeBuffer logBuf) {
        ByteBuffer b = logBuf.buffer();
        int len = 0;
        while (len < logBuf.size() && b.get(len) != 0) {
            len++;
        }
        byte[] bytes = new byte[len];
        b.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    /**
     * The verifier's complaint: the last two lines before its closing statistics ("processed N insns ..."),
     * which are the rejected instruction and the reason, at most {@link #LOG_QUOTE} characters.
     */
    static String complaint(String log) {
        String[] lines = log.split("\n");
        int end = lines.length;
        while (end > 0 && (lines[end - 1].isBlank() || lines[end - 1].startsWith("processed ")
                || lines[end - 1].startsWith("verification time"))) {
            end--;
        }
        int start = Math.max(0, end - 2);
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end; i++) {
            sb.append(sb.length() == 0 ? "" : " / ").append(lines[i].strip());
        }
        String text = sb.length() == 0 ? log.strip() : sb.toString();
        return text.length() > LOG_QUOTE ? "..." + text.substring(text.length() - LOG_QUOTE) : text;
    }

    private static BpfException loadFailure(int errno, String log, String name, String subject) {
        StringBuilder detail = new StringBuilder("loading helper program ").append(name).append(" failed");
        if ((errno == Errno.EPERM.number() || errno == Errno.EACCES.number()) && log.isEmpty()) {
            detail.append(": loading RAW_TRACEPOINT programs needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)")
                    .append("; effective uid is ").append(LibC.geteuid());
        }
        if (!log.isEmpty()) {
            detail.append("; verifier: ").append(complaint(log));
        }
        return BpfException.of(BpfCommand.PROGRAM_HELPER, errno, subject, detail.toString());
    }

    /**
     * Runs a raw tracepoint program once on {@code cpu} with {@code ctxSize} bytes of context at {@code ctxAddr}.
     * {@code attr} must hold at least {@link ProgTestRunAttr#SIZE} bytes; it is overwritten.
     *
     * @return the program's return value (r0's lower 32 bits, sign-extended), or throws on a syscall failure
     */
    static int testRun(NativeBuffer attr, int progFd, long ctxAddr, int ctxSize, int cpu, String subject) {
        attr.zero(0, ProgTestRunAttr.SIZE);
        ByteBuffer a = attr.buffer();
        a.putInt(ProgTestRunAttr.PROG_FD_OFFSET, progFd);
        a.putInt(ProgTestRunAttr.CTX_SIZE_IN_OFFSET, ctxSize);
        a.putLong(ProgTestRunAttr.CTX_IN_OFFSET, ctxAddr);
        a.putInt(ProgTestRunAttr.FLAGS_OFFSET, ProgTestRunAttr.F_TEST_RUN_ON_CPU);
        a.putInt(ProgTestRunAttr.CPU_OFFSET, cpu);
        int r = LibC.bpf(BPF_PROG_TEST_RUN, attr.address(), ProgTestRunAttr.SIZE);
        if (r < 0) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, -r, subject,
                    "BPF_PROG_TEST_RUN on CPU " + cpu + " failed");
        }
        return a.getInt(ProgTestRunAttr.RETVAL_OFFSET);
    }

    /** Closes a descriptor, ignoring errors. */
    static void close(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }
}
