package org.bpfmaps.linux.sys;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;

/**
 * One thin wrapper per {@code bpf(2)} command bpfmaps issues.
 *
 * <p>Exists so every command has the same shape, checkable by eye: zero exactly the attr prefix sent, fill named
 * fields from the layout classes, call {@link LibC#bpf}. Each returns the kernel's non-negative result (an fd, an
 * id or 0) or {@code -errno}; none interprets errno. Pointers are raw native addresses (0 for NULL), attrs come
 * from the caller (normally {@link Scratch#attr()}), so a call allocates nothing.
 */
public final class Bpf {
    private static final int MAP_CREATE = BpfCommand.BPF_MAP_CREATE.number();
    private static final int MAP_LOOKUP_ELEM = BpfCommand.BPF_MAP_LOOKUP_ELEM.number();
    private static final int MAP_UPDATE_ELEM = BpfCommand.BPF_MAP_UPDATE_ELEM.number();
    private static final int MAP_DELETE_ELEM = BpfCommand.BPF_MAP_DELETE_ELEM.number();
    private static final int MAP_GET_NEXT_KEY = BpfCommand.BPF_MAP_GET_NEXT_KEY.number();
    private static final int MAP_LOOKUP_AND_DELETE_ELEM = BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM.number();
    private static final int MAP_FREEZE = BpfCommand.BPF_MAP_FREEZE.number();
    private static final int OBJ_PIN = BpfCommand.BPF_OBJ_PIN.number();
    private static final int OBJ_GET = BpfCommand.BPF_OBJ_GET.number();
    private static final int MAP_GET_NEXT_ID = BpfCommand.BPF_MAP_GET_NEXT_ID.number();
    private static final int MAP_GET_FD_BY_ID = BpfCommand.BPF_MAP_GET_FD_BY_ID.number();
    private static final int OBJ_GET_INFO_BY_FD = BpfCommand.BPF_OBJ_GET_INFO_BY_FD.number();

    private Bpf() {
    }

