package org.bpfmaps.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * A whole simulated kernel: its own map ids, its own bpf filesystem and its own possible CPUs.
 *
 * <p>Build one with {@link #builder()} (or through the {@code simulator} provider). The simulator emulates
 * {@code HASH}, {@code PERCPU_HASH}, {@code ARRAY} and {@code PERCPU_ARRAY} with the semantics of Linux 6.18;
 * creating any other type fails with {@code EINVAL}, and {@link #isSupported(MapType)} says so.
 *
 * <p><b>Objects.</b> Map ids start at 1, grow by one per created map and are never reused. A map lives while any
 * descriptor ({@link BpfMap} handle) or pin refers to it; when the last one goes, its id disappears from
 * {@link #mapIds()}.
 *
 * <p><b>Virtual bpffs.</b> Paths are plain strings under a root (default {@code /sys/fs/bpf}). The root always
 * exists; further directories exist only when made with {@link #makeDirectory(String)}. Pinning answers as the
 * kernel does: {@code EEXIST} for a taken path, {@code ENOENT} when the parent directory does not exist,
 * {@code ENOTDIR} when the parent is a pinned map, {@code EPERM} for a path outside the root. Opening a missing
 * pin answers {@code ENOENT}; a path outside the root answers {@code EACCES} when the file exists on the host (it is
 * not on a bpf filesystem) and {@code ENOENT} otherwise. Paths are resolved as a path walk would: relative to the
 * working directory, with {@code //}, {@code .} and {@code ..} collapsed; an empty path is {@code EINVAL}.
 *
 * <p>The kernel keeps every descriptor it hands out until it is closed (so that {@link #close()} can close them);
 * close descriptors you no longer need.
 *
 * <p><b>CPUs.</b> User-space calls are attributed to CPU 0 unless made inside {@link #onCpu(int, Supplier)}.
 */
public final class SimulatedKernel implements MapBackend {

    /** The default bpffs mount point. */
    public static final String DEFAULT_BPFFS_ROOT = "/sys/fs/bpf";

    private static final int ENOENT = MapObject.ENOENT;
    private static final int EEXIST = MapObject.EEXIST;
    private static final int EPERM = MapObject.EPERM;
    private static final int EACCES = MapObject.EACCES;
    private static final int EINVAL = MapObject.EINVAL;
    private static final int ENOTDIR = org.bpfmaps.Errno.ENOTDIR.number();

    private final int cpus;
    private final String root;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<int[]> currentCpu = ThreadLocal.withInitial(() -> new int[1]);

    // Guarded by this.
    private int lastId;
    private final TreeMap<Integer, MapObject> maps = new TreeMap<>();
    private final Map<String, MapObject> pins = new HashMap<>();
    private final Set<String> directories = new HashSet<>();
    private final Set<SimBpfMap> handles = new LinkedHashSet<>();
    private boolean closed;

    private SimulatedKernel(Builder b) {
        this.cpus = b.cpus;
        this.root = b.root;
    }

    /** A builder with the host's possible CPU count and the default bpffs root. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SimulatedKernel}. */
    public static final class Builder {
        private int cpus = HostCpus.possible();
        private String root = DEFAULT_BPFFS_ROOT;

        private Builder() {
        }

        /** Sets the number of simulated possible CPUs (at least 1). */
        public Builder cpus(int cpus) {
            if (cpus < 1) {
                throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /** Sets the bpffs root under which maps can be pinned, e.g. {@code /sys/fs/bpf}. */
        public Builder bpffsRoot(String root) {
            Objects.requireNonNull(root, "root");
            if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
                throw new IllegalArgumentException("bpffs root must be absolute without a trailing '/': " + root);
            }
            this.root = root;
            return this;
        }

        /** The simulated kernel. */
        public SimulatedKernel build() {
            return new SimulatedKernel(this);
        }
    }

    @Override
    public String name() {
        return SimulatorProvider.NAME;
    }

    /** The bpffs root of this kernel. */
    public String bpffsRoot() {
        return root;
    }

    @Override
    public int possibleCpus() {
        return cpus;
    }

    @Override
    public boolean isSupported(MapType type) {
        return CreateChecks.emulates(type);
    }

    @Override
    public BpfMap create(MapSpec spec) {
        Objects.requireNonNull(spec, "spec");
        CreateChecks.Refusal r = CreateChecks.check(spec, cpus);
        if (r != null) {
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, r.errno(), "map spec " + spec, r.detail());
        }
        synchronized (this) {
            ensureOpen();
            int id = ++lastId;
            MapObject object = DelegatedMapObject.handles(spec.type())
                    ? new DelegatedMapObject(this, spec, id, random.nextInt())
                    : spec.type().isHashTable() ? new HashTable(this, spec, id, random.nextInt())
                    : new ArrayTable(this, spec, id);
            maps.put(id, object);
            Access access = MapFlag.RDONLY.isSet(spec.flags()) ? Access.READ_ONLY
                    : MapFlag.WRONLY.isSet(spec.flags()) ? Access.WRITE_ONLY : Access.READ_WRITE;
            return open(object, access);
        }
    }

    @Override
    public BpfMap openPinned(String path, Access access) {
        Objects.requireNonNull(access, "access");
        String resolved = resolve(path);
        synchronized (this) {
            ensureOpen();
            int err = resolved == null ? EINVAL : 0;
            if (err == 0 && !underRoot(resolved)) {
                err = Files.exists(Path.of(resolved)) ? EACCES : ENOENT;
            }
            MapObject object = err == 0 ? pins.get(resolved) : null;
            if (err == 0 && object == null) {
                err = ENOENT;
            }
            if (err != 0) {
                throw BpfException.of(BpfCommand.BPF_OBJ_GET, err, "path " + path);
            }
            return open(object, access);
        }
    }

    @Override
    public BpfMap openById(int id, Access access) {
        Objects.requireNonNull(access, "access");
        synchronized (this) {
            ensureOpen();
            MapObject object = maps.get(id);
            if (object == null) {
                throw BpfException.of(BpfCommand.BPF_MAP_GET_FD_BY_ID, ENOENT,
                        "map id " + Integer.toUnsignedString(id));
            }
            return open(object, access);
        }
    }

    @Override
    public int[] mapIds() {
        synchronized (this) {
            return maps.keySet().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** The paths of all pinned maps, sorted. */
    public List<String> pinnedPaths() {
        synchronized (this) {
            List<String> out = new ArrayList<>(pins.keySet());
            out.sort(null);
            return out;
        }
    }

    /**
     * Creates a directory in the virtual bpffs ({@code mkdir}); its parent must exist.
     *
     * @throws BpfException {@code EEXIST}, {@code ENOENT} (parent missing), {@code EPERM} (outside the root)
     */
    public void makeDirectory(String path) {
        String resolved = resolve(path);
        synchronized (this) {
            ensureOpen();
            int err = checkNewEntry(resolved);
            if (err != 0) {
                throw BpfException.of(BpfCommand.BPF_OBJ_PIN, err, "path " + path, "mkdir failed");
            }
            directories.add(resolved);
        }
    }

    /**
     * Removes a pin ({@code unlink}); the map goes away when no descriptor refers to it either.
     *
     * @throws BpfException {@code ENOENT} when nothing is pinned at {@code path}
     */
    public void unpin(String path) {
        synchronized (this) {
            ensureOpen();
            String resolved = resolve(path);
            MapObject object = resolved == null ? null : pins.remove(resolved);
            if (object == null) {
                throw BpfException.of(BpfCommand.BPF_OBJ_PIN, ENOENT, "path " + path, "nothing is pinned there");
            }
            dropReference(object);
        }
    }

    @Override
    public <T> T onCpu(int cpu, Supplier<T> action) {
        if (cpu < 0 || cpu >= cpus) {
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, EINVAL, "simulated kernel",
                    "CPU " + cpu + " is not one of the " + cpus + " possible CPUs");
        }
        int[] slot = currentCpu.get();
        int saved = slot[0];
        slot[0] = cpu;
        try {
            return action.get();
        } finally {
            slot[0] = saved;
        }
    }

    /** The CPU the calling thread's user-space calls are attributed to (0 outside {@link #onCpu}). */
    public int currentCpu() {
        return currentCpu.get()[0];
    }

    @Override
    public void close() {
        List<SimBpfMap> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(handles);
        }
        for (SimBpfMap h : open) {
            h.close();
        }
        synchronized (this) {
            pins.clear();
            maps.clear();
            directories.clear();
        }
    }

    // ---- called by descriptors ----------------------------------------------------------------------------

    private SimBpfMap open(MapObject object, Access access) {
        SimBpfMap handle = new SimBpfMap(object, access);
        object.references++;
        handles.add(handle);
        return handle;
    }

    /** A descriptor was closed. */
    synchronized void release(SimBpfMap handle) {
        if (handles.remove(handle)) {
            dropReference(handle.object);
        }
    }

    /** {@code BPF_OBJ_PIN}; returns 0 or the errno. */
    synchronized int pin(MapObject object, String path) {
        if (closed) {
            return MapObject.EPERM;
        }
        String resolved = resolve(path);
        int err = checkNewEntry(resolved);
        if (err != 0) {
            return err;
        }
        pins.put(resolved, object);
        object.references++;
        return 0;
    }

    private void dropReference(MapObject object) {
        if (--object.references == 0) {
            maps.remove(object.id);
        }
    }

    // ---- paths ----------------------------------------------------------------------------------------------

    private int checkNewEntry(String path) {
        if (path == null) {
            return EINVAL;
        }
        if (!underRoot(path) || path.equals(root)) {
            return path.equals(root) ? EEXIST : EPERM;
        }
        if (pins.containsKey(path) || directories.contains(path)) {
            return EEXIST;
        }
        String parent = path.substring(0, path.lastIndexOf('/'));
        if (parent.equals(root) || directories.contains(parent)) {
            return 0;
        }
        return pins.containsKey(parent) ? ENOTDIR : ENOENT;
    }

    private boolean underRoot(String path) {
        return path.equals(root) || path.startsWith(root.equals("/") ? "/" : root + "/");
    }

    /**
     * The absolute, normalised form of {@code path} as the kernel's path walk would see it (relative paths against
     * the working directory, {@code //}, {@code .} and {@code ..} resolved), or null when it is not a valid path.
     */
    private static String resolve(String path) {
        if (path == null || path.isEmpty() || path.indexOf('\0') >= 0) {
            return null;
        }
        try {
            Path p = Path.of(path);
            if (!p.isAbsolute()) {
                p = Path.of(System.getProperty("user.dir")).resolve(p);
            }
            return p.normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this simulated kernel is closed");
        }
    }
}
