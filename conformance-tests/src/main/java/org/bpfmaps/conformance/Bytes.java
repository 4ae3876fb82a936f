package org.bpfmaps.conformance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte helpers shared by the kit: native-order u32 keys, hex rendering for failure reports. */
public final class Bytes {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Bytes() {
    }

    /** A u32 in host byte order, as the kernel reads array indexes and the documented example keys. */
    public static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** Reads a host-order u32 at {@code offset}. */
    public static int u32At(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 4).order(ByteOrder.nativeOrder()).getInt();
    }

    /** A u64 in host byte order. */
    public static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    /** {@code n} bytes all equal to {@code fill}. */
    public static byte[] filled(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    /** Bytes from ints (each truncated to 8 bits). */
    public static byte[] of(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** Concatenation. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    /** Lowercase hex without separators; {@code null} renders as {@code null}. */
    public static String hex(byte[] b) {
        if (b == null) {
            return "null";
        }
        return hex(b, 0, b.length);
    }

    /** Lowercase hex of a range. */
    public static String hex(byte[] b, int off, int len) {
        char[] out = new char[len * 2];
        for (int i = 0; i < len; i++) {
            int v = b[off + i] & 0xff;
            out[2 * i] = HEX[v >>> 4];
            out[2 * i + 1] = HEX[v & 0xf];
        }
        return new String(out);
    }

    /** {@code round_up(n, 8)}. */
    public static int roundUp8(int n) {
        return (n + 7) & ~7;
    }
}
