package org.bpfmaps.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute integer reads and writes in a chosen byte order, whatever the buffer's own order.
 *
 * <p>Exists so codecs never touch a buffer's position, limit or order (views share buffers with callers),
 * and allocate nothing: the byte-buffer view var handles compile to plain loads and stores.
 */
final class Bytes {
    private static final VarHandle SHORT_LE = MethodHandles.byteBufferViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_BE = MethodHandles.byteBufferViewVarHandle(short[].class,
            ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    /** Reads {@code size} bytes (1, 2, 4, 8) at {@code offset}, sign- or zero-extended to a long. */
    static long read(ByteBuffer buffer, int offset, int size, boolean signed, ByteOrder order) {
        boolean big = order == ByteOrder.BIG_ENDIAN;
        switch (size) {
            case 1: {
                byte b = buffer.get(offset);
                return signed ? b : b & 0xFFL;
            }
            case 2: {
                short s = big ? (short) SHORT_BE.get(buffer, offset) : (short) SHORT_LE.get(buffer, offset);
                return signed ? s : s & 0xFFFFL;
            }
            case 4: {
                int i = big ? (int) INT_BE.get(buffer, offset) : (int) INT_LE.get(buffer, offset);
                return signed ? i : i & 0xFFFF_FFFFL;
            }
            case 8:
                return big ? (long) LONG_BE.get(buffer, offset) : (long) LONG_LE.get(buffer, offset);
            default:
                throw new IllegalArgumentException("integer width " + size);
        }
    }

    /** Writes the low {@code size} bytes (1, 2, 4, 8) of {@code value} at {@code offset}. */
    static void write(ByteBuffer buffer, int offset, int size, ByteOrder order, long value) {
        boolean big = order == ByteOrder.BIG_ENDIAN;
        switch (size) {
            case 1:
                buffer.put(offset, (byte) value);
                break;
            case 2:
                if (big) {
                    SHORT_BE.set(buffer, offset, (short) value);
                } else {
                    SHORT_LE.set(buffer, offset, (short) value);
                }
                break;
            case 4:
                if (big) {
                    INT_BE.set(buffer, offset, (int) value);
                } else {
                    INT_LE.set(buffer, offset, (int) value);
                }
                break;
            case 8:
                if (big) {
                    LONG_BE.set(buffer, offset, value);
                } else {
                    LONG_LE.set(buffer, offset, value);
                }
                break;
            default:
                throw new IllegalArgumentException("integer width " + size);
        }
    }

    /** Writes {@code length} zero bytes at {@code offset}. */
    static void zero(ByteBuffer buffer, int offset, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            LONG_LE.set(buffer, offset + i, 0L);
        }
        for (; i < length; i++) {
            buffer.put(offset + i, (byte) 0);
        }
    }

    /** {@code " (big endian)"} or {@code " (little endian)"}. */
    static String orderSuffix(ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? " (big endian)" : " (little endian)";
    }

    /** {@code n} rounded up to a multiple of {@code alignment} (a power of two). */
    static int roundUp(int n, int alignment) {
        return (n + alignment - 1) & -alignment;
    }
}
