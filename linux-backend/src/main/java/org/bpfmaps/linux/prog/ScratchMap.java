package org.bpfmaps.linux.prog;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.MapCreateAttr;
import org.bpfmaps.linux.sys.NativeBuffer;

/**
 * The one-element, memory-mapped {@code ARRAY} through which keys, values and results travel between Java and
 * the helper programs of a program view.
 *
 * <p>Layout of element 0 (every area starts 8-byte aligned):
 * <pre>
 *   0                 u64 out       (ringbuf query result)
 *   8                 key           (keyCapacity = round_up(key_size, 8) bytes)
 *   8 + keyCapacity   value / data  (dataCapacity bytes; lookup and pop results are written here too)
 * </pre>
 * The map is created with {@code BPF_F_MMAPABLE} and mapped shared, so Java reads and writes the element with
 * plain memory accesses and no system call; the test run system call orders them against the program's.
 */
final class ScratchMap {
    /** Offset of the u64 result slot. */
    static final int OUT_OFFSET = 0;
    /** Offset of the key area. */
    static final int KEY_OFFSET = 8;

    private static final int BPF_MAP_CREATE = 0;
    private static final int MAP_TYPE_ARRAY = 2;
    private static final int F_MMAPABLE = 1 << 10;
    private static final byte[] NAME = {'b', 'p', 'f', 'm', 'a', 'p', 's', '_', 'p', 'v'};

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long PAGE = 4096;

    final int fd;
    final int keyCapacity;
    final int dataOffset;
    final int dataCapacity;
    final int valueSize;
    private final long address;
    private final long mappedLength;
    /** Native-order view of element 0. */
    final ByteBuffer buffer;

    private ScratchMap(int fd, int keyCapacity, int dataCapacity, long address, long mappedLength) {
        this.fd = fd;
        this.keyCapacity = keyCapacity;
        this.dataOffset = KEY_OFFSET + keyCapacity;
        this.dataCapacity = dataCapacity;
        this.valueSize = dataOffset + dataCapacity;
        this.address = address;
        this.mappedLength = mappedLength;
        this.buffer = new Pointer(address).getByteBuffer(0, valueSize).order(ByteOrder.nativeOrder());
    }

    /** Creates and maps a scratch map for keys up to {@code keySize} and values/data up to {@code dataSize} bytes. */
    static ScratchMap create(int keySize, int dataSize, String subject) {
        int keyCapacity = roundUp8(keySize);
        int dataCapacity = Math.max(8, roundUp8(dataSize));
        long valueSize = (long) KEY_OFFSET + keyCapacity + dataCapacity;
        if (valueSize > Integer.MAX_VALUE - 8) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, 7, subject, "key and value too large for a program view");
        }
        NativeBuffer attr = new NativeBuffer(MapCreateAttr.SIZE);
        int fd;
        try {
            ByteBuffer a = attr.buffer();
            a.putInt(MapCreateAttr.MAP_TYPE_OFFSET, MAP_TYPE_ARRAY);
            a.putInt(MapCreateAttr.KEY_SIZE_OFFSET, 4);
            a.putInt(MapCreateAttr.VALUE_SIZE_OFFSET, (int) valueSize);
            a.putInt(MapCreateAttr.MAX_ENTRIES_OFFSET, 1);
            a.putInt(MapCreateAttr.MAP_FLAGS_OFFSET, F_MMAPABLE);
            a.put(MapCreateAttr.MAP_NAME_OFFSET, NAME);
            fd = LibC.bpf(BPF_MAP_CREATE, attr.address(), MapCreateAttr.SIZE);
        } finally {
            attr.free();
        }
        if (fd < 0) {
            String why = -fd == 1 ? " (creating maps needs CAP_BPF or CAP_SYS_ADMIN)" : "";
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, -fd, subject,
                    "creating the program view's scratch map failed" + why);
        }
        long length = (valueSize + PAGE - 1) / PAGE * PAGE;
        long addr = LibC.mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (addr == -1L) {
            int errno = LibC.errno();
            LibC.close(fd);
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, errno, subject,
                    "mapping the program view's scratch map failed");
        }
        return new ScratchMap(fd, keyCapacity, dataCapacity, addr, length);
    }

    void putKey(byte[] key) {
        buffer.put(KEY_OFFSET, key);
    }

    void putData(byte[] data) {
        buffer.put(dataOffset, data);
    }

    void getData(byte[] into, int length) {
        buffer.get(dataOffset, into, 0, length);
    }

    long out() {
        return buffer.getLong(OUT_OFFSET);
    }

    void close() {
        LibC.munmap(address, mappedLength);
        LibC.close(fd);
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }
}
