package org.bpfmaps.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.linux.prog.LinuxProgramView;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.ObjInfoAttr;
import org.bpfmaps.linux.sys.Scratch;
import org.bpfmaps.spi.AbstractBpfMap;

/**
 * A map in the running kernel, reached through one file descriptor.
 *
 * <p>Every operation is one {@code bpf(2)} call; keys and values are copied between the caller's buffers and
 * per-thread native memory, so the {@code ByteBuffer} forms of lookup, update, delete and get-next-key allocate
 * nothing.
 *
 * <p><b>Closing.</b> The descriptor is reference-counted: each call holds a use while it runs, and
 * {@link #close()} drops the handle's own use. The fd is closed when the last use ends, so a call that started
 * before {@code close()} finishes normally on a still-valid fd, and a call starting after it fails with
 * {@link MapClosedException} without reaching the kernel. {@code close()} never blocks and no call ever reaches
 * the kernel with a stale fd (whose number another open could have reused). A map that becomes unreachable
 * without being closed has its fd closed by a {@link Cleaner}.
 */
public final class LinuxMap extends AbstractBpfMap {
    private static final Cleaner CLEANER = Cleaner.create();

    private final FdHandle handle;
    private final Cleaner.Cleanable cleanable;

    private LinuxMap(int fd, MapType type, int keySize, int valueSize, int maxEntries, int flags, String name,
                     int id, Access access, int possibleCpus) {
        super(type, keySize, valueSize, maxEntries, flags, name, id, access, possibleCpus);
        this.handle = new FdHandle(fd);
        this.cleanable = CLEANER.register(this, handle);
    }

    /**
     * Wraps an fd the caller owns: reads the map's info and takes the fd over. On failure the fd is closed.
     *
     * @param access       the access the fd has (from {@code file_flags}/{@code open_flags}, or for a created map
     *                     from its RDONLY/WRONLY flags, which the kernel applies to the creating fd only)
     * @param createdFlags the {@code map_flags} the map was created with, or {@code -1} to take the kernel's
     *                     (which has dropped RDONLY/WRONLY: they are not a property of the map)
     */
    static LinuxMap adopt(int fd, Access access, int createdFlags, BpfCommand command, String what) {
        try {
            Scratch scratch = Scratch.get();
            NativeBuffer info = scratch.data(ObjInfoAttr.MAP_INFO_SIZE);
            try {
                info.zero(0, ObjInfoAttr.MAP_INFO_SIZE);
                int r = Bpf.objGetInfoByFd(scratch.attr(), fd, info.address(), ObjInfoAttr.MAP_INFO_SIZE);
                if (r < 0) {
                    throw BpfException.of(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, -r, what);
                }
                ByteBuffer b = info.buffer();
                int typeId = b.getInt(ObjInfoAttr.MAP_INFO_TYPE_OFFSET);
                MapType type = MapType.ofId(typeId);
                if (type == null) {
                    throw BpfException.of(command, Errno.ENOTSUPP.number(), what,
                            "the kernel reports map type " + typeId + ", which bpfmaps does not know");
                }
                int flags = createdFlags == -1 ? b.getInt(ObjInfoAttr.MAP_INFO_MAP_FLAGS_OFFSET) : createdFlags;
                LinuxMap map = new LinuxMap(fd, type, b.getInt(ObjInfoAttr.MAP_INFO_KEY_SIZE_OFFSET),
                        b.getInt(ObjInfoAttr.MAP_INFO_VALUE_SIZE_OFFSET),
                        b.getInt(ObjInfoAttr.MAP_INFO_MAX_ENTRIES_OFFSET), flags, readName(b),
                        b.getInt(ObjInfoAttr.MAP_INFO_ID_OFFSET), access, LinuxBackend.possibleCpuCount());
                fd = -1;
                return map;
            } finally {
                scratch.release(info);
            }
        } finally {
            if (fd >= 0) {
                LibC.close(fd);
            }
        }
    }

