package org.bpfmaps.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.junit.jupiter.api.function.Executable;

/** Small helpers shared by the simulator tests: little-endian keys and values, errno assertions. */
final class Bytes {

    private Bytes() {
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Asserts that {@code action} throws a {@link BpfException} with {@code errno}; returns it. */
    static BpfException assertErrno(Errno errno, Executable action) {
        BpfException e = assertThrows(BpfException.class, action);
        assertEquals(errno.number(), e.errno(), () -> "expected " + errno + " but got " + e.getMessage());
        return e;
    }

    /** All u32 keys of {@code map} in get-next-key order. */
    static List<Integer> keys(BpfMap map) {
        List<Integer> out = new ArrayList<>();
        byte[] next = new byte[4];
        byte[] prev = null;
        while (map.nextKey(prev, next)) {
            out.add(u32(next));
            prev = next.clone();
            if (out.size() > 1_000_000) {
                throw new AssertionError("iteration does not end");
            }
        }
        return out;
    }
}
