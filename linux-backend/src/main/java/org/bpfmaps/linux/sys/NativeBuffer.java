package org.bpfmaps.linux.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A block of native memory seen both as an address (for the kernel) and as a native-order direct
 * {@link ByteBuffer} (for Java reads and writes, which the JIT compiles to plain loads and stores).
 *
 * <p>Exists so attr structs and key/value scratch space can be reused per thread with no allocation per call.
 * The memory is owned by the JNA {@link Memory} object and freed when it is collected, or by {@link #free()}.
 */
public final class NativeBuffer {
    private Memory memory;
    private final long address;
    private final ByteBuffer buffer;
    private final int size;

    /** Allocates {@code size} zeroed bytes, 8-byte aligned. */
    public NativeBuffer(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        this.memory = new Memory(size);
        this.memory.clear();
        this.size = size;
        this.address = Pointer.nativeValue(memory);
        this.buffer = memory.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
    }

    /** The native address of byte 0. */
    public long address() {
        return address;
    }

    /** The address of byte {@code offset}. */
    public long address(int offset) {
        return address + offset;
    }

    /** A native-order view of the whole block; use absolute gets and puts only. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Size in bytes. */
    public int size() {
        return size;
    }

    /** Zeroes {@code length} bytes from {@code offset}. */
    public void zero(int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 8 <= end; i += 8) {
            buffer.putLong(i, 0L);
        }
        for (; i < end; i++) {
            buffer.put(i, (byte) 0);
        }
    }

    /** Frees the memory now; the buffer must not be used afterwards. */
    public void free() {
        Memory m = memory;
        memory = null;
        if (m != null) {
            m.close();
        }
    }
}