    private static String readName(ByteBuffer info) {
        byte[] name = new byte[ObjInfoAttr.MAP_INFO_NAME_LENGTH];
        info.get(ObjInfoAttr.MAP_INFO_NAME_OFFSET, name);
        int n = 0;
        while (n < name.length && name[n] != 0) {
            n++;
        }
        return new String(name, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The map's file descriptor, for code that issues its own system calls on it (the program view).
     *
     * <p>The number is valid until {@link #close()}; to keep it valid across a call, use {@link #withFd}.
     *
     * @throws MapClosedException when the map is closed
     */
    @Override
    public int fd() {
        if (isClosed()) {
            throw new MapClosedException(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, subject());
        }
        return handle.fd;
    }

    /**
     * Runs {@code action} with the map's fd, kept open until {@code action} returns.
     *
     * <p>The fd stays valid even if another thread closes the map meanwhile: the close takes effect afterwards.
     *
     * @throws MapClosedException when the map is already closed ({@code command} names the operation)
     */
    public <T> T withFd(BpfCommand command, IntFunction<T> action) {
        int fd = acquire(command);
        try {
            return action.apply(fd);
        } finally {
            release();
        }
    }

    // ---- use counting --------------------------------------------------------------------------------

    private int acquire(BpfCommand command) {
        if (!handle.acquire()) {
            throw new MapClosedException(command, subject());
        }
        return handle.fd;
    }

    private void release() {
        if (handle.release()) {
            cleanable.clean();
        }
        Reference.reachabilityFence(this);
    }

    @Override
    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    protected boolean markClosed() {
        return handle.markClosed();
    }

    @Override
    protected void doClose() {
        release();
    }

    // ---- element primitives ---------------------------------------------------------------------------

    @Override
    protected int doLookup(ByteBuffer key, ByteBuffer value, long flags) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_ELEM, key, value, flags);
    }

    @Override
    protected int doUpdate(ByteBuffer key, ByteBuffer value, long flags) {
        return elem(BpfCommand.BPF_MAP_UPDATE_ELEM, key, value, flags);
    }

    @Override
    protected int doDelete(ByteBuffer key) {
        return elem(BpfCommand.BPF_MAP_DELETE_ELEM, key, null, 0L);
    }

    @Override
    protected int doNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return elem(BpfCommand.BPF_MAP_GET_NEXT_KEY, key, nextKey, 0L);
    }

