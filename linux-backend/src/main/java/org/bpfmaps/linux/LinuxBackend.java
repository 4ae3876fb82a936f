package org.bpfmaps.linux;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.linux.ringbuf.LinuxRingBufferReader;
import org.bpfmaps.linux.ringbuf.LinuxUserRingBufferWriter;
import org.bpfmaps.linux.sys.Bpf;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.bpfmaps.linux.sys.Scratch;

/**
 * The running kernel as a {@link MapBackend}: every method is a {@code bpf(2)} call.
 *
 * <p>Exists as the linux half of the SPI. It holds no state of its own beyond caches of kernel facts (possible
 * CPUs, type probes), so closing it closes nothing; maps live until their own {@code close()}.
 */
public final class LinuxBackend implements MapBackend {
    private static final int PAGE_SIZE = 4096;

    private final Map<MapType, Boolean> supported = new ConcurrentHashMap<>();

    LinuxBackend() {
    }

    @Override
    public String name() {
        return LinuxProvider.NAME;
    }

    @Override
    public BpfMap create(MapSpec spec) {
        // No MapSpec.check() here: a name over 15 bytes is sent as 16 bytes without a NUL, so the kernel refuses it
        // (EINVAL) after its type checks, as it would any such name (LRU + NO_PREALLOC is ENOTSUPP first).
        BpfMap inner = spec.innerMap();
        if (inner == null) {
            return create(spec, 0);
        }
        if (!(inner instanceof LinuxMap)) {
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, Errno.EINVAL.number(), "map spec " + spec,
                    "the inner map " + inner + " is not a linux map");
        }
        return ((LinuxMap) inner).withFd(BpfCommand.BPF_MAP_CREATE, fd -> create(spec, fd));
    }

    private BpfMap create(MapSpec spec, int innerFd) {
        int fd = Bpf.mapCreate(Scratch.get().attr(), spec.type().id(), spec.keySize(), spec.valueSize(),
                spec.maxEntries(), spec.flags(), innerFd, spec.numaNode(), spec.nameBytes(), spec.mapExtra());
        if (fd < 0) {
            int n = spec.nameBytes().length;
            if (-fd == Errno.EINVAL.number() && n > MapSpec.MAX_NAME_LENGTH) {
                throw BpfException.of(BpfCommand.BPF_MAP_CREATE, -fd, "map spec " + spec,
                        "name is " + n + " bytes; the kernel takes at most " + MapSpec.MAX_NAME_LENGTH);
            }
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, -fd, "map spec " + spec);
        }
        Access access = spec.has(MapFlag.RDONLY) ? Access.READ_ONLY
                : spec.has(MapFlag.WRONLY) ? Access.WRITE_ONLY : Access.READ_WRITE;
        return LinuxMap.adopt(fd, access, spec.flags(), BpfCommand.BPF_MAP_CREATE, "new map " + spec);
    }

    @Override
    public BpfMap openPinned(String path, Access access) {
        byte[] bytes = pathBytes(path);
        Scratch scratch = Scratch.get();
        NativeBuffer data = scratch.data(bytes.length);
        int fd;
        try {
            data.buffer().put(0, bytes);
            fd = Bpf.objGet(scratch.attr(), data.address(), access.fileFlags());
        } finally {
            scratch.release(data);
        }
        String what = "pinned path " + path;
        if (fd < 0) {
            throw BpfException.of(BpfCommand.BPF_OBJ_GET, -fd, what);
        }
        String kind = objectKind(fd);
        if (!"bpf-map".equals(kind)) {
            // BPF_OBJ_GET opens programs and links too; their info is not a bpf_map_info, so refuse them here.
            LibC.close(fd);
            throw BpfException.of(BpfCommand.BPF_OBJ_GET, Errno.EINVAL.number(), what,
                    "the object pinned there is " + (kind == null ? "not a bpf object" : "a " + kind) + ", not a map");
        }
        return LinuxMap.adopt(fd, access, -1, BpfCommand.BPF_OBJ_GET, what);
    }

    /** Unlinks the pin at {@code path}; errors carry the errno {@code unlink(2)} gave. */
    @Override
    public void unpin(String path) {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        try {
            if (!java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && java.nio.file.Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw BpfException.of(BpfCommand.BPF_OBJ_PIN, 21, "path " + path, "it is a directory, not a pin");
            }
            java.nio.file.Files.delete(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw BpfException.of(BpfCommand.BPF_OBJ_PIN, Errno.ENOENT.number(), "path " + path,
                    "nothing is pinned there");
        } catch (java.nio.file.AccessDeniedException e) {
            throw BpfException.of(BpfCommand.BPF_OBJ_PIN, Errno.EACCES.number(), "path " + path, e.getMessage());
        } catch (java.io.IOException e) {
            throw BpfException.of(BpfCommand.BPF_OBJ_PIN, Errno.EIO.number(), "path " + path, e.toString());
        }
    }

    /** The kind of bpf object behind {@code fd} ({@code bpf-map}, {@code bpf-prog}, {@code bpf_link}...), or null. */
    private static String objectKind(int fd) {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd))
                    .toString();
            return target.startsWith("anon_inode:") ? target.substring("anon_inode:".length()) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Override
    public BpfMap openById(int id, Access access) {
        String what = "map id " + Integer.toUnsignedString(id);
        int fd = Bpf.mapGetFdById(Scratch.get().attr(), id, access.fileFlags());
        if (fd < 0) {
            throw BpfException.of(BpfCommand.BPF_MAP_GET_FD_BY_ID, -fd, what);
        }
        return LinuxMap.adopt(fd, access, -1, BpfCommand.BPF_MAP_GET_FD_BY_ID, what);
    }

    @Override
    public int[] mapIds() {
        NativeBuffer attr = Scratch.get().attr();
        int[] ids = new int[64];
        int n = 0;
        int next = 0;
        for (;;) {
            int r = Bpf.mapGetNextId(attr, next);
            if (r == -Errno.ENOENT.number()) {
                return Arrays.copyOf(ids, n);
            }
            if (r < 0) {
                throw BpfException.of(BpfCommand.BPF_MAP_GET_NEXT_ID, -r, "map ids after " + next);
            }
            next = Bpf.nextId(attr);
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = next;
        }
    }

    /**
     * Whether the running kernel creates a minimal map of {@code type}, probed once per type.
     *
     * <p>The probe creates and closes a small map the way bpftool's feature probe does (map-in-map types with an
     * ARRAY inner template). Types whose creation needs objects bpfmaps does not build report {@code false}:
     * STRUCT_OPS (a vmlinux BTF value type) and the local storages SK/INODE/TASK/CGRP_STORAGE (a BTF value type).
     */
    @Override
    public boolean isSupported(MapType type) {
        return supported.computeIfAbsent(type, LinuxBackend::probe);
    }

    private static boolean probe(MapType type) {
        int key = 4;
        int value = 4;
        int max = 1;
        int flags = 0;
        switch (type) {
            case UNSPEC:
            case STRUCT_OPS:
            case SK_STORAGE:
            case INODE_STORAGE:
            case TASK_STORAGE:
            case CGRP_STORAGE:
                return false;
            case LPM_TRIE:
                key = 8;
                value = 8;
                flags = MapFlag.NO_PREALLOC.bit();
                break;
            case STACK_TRACE:
                value = 8;
                break;
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
                key = 8; // a u64 cgroup id (the struct key is 16 bytes with its padding; 12 is refused)
                max = 0;
                break;
            case QUEUE:
            case STACK:
            case BLOOM_FILTER:
                key = 0;
                break;
            case RINGBUF:
            case USER_RINGBUF:
                key = 0;
                value = 0;
                max = PAGE_SIZE;
                break;
            case ARENA:
                key = 0;
                value = 0;
                flags = MapFlag.MMAPABLE.bit();
                break;
            default:
                break;
        }
        NativeBuffer attr = Scratch.get().attr();
        int inner = -1;
        if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) {
            inner = Bpf.mapCreate(attr, MapType.ARRAY.id(), 4, 4, 1, 0, 0, 0, new byte[0], 0);
            if (inner < 0) {
                return false;
            }
        }
        try {
            int fd = Bpf.mapCreate(attr, type.id(), key, value, max, flags, Math.max(inner, 0), 0, new byte[0], 0);
            if (fd < 0) {
                return false;
            }
            LibC.close(fd);
            return true;
        } finally {
            if (inner >= 0) {
                LibC.close(inner);
            }
        }
    }

    /**
     * A reader over {@code RINGBUF} maps of this backend, on their shared memory with epoll for waiting
     * ({@link LinuxRingBufferReader} documents the protocol and its memory ordering).
     */
    @Override
    public RingBufferReader ringBufferReader(BpfMap... rings) {
        return LinuxRingBufferReader.open(rings);
    }

    /**
     * A writer for a {@code USER_RINGBUF} map of this backend, on its shared memory
     * ({@link LinuxUserRingBufferWriter} documents the protocol and its memory ordering).
     */
    @Override
    public UserRingBufferWriter userRingBufferWriter(BpfMap ring) {
        return LinuxUserRingBufferWriter.open(ring);
    }

    @Override
    public int possibleCpus() {
        return possibleCpuCount();
    }

    static int possibleCpuCount() {
        return Cpus.COUNT;
    }

    /**
     * Runs {@code action} with the calling thread pinned to {@code cpu}.
     *
     * <p>Pins with {@code sched_setaffinity} and restores the thread's previous mask afterwards, also when
     * {@code action} throws.
     *
     * @throws InvalidArgumentException ({@code EINVAL}, as {@code sched_setaffinity} answers) when {@code cpu} is
     *                                  not a possible CPU or the thread cannot run on it
     */
    @Override
    public <T> T onCpu(int cpu, Supplier<T> action) {
        if (cpu < 0 || !Cpus.POSSIBLE.get(cpu)) {
            throw (InvalidArgumentException) BpfException.of(BpfCommand.CPU_AFFINITY, Errno.EINVAL.number(),
                    null, "cpu " + cpu + " is not a possible CPU (possible: " + Cpus.POSSIBLE + ")");
        }
        int maskBytes = Math.max(128, ((Cpus.POSSIBLE.length() + 63) / 64) * 8);
        NativeBuffer previous = new NativeBuffer(maskBytes);
        NativeBuffer pinned = new NativeBuffer(maskBytes);
        try {
            if (LibC.sched_getaffinity(0, maskBytes, previous.address()) < 0) {
                throw affinityFailure("sched_getaffinity", cpu, LibC.errno());
            }
            pinned.buffer().put(cpu / 8, (byte) (1 << (cpu % 8)));
            if (LibC.sched_setaffinity(0, maskBytes, pinned.address()) < 0) {
                throw affinityFailure("sched_setaffinity", cpu, LibC.errno());
            }
            try {
                return action.get();
            } finally {
                if (LibC.sched_setaffinity(0, maskBytes, previous.address()) < 0) {
                    throw affinityFailure("sched_setaffinity (restoring the previous mask)", cpu, LibC.errno());
                }
            }
        } finally {
            previous.free();
            pinned.free();
        }
    }

    private static BpfException affinityFailure(String call, int cpu, int errno) {
        return BpfException.of(BpfCommand.CPU_AFFINITY, errno, null, "cannot run on cpu " + cpu + ": " + call
                + " failed");
    }

    /** A path as the kernel takes it: UTF-8 bytes and a NUL. */
    static byte[] pathBytes(String path) {
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains a NUL character: " + path);
            }
        }
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    @Override
    public void close() {
        // Nothing to release: maps are closed by their own handles.
    }

    @Override
    public String toString() {
        return "linux backend (" + Cpus.COUNT + " possible CPUs)";
    }

    /** The possible-CPU mask, read once when first needed. */
    private static final class Cpus {
        static final BitSet POSSIBLE = PossibleCpus.read();
        static final int COUNT = POSSIBLE.cardinality();
    }
}
