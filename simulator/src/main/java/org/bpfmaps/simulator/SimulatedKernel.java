package org.bpfmaps.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.state.StateDirectory;

/**
 * A whole simulated kernel: its own map ids, its own bpf filesystem and its own possible CPUs.
 *
 * <p>Build one with {@link #builder()} (or through the {@code simulator} provider). The simulator emulates, with
 * the semantics of Linux 6.18 down to the errno of each failing call:
 * <ul>
 *   <li>the data maps: {@code HASH}, {@code PERCPU_HASH}, {@code LRU_HASH}, {@code LRU_PERCPU_HASH},
 *       {@code ARRAY}, {@code PERCPU_ARRAY}, {@code LPM_TRIE}, {@code QUEUE}, {@code STACK},
 *       {@code BLOOM_FILTER}, {@code RINGBUF}, {@code USER_RINGBUF};</li>
 *   <li>the maps of maps, {@code ARRAY_OF_MAPS} and {@code HASH_OF_MAPS} (below);</li>
 *   <li>the maps whose values name kernel objects, on a host whose only such object is the loopback network
 *       device (ifindex 1): {@code DEVMAP} and {@code DEVMAP_HASH} (which hold loopback entries),
 *       {@code CPUMAP} (queue sizes per possible CPU), and, always empty because the simulator has no programs,
 *       perf events, cgroups or sockets, {@code STACK_TRACE}, {@code CGROUP_STORAGE},
 *       {@code PERCPU_CGROUP_STORAGE}, {@code PROG_ARRAY}, {@code PERF_EVENT_ARRAY}, {@code CGROUP_ARRAY},
 *       {@code SOCKMAP}, {@code SOCKHASH}, {@code XSKMAP} and {@code REUSEPORT_SOCKARRAY}: their create checks,
 *       and every command answering what the kernel answers for the descriptors this kernel hands out, 0 to 2
 *       (open files that are not BPF objects) and numbers that are not open;</li>
 *   <li>{@code ARENA}: its create checks and its element commands, which all fail (its pages are reached by
 *       {@code mmap}, which the API does not offer).</li>
 * </ul>
 * The local storages ({@code SK_STORAGE}, {@code INODE_STORAGE}, {@code TASK_STORAGE}, {@code CGRP_STORAGE}) and
 * {@code STRUCT_OPS} need BTF type ids that a {@link MapSpec} cannot carry; the kernel refuses them without BTF
 * with {@code EINVAL}, and so does the simulator.
 * Creating any other type fails with {@code EINVAL}; {@link #isSupported(MapType)} is the authority on what this
 * kernel emulates.
 *
 * <p><b>Map-in-map.</b> An {@code ARRAY_OF_MAPS} or {@code HASH_OF_MAPS} takes its inner-map template from
 * {@link MapSpec#innerMap()} (a map of this kernel) and its values as descriptor numbers ({@link BpfMap#fd()}),
 * resolved in this kernel's descriptor table as the kernel resolves them ({@code EBADF} for a number that is not
 * open, {@code EINVAL} for 0 to 2 and for a map that does not match the template); a lookup answers the inner
 * map's id. A slot holds a reference: an inner map stays in {@link #mapIds()} while a slot refers to it, and
 * goes as soon as the last reference is released (the kernel may take an RCU grace period or a work queue run).
 * With a state directory, a pinned outer map comes back with its slots referring to the same inner maps (same
 * ids, same contents), which are kept for as long as a slot holds them.
 *
 * <p><b>Objects.</b> Map ids start at 1, grow by one per created map and are never reused. A map lives while any
 * descriptor ({@link BpfMap} handle) or pin refers to it; when the last one goes, its id disappears from
 * {@link #mapIds()}.
 *
 * <p><b>Virtual bpffs.</b> Paths are plain strings under a root (default {@code /sys/fs/bpf}). The root always
 * exists; further directories exist only when made with {@link #makeDirectory(String)}. Paths are walked as the
 * kernel walks them (measured on Linux 6.18 with a bpffs mount): relative to the working directory, {@code //} and
 * {@code .} ignored, {@code ..} taken from where the walk is, every component but the last an existing directory
 * ({@code ENOENT} when missing, {@code ENOTDIR} when a pin or file), the host's files outside the root. An empty
 * path is {@code ENOENT}; a path with a NUL is an {@link IllegalArgumentException}. Pinning answers {@code EEXIST}
 * for a taken path (a pin or directory), {@code ENOENT} for a new name written with a trailing slash,
 * {@code EPERM} when the parent is outside the root. Opening answers {@code ENOENT} for nothing there,
 * {@code ENOTDIR} for a pin written with a trailing slash, {@code EACCES} for a directory or a host file.
 *
 * <p>The kernel keeps every descriptor it hands out until it is closed (so that {@link #close()} can close them);
 * close descriptors you no longer need.
 *
 * <p><b>CPUs.</b> User-space calls are attributed to CPU 0 unless made inside {@link #onCpu(int, Supplier)}.
 *
 * <p><b>Persistence.</b> By default a kernel lives in memory and its maps die with it. Built with
 * {@link Builder#stateDirectory(Path)}, it keeps its pinned maps in that directory, so that a later kernel (in this
 * or another process) opened on the same directory finds them with their exact contents and internal state: it
 * records every call that changes a map in a checksummed journal (one {@code fsync}ed record per call) and
 * replays the journal when opened. Ring buffers keep their exact memory (records with their headers, consumer and
 * producer positions): a reader or program view in the next kernel gets exactly the records left unconsumed, and
 * nothing a producer saw succeed is lost, even when its process is killed. Maps that no pin holds when the kernel
 * is closed (or its process ends) are gone in the next kernel, as when a process exits and its descriptors close.
 * The directory is locked for the kernel's whole life (between processes too): a second kernel on the same
 * directory waits until the first is closed. See {@link org.bpfmaps.simulator.state} for the files, their checks
 * and what survives a crash (for ring buffers too).
 *
 * <p><b>Fault injection.</b> {@link #faults()} makes chosen calls fail with a chosen errno before they run; see
 * {@link FaultInjector}.
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
    private final RandomGenerator random;
    private final FaultInjector faults = new FaultInjector();
    /** How calls reach map objects: directly, or through the journal of a persisted kernel. */
    final MapCalls calls;
    private final Persistence persistence;
    private final ThreadLocal<int[]> currentCpu = ThreadLocal.withInitial(() -> new int[1]);

    /** The lowest descriptor number a map gets: 0 to 2 are the standard streams. */
    static final int FIRST_FD = 3;
    static final int EBADF = 9;

    // Guarded by this.
    private int lastId;
    private final TreeMap<Integer, MapObject> maps = new TreeMap<>();
    private final Map<String, MapObject> pins = new HashMap<>();
    private final Set<String> directories = new HashSet<>();
    private final Set<SimBpfMap> handles = new LinkedHashSet<>();
    /** The descriptor table: open descriptors by number (0 to 2 are the standard streams, never maps). */
    private final TreeMap<Integer, SimBpfMap> descriptors = new TreeMap<>();
    private boolean closed;
    private volatile boolean replaying;

    private SimulatedKernel(Builder b) {
        this.random = b.randomSeed == null ? new SecureRandom() : new java.util.SplittableRandom(b.randomSeed);
        if (b.stateDirectory == null) {
            this.cpus = b.cpus;
            this.root = b.root;
            this.persistence = null;
            this.calls = MapCalls.DIRECT;
            return;
        }
        Persistence.Prepared p = Persistence.prepare(b.stateDirectory, b.lockTimeout);
        try {
            Persistence.Header h = p.header;
            if (h != null && b.cpusSet && h.cpus() != b.cpus) {
                throw new IllegalStateException("simulator state directory " + p.directory.path() + " holds a kernel "
                        + "with " + h.cpus() + " possible CPUs; this kernel was asked for " + b.cpus);
            }
            if (h != null && b.rootSet && !h.root().equals(b.root)) {
                throw new IllegalStateException("simulator state directory " + p.directory.path() + " holds a kernel "
                        + "whose bpffs root is " + h.root() + "; this kernel was asked for " + b.root);
            }
            this.cpus = h != null ? h.cpus() : b.cpus;
            this.root = h != null ? h.root() : b.root;
            this.persistence = new Persistence(this, p.directory, b.stateSync);
            this.calls = persistence;
            persistence.load(p);
        } catch (RuntimeException | Error e) {
            p.directory.close();
            throw e;
        }
    }

    /** A builder with the host's possible CPU count and the default bpffs root. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SimulatedKernel}. */
    public static final class Builder {
        private int cpus = HostCpus.possible();
        private String root = DEFAULT_BPFFS_ROOT;
        private boolean cpusSet;
        private boolean rootSet;
        private Long randomSeed;
        private Path stateDirectory;
        private Duration lockTimeout = Duration.ofMinutes(1);
        private boolean stateSync = true;

        private Builder() {
        }

        /**
         * Persists this kernel's pinned maps in {@code directory} (see the class documentation), creating it
         * ({@code 0700}) when missing. The directory's lock is taken and the state loaded by {@link #build()}, which
         * fails with {@link IllegalStateException} when the directory is refused (owned by another user, writable by
         * group or others), damaged ({@link org.bpfmaps.simulator.state.CorruptStateException}), or still locked
         * after {@link #stateLockTimeout(Duration)}. A directory that already holds state fixes the CPU count and
         * bpffs root: asking for different ones with {@link #cpus(int)} or {@link #bpffsRoot(String)} fails.
         *
         * @param directory the directory, or null for an in-memory kernel (the default);
         *                  {@link StateDirectory#defaultLocation()} is the usual place
         */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = directory;
            return this;
        }

        /** How long {@link #build()} waits for a state directory another kernel holds (default 1 minute). */
        public Builder stateLockTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative: " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Whether each persisted call is {@code fsync}ed before it returns (default true). Without it a call's
         * record is still written before the call returns, which survives the process being killed but not a
         * power loss.
         */
        public Builder stateSync(boolean sync) {
            this.stateSync = sync;
            return this;
        }

        /**
         * Draws hash seeds (and every other random value the kernel needs) from a generator seeded with
         * {@code seed}, making the kernel's behaviour reproducible; by default they come from {@link SecureRandom},
         * as the kernel's {@code get_random_u32()}.
         */
        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        /** Sets the number of simulated possible CPUs (at least 1). */
        public Builder cpus(int cpus) {
            if (cpus < 1) {
                throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
            }
            this.cpus = cpus;
            this.cpusSet = true;
            return this;
        }

        /** Sets the bpffs root under which maps can be pinned, e.g. {@code /sys/fs/bpf}. */
        public Builder bpffsRoot(String root) {
            Objects.requireNonNull(root, "root");
            if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
                throw new IllegalArgumentException("bpffs root must be absolute without a trailing '/': " + root);
            }
            this.root = root;
            this.rootSet = true;
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

    /** The fault injector of this kernel. */
    public FaultInjector faults() {
        return faults;
    }

    /** The state directory this kernel persists its pinned maps in, if it was built with one. */
    public java.util.Optional<Path> stateDirectory() {
        return persistence == null ? java.util.Optional.empty() : java.util.Optional.of(persistence.directory());
    }

    /**
     * Rewrites the state journal without the records of maps that no longer exist (a no-op for an in-memory
     * kernel). Loading a state directory does this by itself when those records are at least half the journal.
     */
    public void compactState() {
        if (persistence == null) {
            return;
        }
        synchronized (this) {
            ensureOpen();
            persistence.compact(liveIds());
        }
    }

    @Override
    public BpfMap create(MapSpec spec) {
        Objects.requireNonNull(spec, "spec");
        int fault = faults.check(BpfCommand.BPF_MAP_CREATE, null);
        if (fault != 0) {
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, fault, "map spec " + spec, "injected fault");
        }
        MapObject template = null;
        if (CreateChecks.isMapInMap(spec.type()) && spec.innerMap() != null) {
            template = templateOf(spec);
        }
        MapObject t = template;
        CreateChecks.Refusal r = CreateChecks.check(spec, cpus, () -> t == null
                ? new CreateChecks.Refusal(EINVAL, "a map-in-map needs an inner map template (inner_map_fd 0 is "
                        + "not a map)")
                : InnerMaps.templateRefusal(t));
        if (r != null) {
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, r.errno(), "map spec " + spec, r.detail());
        }
        synchronized (this) {
            ensureOpen();
            if (template != null && template.references == 0) {
                throw BpfException.of(BpfCommand.BPF_MAP_CREATE, EBADF, "map spec " + spec,
                        "the inner map template was closed");
            }
            int id = lastId + 1;
            int seed = random.nextInt();
            InnerMaps meta = template == null ? null : InnerMaps.of(this, template);
            if (persistence != null) {
                persistence.logCreate(spec, id, seed, meta);
            }
            lastId = id;
            MapObject object = newObject(spec, id, seed, meta);
            maps.put(id, object);
            Access access = MapFlag.RDONLY.isSet(spec.flags()) ? Access.READ_ONLY
                    : MapFlag.WRONLY.isSet(spec.flags()) ? Access.WRITE_ONLY : Access.READ_WRITE;
            return open(object, access);
        }
    }

    /**
     * The object of a map-in-map spec's inner template: it must be an open map of this kernel (the kernel reads
     * {@code inner_map_fd} from the creating process's descriptor table).
     */
    private MapObject templateOf(MapSpec spec) {
        BpfMap inner = spec.innerMap();
        if (!(inner instanceof SimBpfMap s) || s.object.kernel != this) {
            throw BpfException.of(BpfCommand.BPF_MAP_CREATE, EINVAL, "map spec " + spec,
                    "the inner map " + inner + " is not a map of this simulated kernel");
        }
        if (s.isClosed()) {
            throw new org.bpfmaps.MapClosedException(BpfCommand.BPF_MAP_CREATE, s.toString());
        }
        return s.object;
    }

    /**
     * A new map object; {@code seed} is the random u32 drawn for it (hash seeds), {@code meta} the inner-map
     * template of a map-in-map (else null).
     */
    private MapObject newObject(MapSpec spec, int id, int seed, InnerMaps meta) {
        if (CreateChecks.isMapInMap(spec.type())) {
            Objects.requireNonNull(meta, "a map-in-map needs its inner-map template");
            return spec.type() == MapType.ARRAY_OF_MAPS ? new ArrayOfMaps(this, spec, id, meta)
                    : new HashOfMaps(this, spec, id, seed, meta);
        }
        MapObject object = DelegatedMapObject.handles(spec.type()) ? new DelegatedMapObject(this, spec, id, seed)
                : spec.type().isHashTable() ? new HashTable(this, spec, id, seed)
                : new ArrayTable(this, spec, id);
        if (persistence != null) {
            persistence.attach(object); // ring buffers record their memory's changes
        }
        return object;
    }

    @Override
    public BpfMap openPinned(String path, Access access) {
        Objects.requireNonNull(access, "access");
        int fault = faults.check(BpfCommand.BPF_OBJ_GET, null);
        if (fault != 0) {
            throw BpfException.of(BpfCommand.BPF_OBJ_GET, fault, "path " + path, "injected fault");
        }
        synchronized (this) {
            ensureOpen();
            Walk w = walk(path);
            int err = w.errno();
            if (err == 0) {
                err = w.kind() == Kind.PIN ? 0 : w.kind() == Kind.MISSING ? ENOENT : EACCES;
            }
            if (err != 0) {
                throw BpfException.of(BpfCommand.BPF_OBJ_GET, err, "path " + path);
            }
            MapObject object = pins.get(w.path());
            return open(object, access);
        }
    }

    @Override
    public BpfMap openById(int id, Access access) {
        Objects.requireNonNull(access, "access");
        int fault = faults.check(BpfCommand.BPF_MAP_GET_FD_BY_ID, null);
        if (fault != 0) {
            throw BpfException.of(BpfCommand.BPF_MAP_GET_FD_BY_ID, fault, "map id " + Integer.toUnsignedString(id),
                    "injected fault");
        }
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
        synchronized (this) {
            ensureOpen();
            Walk w = walk(path);
            int err = newEntry(w, true);
            if (err != 0) {
                throw BpfException.of(BpfCommand.BPF_OBJ_PIN, err, "path " + path, "mkdir failed");
            }
            String resolved = w.path();
            if (persistence != null) {
                persistence.logMkdir(resolved);
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
            Walk w = walk(path);
            String resolved = w.path();
            MapObject object = w.errno() == 0 && w.kind() == Kind.PIN ? pins.get(resolved) : null;
            if (object == null) {
                throw BpfException.of(BpfCommand.BPF_OBJ_PIN, ENOENT, "path " + path, "nothing is pinned there");
            }
            if (persistence != null) {
                persistence.logUnpin(object, resolved);
            }
            pins.remove(resolved);
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
    public org.bpfmaps.RingBufferReader ringBufferReader(BpfMap... rings) {
        synchronized (this) {
            ensureOpen();
        }
        org.bpfmaps.simulator.ringbuf.SimRingBufferReader reader =
                org.bpfmaps.simulator.ringbuf.SimRingBufferReader.open(rings,
                        m -> readWriteRing(DelegatedMapObject.ringBufferOf(this, m), m, MapType.RINGBUF));
        try {
            reader.whenClosed(unmapWhenUnreachable(reader, mapShared(rings)));
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        return reader;
    }

    @Override
    public org.bpfmaps.UserRingBufferWriter userRingBufferWriter(BpfMap ring) {
        synchronized (this) {
            ensureOpen();
        }
        org.bpfmaps.simulator.ringbuf.SimUserRingBufferWriter writer =
                org.bpfmaps.simulator.ringbuf.SimUserRingBufferWriter.open(ring,
                        m -> readWriteRing(DelegatedMapObject.ringBufferOf(this, m), m, MapType.USER_RINGBUF));
        try {
            writer.whenClosed(unmapWhenUnreachable(writer, mapShared(new BpfMap[] {ring})));
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        return writer;
    }

    /** Releases the mappings of readers and writers that were dropped without being closed. */
    private static final java.lang.ref.Cleaner MAPPINGS = java.lang.ref.Cleaner.create();

    /**
     * {@code unmap}, run once: by {@code close()}, or when {@code owner} becomes unreachable without being closed
     * (as the linux backend's cleaner unmaps a dropped reader's pages), so a forgotten reader does not keep the
     * map unfreezable forever.
     */
    private static Runnable unmapWhenUnreachable(Object owner, Runnable unmap) {
        return MAPPINGS.register(owner, unmap)::clean;
    }

    /**
     * Counts the writable shared mapping a reader or writer makes of each map (so {@code BPF_MAP_FREEZE} answers
     * {@code EBUSY} meanwhile) and returns what undoes it; a frozen map refuses it with {@code EPERM}, as
     * {@code mmap} with {@code PROT_WRITE} does on linux.
     */
    private static Runnable mapShared(BpfMap[] maps) {
        List<MapObject> mapped = new ArrayList<>();
        Runnable undo = () -> mapped.forEach(MapObject::unmapWritable);
        for (BpfMap m : maps) {
            MapObject o = ((SimBpfMap) m).object;
            if (o.mapWritable() != 0) {
                undo.run();
                throw BpfException.of(BpfCommand.RINGBUF_USER, org.bpfmaps.Errno.EPERM.number(), m.toString(),
                        "the map is frozen; its pages cannot be mapped writable");
            }
            mapped.add(o);
        }
        return undo;
    }

    /**
     * The ring of an open ring-buffer handle, refused with {@code EACCES} unless the handle is read-write: on the
     * kernel the pages are mapped shared, which a read-only or write-only descriptor cannot do.
     */
    private static org.bpfmaps.simulator.ringbuf.RingBufMap readWriteRing(
            org.bpfmaps.simulator.ringbuf.RingBufMap ring, BpfMap map, MapType wanted) {
        // after the type and closed checks, as linux checks them before the mmap that needs the access
        if (ring != null && map.type() == wanted && !map.isClosed() && map.access() != Access.READ_WRITE) {
            throw BpfException.of(BpfCommand.RINGBUF_USER, org.bpfmaps.Errno.EACCES.number(), map.toString(),
                    "the descriptor is " + map.access() + "; ring buffers are mapped shared, which needs a "
                    + "READ_WRITE descriptor");
        }
        return ring;
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
            if (persistence != null) {
                persistence.close();
            }
        }
    }

    // ---- called by descriptors ----------------------------------------------------------------------------

    private SimBpfMap open(MapObject object, Access access) {
        int fd = FIRST_FD;
        for (int taken : descriptors.keySet()) {
            if (taken != fd) {
                break;
            }
            fd++;
        }
        SimBpfMap handle = new SimBpfMap(object, access, fd);
        object.references++;
        handles.add(handle);
        descriptors.put(fd, handle);
        return handle;
    }

    /** A descriptor was closed. */
    synchronized void release(SimBpfMap handle) {
        if (handles.remove(handle)) {
            descriptors.remove(handle.number());
            dropReference(handle.object);
        }
    }

    /**
     * What descriptor number {@code fd} refers to, as {@code __bpf_map_get(fdget(fd))} sees it: the open map
     * descriptor, or null with {@link #fdErrno(int)} saying why ({@code EBADF} for a number that is not open,
     * {@code EINVAL} for 0 to 2, open files that are not maps).
     */
    synchronized SimBpfMap descriptor(int fd) {
        return descriptors.get(fd);
    }

    /** The errno for a descriptor number that {@link #descriptor(int)} does not resolve to a map. */
    static int fdErrno(int fd) {
        return fd >= 0 && fd < FIRST_FD ? MapObject.EINVAL : EBADF;
    }

    /** {@code BPF_OBJ_PIN}; returns 0 or the errno. */
    synchronized int pin(MapObject object, String path) {
        if (closed) {
            return MapObject.EPERM;
        }
        Walk w = walk(path);
        int err = newEntry(w, false);
        if (err != 0) {
            return err;
        }
        String resolved = w.path();
        if (persistence != null) {
            persistence.logPin(object, resolved);
        }
        pins.put(resolved, object);
        object.references++;
        return 0;
    }

    /** Drops one descriptor's or pin's reference; the map goes when none is left. */
    synchronized void dropReference(MapObject object) {
        if (--object.references == 0) {
            maps.remove(object.id);
            object.destroyed();
        }
    }

    /**
     * Whether the journal of a persisted kernel is being replayed: map-in-map values are then the inner maps' ids
     * as the journal recorded them, not descriptor numbers ({@link InnerMaps#journalValue}).
     */
    boolean replaying() {
        return replaying;
    }

    /** Set by {@link Persistence} around a replay. */
    void setReplaying(boolean replaying) {
        this.replaying = replaying;
    }

    /** The map with id {@code id}, or null when none exists. */
    synchronized MapObject objectById(int id) {
        return maps.get(id);
    }

    // ---- replay of a persisted state (single-threaded, while the kernel is built) ---------------------------

    /** The ids of the maps that exist. */
    synchronized Set<Integer> liveIds() {
        return new TreeSet<>(maps.keySet());
    }

    /** The maps that exist, by id. */
    synchronized Map<Integer, MapObject> liveObjects() {
        return new TreeMap<>(maps);
    }

    /** The paths {@code object} is pinned at, sorted. */
    synchronized List<String> pinsOf(MapObject object) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, MapObject> e : pins.entrySet()) {
            if (e.getValue() == object) {
                out.add(e.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    synchronized int replayLastId() {
        return lastId;
    }

    synchronized void replaySetLastId(int id) {
        lastId = Math.max(lastId, id);
    }

    /** Recreates a map as the journal created it, holding one reference for the writer's descriptor. */
    synchronized MapObject replayCreate(MapSpec spec, int id, int seed, InnerMaps meta) {
        MapObject object = newObject(spec, id, seed, meta);
        object.references = 1;
        maps.put(id, object);
        lastId = Math.max(lastId, id);
        return object;
    }

    synchronized boolean replayPin(MapObject object, String path) {
        if (checkNewEntry(path) != 0 || !path.equals(resolve(path))) {
            return false;
        }
        pins.put(path, object);
        object.references++;
        return true;
    }

    synchronized boolean replayUnpin(MapObject object, String path) {
        if (pins.get(path) != object) {
            return false;
        }
        pins.remove(path);
        dropReference(object);
        return true;
    }

    synchronized boolean replayMkdir(String path) {
        if (checkNewEntry(path) != 0 || !path.equals(resolve(path))) {
            return false;
        }
        directories.add(path);
        return true;
    }

    // ---- paths ----------------------------------------------------------------------------------------------

    /** What a path names: a pin, a directory of the virtual bpffs, a host file or directory, or nothing. */
    private enum Kind {
        PIN, DIRECTORY, HOST_FILE, HOST_DIRECTORY, MISSING;

        boolean isDirectory() {
            return this == DIRECTORY || this == HOST_DIRECTORY;
        }
    }

    /**
     * The end of a path walk: 0 and the absolute path reached with what it names, or the walk's errno.
     * {@code last} is the final component as written ({@code "."}, {@code ".."} or a name; empty for "/").
     */
    private record Walk(int errno, String path, Kind kind, String last, boolean trailingSlash) {
    }

    /**
     * The kernel's path walk ({@code kern_path}/{@code filename_create}) over the virtual bpffs and, outside its
     * root, the host's files: an empty path is {@code ENOENT}; relative paths start at the working directory;
     * every component but the last must be an existing directory ({@code ENOENT} when missing, {@code ENOTDIR}
     * when a file or pin); {@code .} stays and {@code ..} goes up from where the walk is (so
     * {@code dir/missing/..} is {@code ENOENT}, {@code pin/..} {@code ENOTDIR}); a trailing slash on a pin or
     * file is {@code ENOTDIR}. A path holding a NUL cannot be passed to the kernel: IllegalArgumentException, as
     * the linux backend answers.
     */
    private Walk walk(String path) {
        Objects.requireNonNull(path, "path");
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character: " + path);
        }
        if (path.isEmpty()) {
            return new Walk(ENOENT, null, Kind.MISSING, "", false);
        }
        String cur = path.startsWith("/") ? "/" : Path.of(System.getProperty("user.dir")).normalize().toString();
        String[] parts = path.split("/+");
        List<String> names = new ArrayList<>();
        for (String part : parts) {
            if (!part.isEmpty()) {
                names.add(part);
            }
        }
        boolean trailingSlash = path.endsWith("/") && !names.isEmpty();
        Kind kind = kindOf(cur);
        String last = "";
        for (int i = 0; i < names.size(); i++) {
            if (!kind.isDirectory()) {
                return new Walk(kind == Kind.MISSING ? ENOENT : ENOTDIR, null, kind, last, trailingSlash);
            }
            last = names.get(i);
            if (last.equals("..")) {
                int slash = cur.lastIndexOf('/');
                cur = slash <= 0 ? "/" : cur.substring(0, slash);
            } else if (!last.equals(".")) {
                cur = cur.equals("/") ? "/" + last : cur + "/" + last;
            }
            kind = kindOf(cur);
        }
        if (trailingSlash && (kind == Kind.PIN || kind == Kind.HOST_FILE)) {
            return new Walk(ENOTDIR, cur, kind, last, true);
        }
        return new Walk(0, cur, kind, last, trailingSlash);
    }

    /** What {@code path} (absolute, normalised) names. Directories above the root exist, as the root does. */
    private Kind kindOf(String path) {
        if (underRoot(path)) {
            return path.equals(root) || directories.contains(path) ? Kind.DIRECTORY
                    : pins.containsKey(path) ? Kind.PIN : Kind.MISSING;
        }
        if (path.equals("/") || root.startsWith(path + "/")) {
            return Kind.HOST_DIRECTORY;
        }
        try {
            Path p = Path.of(path);
            return Files.isDirectory(p) ? Kind.HOST_DIRECTORY : Files.exists(p) ? Kind.HOST_FILE : Kind.MISSING;
        } catch (java.nio.file.InvalidPathException | SecurityException e) {
            return Kind.MISSING;
        }
    }

    /**
     * 0 when a pin (or, with {@code directory}, a directory) can be made where {@code w} ended, else the errno of
     * {@code filename_create} and {@code bpf_obj_do_pin}: the walk's, {@code EEXIST} for anything there (or a
     * last component {@code .} / {@code ..}), {@code ENOENT} for a new pin written with a trailing slash,
     * {@code EPERM} when the directory is not in the bpffs.
     */
    private int newEntry(Walk w, boolean directory) {
        if (w.errno() != 0) {
            return w.errno();
        }
        if (w.kind() != Kind.MISSING || w.last().equals(".") || w.last().equals("..") || w.last().isEmpty()) {
            return EEXIST;
        }
        if (w.trailingSlash() && !directory) {
            return ENOENT;
        }
        String parent = w.path().substring(0, Math.max(w.path().lastIndexOf('/'), 1));
        return underRoot(parent) ? 0 : EPERM;
    }

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