    @Override
    protected int doLookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, value, flags);
    }

    /**
     * One element command: key (may be null) and second buffer (value in or out, or next key; may be null) are
     * laid out in this thread's data block, key first, second buffer at the next 8-byte boundary.
     */
    private int elem(BpfCommand command, ByteBuffer key, ByteBuffer second, long flags) {
        int fd = acquire(command);
        try {
            Scratch scratch = Scratch.get();
            int keyLength = key == null ? 0 : key.remaining();
            int secondOffset = (keyLength + 7) & ~7;
            int secondLength = second == null ? 0 : second.remaining();
            NativeBuffer data = scratch.data((long) secondOffset + secondLength);
            // A bloom filter's lookup value is the value to test: the kernel copies it in and nothing back.
            boolean valueIn = command == BpfCommand.BPF_MAP_UPDATE_ELEM
                    || (command == BpfCommand.BPF_MAP_LOOKUP_ELEM && type() == MapType.BLOOM_FILTER);
            try {
                return elem(command, fd, scratch.attr(), data, key, keyLength, second, secondOffset, secondLength,
                        flags, valueIn);
            } finally {
                scratch.release(data);
            }
        } finally {
            release();
        }
    }

    private static int elem(BpfCommand command, int fd, NativeBuffer attr, NativeBuffer data, ByteBuffer key,
                            int keyLength, ByteBuffer second, int secondOffset, int secondLength, long flags,
                            boolean valueIn) {
        ByteBuffer d = data.buffer();
        long keyAddress = 0L;
        if (key != null) {
            d.put(0, key, key.position(), keyLength);
            keyAddress = data.address();
        }
        long secondAddress = second == null ? 0L : data.address(secondOffset);
        if (second != null && valueIn) {
            d.put(secondOffset, second, second.position(), secondLength);
        }
        int r;
        switch (command) {
            case BPF_MAP_LOOKUP_ELEM:
                r = Bpf.mapLookupElem(attr, fd, keyAddress, secondAddress, flags);
                break;
            case BPF_MAP_UPDATE_ELEM:
                r = Bpf.mapUpdateElem(attr, fd, keyAddress, secondAddress, flags);
                break;
            case BPF_MAP_DELETE_ELEM:
                r = Bpf.mapDeleteElem(attr, fd, keyAddress);
                break;
            case BPF_MAP_GET_NEXT_KEY:
                r = Bpf.mapGetNextKey(attr, fd, keyAddress, secondAddress);
                break;
            case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
                r = Bpf.mapLookupAndDeleteElem(attr, fd, keyAddress, secondAddress, flags);
                break;
            default:
                throw new IllegalArgumentException(command.name());
        }
        if (r < 0) {
            return -r;
        }
        if (second != null && !valueIn) {
            second.put(second.position(), d, secondOffset, secondLength);
        }
        return 0;
    }

    @Override
    protected int doFreeze() {
        int fd = acquire(BpfCommand.BPF_MAP_FREEZE);
        try {
            int r = Bpf.mapFreeze(Scratch.get().attr(), fd);
            return r < 0 ? -r : 0;
        } finally {
            release();
        }
    }

    // ---- batch -----------------------------------------------------------------------------------------

    /**
     * Copies the arrays through this thread's data block laid out as {@code [in_batch][out_batch][keys][values]},
     * each part 8-byte aligned. Batches above {@link Scratch#RETAINED_LIMIT} bytes use a one-off native block.
     */
    @Override
    protected BatchOutcome doBatch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                   int count, long elemFlags) {
        int fd = acquire(command);
        try {
            Scratch scratch = Scratch.get();
            boolean read = command == BpfCommand.BPF_MAP_LOOKUP_BATCH
                    || command == BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH;
            int cursor = read ? batchCursorSize() : 0;
            long keyBytes = (long) count * keySize();
            long valueBytes = values == null ? 0 : (long) count * valueBufferSize();
            int outOffset = (int) align8(cursor);
            int keysOffset = (int) align8(outOffset + cursor);
            long valuesOffset = align8(keysOffset + keyBytes);
            NativeBuffer data = scratch.data(Math.max(8, valuesOffset + valueBytes));
            try {
                ByteBuffer d = data.buffer();
                if (inBatch != null) {
                    d.put(0, inBatch, 0, cursor);
                }
                if (read) {
                    // The kernel writes out_batch only on some outcomes (not for an in_batch past the last
                    // bucket, for instance): start from the caller's bytes so unwritten ones read back unchanged.
                    d.put(outOffset, outBatch, 0, cursor);
                }
                if (!read) {
                    d.put(keysOffset, keys, 0, (int) keyBytes);
                }
                if (command == BpfCommand.BPF_MAP_UPDATE_BATCH) {
                    d.put((int) valuesOffset, values, 0, (int) valueBytes);
                }
                long inAddress = inBatch == null ? 0L : data.address();
                long outAddress = read ? data.address(outOffset) : 0L;
                long valuesAddress = values == null ? 0L : data.address((int) valuesOffset);
                NativeBuffer attr = scratch.attr();
                int r = Bpf.mapBatch(attr, command, fd, inAddress, outAddress, data.address(keysOffset),
                        valuesAddress, count, elemFlags);
                int done = Bpf.batchCount(attr);
                if (done < 0 || done > count) {
                    done = r < 0 ? 0 : count;
                }
                int errno = r < 0 ? -r : 0;
                if (read) {
                    // Elements are copied out only when the kernel reports them (success or the end of the
                    // map); a refused batch leaves count as passed in and writes no element.
                    if (errno == 0 || errno == Errno.ENOENT.number()) {
                        d.get(keysOffset, keys, 0, done * keySize());
                        if (values != null) {
                            d.get((int) valuesOffset, values, 0, done * valueBufferSize());
                        }
                    }
                    d.get(outOffset, outBatch, 0, cursor);
                }
                return batchOutcome(errno, done);
            } finally {
                scratch.release(data);
            }
        } finally {
            release();
        }
    }

    private static BatchOutcome batchOutcome(int errno, int count) {
        return new BatchOutcome(errno, count);
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    // ---- object commands ------------------------------------------------------------------------------

    @Override
    public MapInfo info() {
        BpfCommand command = BpfCommand.BPF_OBJ_GET_INFO_BY_FD;
        int fd = acquire(command);
        try {
            Scratch scratch = Scratch.get();
            NativeBuffer info = scratch.data(ObjInfoAttr.MAP_INFO_SIZE);
            ByteBuffer b = info.buffer();
            int typeId;
            int id;
            int keySize;
            int valueSize;
            int maxEntries;
            int flags;
            String name;
            int ifindex;
            int btfId;
            int btfKey;
            int btfValue;
            long mapExtra;
            try {
                info.zero(0, ObjInfoAttr.MAP_INFO_SIZE);
                int r = Bpf.objGetInfoByFd(scratch.attr(), fd, info.address(), ObjInfoAttr.MAP_INFO_SIZE);
                if (r < 0) {
                    throw failure(command, -r);
                }
                typeId = b.getInt(ObjInfoAttr.MAP_INFO_TYPE_OFFSET);
                id = b.getInt(ObjInfoAttr.MAP_INFO_ID_OFFSET);
                keySize = b.getInt(ObjInfoAttr.MAP_INFO_KEY_SIZE_OFFSET);
                valueSize = b.getInt(ObjInfoAttr.MAP_INFO_VALUE_SIZE_OFFSET);
                maxEntries = b.getInt(ObjInfoAttr.MAP_INFO_MAX_ENTRIES_OFFSET);
                flags = b.getInt(ObjInfoAttr.MAP_INFO_MAP_FLAGS_OFFSET);
                name = readName(b);
                ifindex = b.getInt(ObjInfoAttr.MAP_INFO_IFINDEX_OFFSET);
                btfId = b.getInt(ObjInfoAttr.MAP_INFO_BTF_ID_OFFSET);
                btfKey = b.getInt(ObjInfoAttr.MAP_INFO_BTF_KEY_TYPE_ID_OFFSET);
                btfValue = b.getInt(ObjInfoAttr.MAP_INFO_BTF_VALUE_TYPE_ID_OFFSET);
                mapExtra = b.getLong(ObjInfoAttr.MAP_INFO_MAP_EXTRA_OFFSET);
            } finally {
                scratch.release(info);
            }
            MapType type = MapType.ofId(typeId);
            long memlock = 0;
            boolean frozen = false;
            for (String line : readFdInfo(fd)) {
                if (line.startsWith("memlock:")) {
                    memlock = Long.parseLong(line.substring("memlock:".length()).trim());
                } else if (line.startsWith("frozen:")) {
                    frozen = Integer.parseInt(line.substring("frozen:".length()).trim()) != 0;
                }
            }
            return new MapInfo(type == null ? type() : type, id, keySize, valueSize, maxEntries, flags, name,
                    ifindex, btfId, btfKey, btfValue, mapExtra, memlock, frozen);
        } finally {
            release();
        }
    }

    private List<String> readFdInfo(int fd) {
        try {
            return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/fdinfo/" + fd + " of " + subject(), e);
        }
    }

    @Override
    public void pin(String path) {
        BpfCommand command = BpfCommand.BPF_OBJ_PIN;
        ensureOpen(command); // closed first, whatever the path
        byte[] bytes = LinuxBackend.pathBytes(path);
        int fd = acquire(command);
        try {
            Scratch scratch = Scratch.get();
            NativeBuffer data = scratch.data(bytes.length);
            try {
                data.buffer().put(0, bytes);
                int r = Bpf.objPin(scratch.attr(), fd, data.address());
                if (r < 0) {
                    throw failure(command, -r, "path " + path);
                }
            } finally {
                scratch.release(data);
            }
        } finally {
            release();
        }
    }

    @Override
    public ProgramView programView(int cpu) {
        ensureOpen(BpfCommand.PROGRAM_HELPER); // closed first, whatever the CPU
        return LinuxProgramView.open(this, fd(), cpu);
    }

    /**
     * The fd and its use count; also the {@link Cleaner} action that closes the fd.
     *
     * <p>Exists apart from the map so the cleaner can close the fd without keeping the map reachable. The state
     * word holds the number of uses in its low bits (the open handle itself is one) and {@link #CLOSED} once
     * {@code close()} ran; the fd is closed by whoever drops the last use of a closed handle.
     */
    private static final class FdHandle implements Runnable {
        private static final int CLOSED = 0x8000_0000;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(FdHandle.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int fd;
        @SuppressWarnings("unused") // accessed through STATE
        private volatile int state = 1;

        FdHandle(int fd) {
            this.fd = fd;
        }

        boolean acquire() {
            for (;;) {
                int s = state;
                if ((s & CLOSED) != 0) {
                    return false;
                }
                if (STATE.compareAndSet(this, s, s + 1)) {
                    return true;
                }
            }
        }

        /** Drops one use; {@code true} when it was the last use of a closed handle, so the fd must close. */
        boolean release() {
            int s = (int) STATE.getAndAdd(this, -1) - 1;
            return s == CLOSED;
        }

        boolean markClosed() {
            for (;;) {
                int s = state;
                if ((s & CLOSED) != 0) {
                    return false;
                }
                if (STATE.compareAndSet(this, s, s | CLOSED)) {
                    return true;
                }
            }
        }

        boolean isClosed() {
            return (state & CLOSED) != 0;
        }

        @Override
        public void run() {
            LibC.close(fd);
        }
    }
}