    /**
     * {@code BPF_MAP_CREATE}; the first 16 bytes of {@code name} fill {@code map_name}, so a name of 16 bytes or
     * more arrives without its NUL and the kernel refuses it ({@code EINVAL}) at its own point in the checks.
     *
     * @return the new map fd, or {@code -errno}
     */
    public static int mapCreate(NativeBuffer attr, int mapType, int keySize, int valueSize, int maxEntries,
                                int mapFlags, int innerMapFd, int numaNode, byte[] name, long mapExtra) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, MapCreateAttr.SIZE);
        a.putInt(MapCreateAttr.MAP_TYPE_OFFSET, mapType);
        a.putInt(MapCreateAttr.KEY_SIZE_OFFSET, keySize);
        a.putInt(MapCreateAttr.VALUE_SIZE_OFFSET, valueSize);
        a.putInt(MapCreateAttr.MAX_ENTRIES_OFFSET, maxEntries);
        a.putInt(MapCreateAttr.MAP_FLAGS_OFFSET, mapFlags);
        a.putInt(MapCreateAttr.INNER_MAP_FD_OFFSET, innerMapFd);
        a.putInt(MapCreateAttr.NUMA_NODE_OFFSET, numaNode);
        int n = Math.min(name.length, MapCreateAttr.MAP_NAME_LENGTH);
        a.put(MapCreateAttr.MAP_NAME_OFFSET, name, 0, n);
        a.putLong(MapCreateAttr.MAP_EXTRA_OFFSET, mapExtra);
        return LibC.bpf(MAP_CREATE, attr.address(), MapCreateAttr.SIZE);
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: copies the value of {@code key} to {@code value}. */
    public static int mapLookupElem(NativeBuffer attr, int fd, long key, long value, long flags) {
        return elem(attr, MAP_LOOKUP_ELEM, fd, key, value, flags);
    }

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    public static int mapUpdateElem(NativeBuffer attr, int fd, long key, long value, long flags) {
        return elem(attr, MAP_UPDATE_ELEM, fd, key, value, flags);
    }

    /** {@code BPF_MAP_DELETE_ELEM}. */
    public static int mapDeleteElem(NativeBuffer attr, int fd, long key) {
        return elem(attr, MAP_DELETE_ELEM, fd, key, 0L, 0L);
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}; {@code key} 0 asks for the first key. */
    public static int mapGetNextKey(NativeBuffer attr, int fd, long key, long nextKey) {
        return elem(attr, MAP_GET_NEXT_KEY, fd, key, nextKey, 0L);
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}. */
    public static int mapLookupAndDeleteElem(NativeBuffer attr, int fd, long key, long value, long flags) {
        return elem(attr, MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
    }

    private static int elem(NativeBuffer attr, int cmd, int fd, long key, long value, long flags) {
        ByteBuffer a = attr.buffer();
        a.putLong(0, 0L); // map_fd and the padding after it
        a.putInt(MapElemAttr.MAP_FD_OFFSET, fd);
        a.putLong(MapElemAttr.KEY_OFFSET, key);
        a.putLong(MapElemAttr.VALUE_OFFSET, value);
        a.putLong(MapElemAttr.FLAGS_OFFSET, flags);
        return LibC.bpf(cmd, attr.address(), MapElemAttr.SIZE);
    }

    /** {@code BPF_MAP_FREEZE}. */
    public static int mapFreeze(NativeBuffer attr, int fd) {
        attr.zero(0, 8);
        attr.buffer().putInt(MapElemAttr.MAP_FD_OFFSET, fd);
        return LibC.bpf(MAP_FREEZE, attr.address(), MapElemAttr.FREEZE_SIZE);
    }

    /**
     * One of the four batch commands.
     *
     * <p>The kernel's output {@code count} is left in the attr; read it with {@link #batchCount(NativeBuffer)} (it
     * is written on failure too).
     */
    public static int mapBatch(NativeBuffer attr, BpfCommand command, int fd, long inBatch, long outBatch, long keys,
                               long values, int count, long elemFlags) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, MapBatchAttr.SIZE);
        a.putLong(MapBatchAttr.IN_BATCH_OFFSET, inBatch);
        a.putLong(MapBatchAttr.OUT_BATCH_OFFSET, outBatch);
        a.putLong(MapBatchAttr.KEYS_OFFSET, keys);
        a.putLong(MapBatchAttr.VALUES_OFFSET, values);
        a.putInt(MapBatchAttr.COUNT_OFFSET, count);
        a.putInt(MapBatchAttr.MAP_FD_OFFSET, fd);
        a.putLong(MapBatchAttr.ELEM_FLAGS_OFFSET, elemFlags);
        return LibC.bpf(command.number(), attr.address(), MapBatchAttr.SIZE);
    }

    /** The {@code count} the kernel wrote back into a batch attr. */
    public static int batchCount(NativeBuffer attr) {
        return attr.buffer().getInt(MapBatchAttr.COUNT_OFFSET);
    }

    /** {@code BPF_OBJ_PIN}: pins {@code fd} at the NUL-terminated path at {@code pathname}. */
    public static int objPin(NativeBuffer attr, int fd, long pathname) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, ObjPathAttr.SIZE);
        a.putLong(ObjPathAttr.PATHNAME_OFFSET, pathname);
        a.putInt(ObjPathAttr.BPF_FD_OFFSET, fd);
        return LibC.bpf(OBJ_PIN, attr.address(), ObjPathAttr.SIZE);
    }

    /** {@code BPF_OBJ_GET}: opens the object pinned at {@code pathname} with {@code fileFlags}. */
    public static int objGet(NativeBuffer attr, long pathname, int fileFlags) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, ObjPathAttr.SIZE);
        a.putLong(ObjPathAttr.PATHNAME_OFFSET, pathname);
        a.putInt(ObjPathAttr.FILE_FLAGS_OFFSET, fileFlags);
        return LibC.bpf(OBJ_GET, attr.address(), ObjPathAttr.SIZE);
    }

    /**
     * {@code BPF_MAP_GET_NEXT_ID}: the first map id above {@code startId}.
     *
     * <p>On success (0) the id is in the attr; read it with {@link #nextId(NativeBuffer)}.
     */
    public static int mapGetNextId(NativeBuffer attr, int startId) {
        attr.zero(0, ObjIdAttr.SIZE);
        attr.buffer().putInt(ObjIdAttr.START_ID_OFFSET, startId);
        return LibC.bpf(MAP_GET_NEXT_ID, attr.address(), ObjIdAttr.SIZE);
    }

    /** The {@code next_id} written by {@link #mapGetNextId}. */
    public static int nextId(NativeBuffer attr) {
        return attr.buffer().getInt(ObjIdAttr.NEXT_ID_OFFSET);
    }

    /** {@code BPF_MAP_GET_FD_BY_ID}. */
    public static int mapGetFdById(NativeBuffer attr, int id, int openFlags) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, ObjIdAttr.SIZE);
        a.putInt(ObjIdAttr.MAP_ID_OFFSET, id);
        a.putInt(ObjIdAttr.OPEN_FLAGS_OFFSET, openFlags);
        return LibC.bpf(MAP_GET_FD_BY_ID, attr.address(), ObjIdAttr.SIZE);
    }

    /**
     * {@code BPF_OBJ_GET_INFO_BY_FD} into {@code infoLen} bytes at {@code info}.
     *
     * <p>The length the kernel wrote is left in the attr; read it with {@link #infoLen(NativeBuffer)}.
     */
    public static int objGetInfoByFd(NativeBuffer attr, int fd, long info, int infoLen) {
        ByteBuffer a = attr.buffer();
        attr.zero(0, ObjInfoAttr.SIZE);
        a.putInt(ObjInfoAttr.BPF_FD_OFFSET, fd);
        a.putInt(ObjInfoAttr.INFO_LEN_OFFSET, infoLen);
        a.putLong(ObjInfoAttr.INFO_OFFSET, info);
        return LibC.bpf(OBJ_GET_INFO_BY_FD, attr.address(), ObjInfoAttr.SIZE);
    }

    /** The {@code info_len} written by {@link #objGetInfoByFd}. */
    public static int infoLen(NativeBuffer attr) {
        return attr.buffer().getInt(ObjInfoAttr.INFO_LEN_OFFSET);
    }
}
