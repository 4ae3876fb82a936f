package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;

/**
 * The helper calls of a BPF program on one simulated map, as if running on one CPU.
 *
 * <p><b>Checks, in order</b> (each element helper, after the closed check):
 * <ol>
 *   <li>The handle's access: a view never does more than its {@link BpfMap} handle may. A read-only handle
 *       (created with {@code BPF_F_RDONLY}, or opened read-only) refuses the helpers that change the map
 *       ({@code update}, {@code delete}, {@code push}, {@code pop}); a write-only handle refuses those that read
 *       it ({@code lookup}, {@code peek}, {@code pop}); both with {@code EPERM}, as the system calls on that
 *       handle would. This is the library's rule (a kernel program holding the map does not check the
 *       descriptor it was loaded from); freezing does not affect helpers.</li>
 *   <li>Keyed helpers ({@code lookup}, {@code update}, {@code delete}) on a keyless map (queue, stack, bloom
 *       filter, ring buffers): {@code EINVAL}, the verifier's type refusal, as the linux backend answers them
 *       without loading a program (a real program cannot even pass a zero-sized key).</li>
 *   <li>Key and value lengths: {@code EINVAL}.</li>
 *   <li>A helper whose value argument is a map value ({@code update}, {@code push}, {@code pop}, {@code peek}) on a
 *       map whose {@code value_size} is 0 (the ring buffers): {@code EACCES}, as the verifier's argument check
 *       ({@code check_func_arg}, an invalid zero-sized access) answers before the helper/type checks.</li>
 *   <li>The verifier, in its order ({@code check_helper_call}): first {@code record_func_map}, which refuses
 *       {@code update}, {@code delete}, {@code push} and {@code pop} on a {@code BPF_F_RDONLY_PROG} map with
 *       {@code EACCES} whatever the map type; then {@code check_map_func_compatibility}, which refuses a helper
 *       the type does not offer with {@code EINVAL} ({@code push} and {@code peek}: queue, stack, bloom filter;
 *       {@code pop}: queue, stack); last, a program that reads the value {@code lookup} returns is refused on a
 *       {@code BPF_F_WRONLY_PROG} map with {@code EACCES} ({@code check_map_access_type}). {@code pop} and
 *       {@code peek} copy into program memory, not map memory, so {@code BPF_F_WRONLY_PROG} allows them.</li>
 *   <li>A view loads its lookup program on its first {@code lookup} that gets this far and keeps it. Loaded after
 *       {@code BPF_MAP_FREEZE} of a {@code BPF_F_RDONLY_PROG} {@code ARRAY} (a read-only map to the verifier,
 *       which then folds value loads into constants with {@code bpf_map_direct_read}), it is refused with
 *       {@code ENOTSUPP} unless {@code max_entries} is 1; loaded before the freeze, it keeps working.</li>
 * </ol>
 * Helpers bypass {@code BPF_MAP_FREEZE}. The ring-buffer helpers fail with {@code EINVAL} on any other type.
 *
 * <p><b>Map-in-map.</b> On {@code ARRAY_OF_MAPS} and {@code HASH_OF_MAPS} the verifier allows only
 * {@code bpf_map_lookup_elem}, which returns the inner map itself; a program can test it for NULL but not copy it,
 * so {@code lookup} answers presence and leaves the value buffer untouched. {@code update} and {@code delete} are
 * refused with {@code EINVAL} after the access and {@code BPF_F_RDONLY_PROG} checks, as the verifier refuses them.
 */
public final class SimProgramView implements ProgramView {

    private static final int EACCES = MapObject.EACCES;
    private static final int EINVAL = MapObject.EINVAL;
    private static final int ENOENT = MapObject.ENOENT;
    private static final int EPERM = MapObject.EPERM;

    /** The element helpers: whether each reads or changes the map, and whether it takes a key. */
    enum Helper {
        LOOKUP("bpf_map_lookup_elem", true, false, true),
        UPDATE("bpf_map_update_elem", false, true, true),
        DELETE("bpf_map_delete_elem", false, true, true),
        PUSH("bpf_map_push_elem", false, true, false),
        POP("bpf_map_pop_elem", true, true, false),
        PEEK("bpf_map_peek_elem", true, false, false);

        final String name;
        /** Reads the map: needs a readable handle. */
        final boolean reads;
        /** Changes the map: needs a writable handle; refused on BPF_F_RDONLY_PROG maps (record_func_map). */
        final boolean writes;
        final boolean keyed;

        Helper(String name, boolean reads, boolean writes, boolean keyed) {
            this.name = name;
            this.reads = reads;
            this.writes = writes;
            this.keyed = keyed;
        }
    }

    private final SimBpfMap map;
    private final MapObject object;
    private final int cpu;
    /** Whether this view's lookup program is loaded (the verifier has passed it; a view keeps its programs). */
    private volatile boolean lookupLoaded;

    SimProgramView(SimBpfMap map, int cpu) {
        this.map = map;
        this.object = map.object;
        this.cpu = cpu;
    }

    @Override
    public BpfMap map() {
        return map;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        byte[] value = new byte[object.valueSize];
        return lookup(key, value) ? Optional.of(value) : Optional.empty();
    }

    @Override
    public boolean lookup(byte[] key, byte[] value) {
        check(Helper.LOOKUP, key, value);
        int err = object.kernel.calls.programLookup(object, ByteBuffer.wrap(key), ByteBuffer.wrap(value), cpu);
        if (err == ENOENT) {
            return false;
        }
        if (err != 0) {
            throw map.helperFailure(err, null);
        }
        return true;
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) {
        check(Helper.UPDATE, key, value);
        int err = object.kernel.calls.programUpdate(object, ByteBuffer.wrap(key), ByteBuffer.wrap(value), flags,
                cpu);
        if (err != 0) {
            throw map.helperFailure(err, null);
        }
    }

    @Override
    public boolean delete(byte[] key) {
        check(Helper.DELETE, key, null);
        int err = object.kernel.calls.programDelete(object, ByteBuffer.wrap(key), cpu);
        if (err == ENOENT) {
            return false;
        }
        if (err != 0) {
            throw map.helperFailure(err, null);
        }
        return true;
    }

    @Override
    public void push(byte[] value, long flags) {
        check(Helper.PUSH, null, value);
        int err = object.kernel.calls.programPush((DelegatedMapObject) object, ByteBuffer.wrap(value), flags, cpu);
        if (err != 0) {
            throw map.helperFailure(err, err == EINVAL ? "bpf_map_push_elem refused its flags" : null);
        }
    }

    @Override
    public boolean pop(byte[] value) {
        check(Helper.POP, null, value);
        return helperResult(object.kernel.calls.programPop((DelegatedMapObject) object, ByteBuffer.wrap(value),
                cpu));
    }

    @Override
    public boolean peek(byte[] value) {
        check(Helper.PEEK, null, value);
        return helperResult(((DelegatedMapObject) object).programPeek(ByteBuffer.wrap(value)));
    }

    /**
     * The checks before {@code helper} runs, in the order of the class comment; {@code key} is checked for keyed
     * helpers, {@code value} when not null (delete has none).
     */
    private void check(Helper helper, byte[] key, byte[] value) {
        map.checkOpen();
        checkHandle(helper.reads, helper.writes, helper.name);
        if (helper.keyed && !offers(object.type, helper) && !CreateChecks.isMapInMap(object.type)) {
            throw unsupported(helper.name);
        }
        if (helper.keyed) {
            checkKey(key);
        }
        if (helper != Helper.DELETE) {
            checkValue(value);
        }
        if (helper != Helper.LOOKUP && helper != Helper.DELETE && object.valueSize == 0
                && object.type != MapType.ARENA) {
            // check_func_arg, before record_func_map: the value argument would be a zero-sized map value (an
            // arena is refused as a helper's map argument before that, EINVAL below, as measured on 6.18)
            throw map.helperFailure(EACCES, "the verifier refuses " + helper.name + " on a map with value_size 0 "
                    + "(invalid zero-sized read)");
        }
        if (helper.writes && object.has(MapFlag.RDONLY_PROG)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_RDONLY_PROG; the verifier refuses " + helper.name
                    + " (write into map forbidden)");
        }
        int refusal = verifierRefusal(object, helper);
        if (refusal == EINVAL) {
            throw unsupported(helper.name);
        }
        if (refusal != 0) {
            throw map.helperFailure(refusal, "the verifier refuses a program that calls " + helper.name + " on a "
                    + object.type.bpftoolName() + " map with value_size " + object.valueSize
                    + " and uses what it returns");
        }
        if (helper == Helper.LOOKUP && object.has(MapFlag.WRONLY_PROG) && !CreateChecks.isMapInMap(object.type)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_WRONLY_PROG; the verifier refuses a program that "
                    + "reads the value bpf_map_lookup_elem returns");
        }
        if (helper == Helper.LOOKUP && !lookupLoaded) {
            if (object.type == MapType.ARRAY && object.has(MapFlag.RDONLY_PROG) && object.isFrozen()
                    && object.maxEntries != 1) {
                // bpf_map_is_rdonly: the verifier folds loads from the value into constants
                // (bpf_map_direct_read), and array_map_direct_value_addr supports only max_entries 1
                throw map.helperFailure(MapObject.ENOTSUPP, "a program loaded after BPF_MAP_FREEZE that reads a "
                        + "BPF_F_RDONLY_PROG array's value is refused unless max_entries is 1");
            }
            lookupLoaded = true;
        }
    }

    /** {@code check_map_func_compatibility}: whether a program may call {@code helper} on a map of {@code type}. */
    static boolean offers(MapType type, Helper helper) {
        switch (helper) {
            case PUSH:
            case PEEK:
                return type == MapType.QUEUE || type == MapType.STACK || type == MapType.BLOOM_FILTER;
            case POP:
                return type == MapType.QUEUE || type == MapType.STACK;
            case UPDATE:
            case DELETE:
                // a map-in-map takes only bpf_map_lookup_elem (check_map_func_compatibility)
                return !CreateChecks.isMapInMap(type) && offers(type, Helper.LOOKUP);
            default:
                // the keyless types allow only their own helpers
                switch (type) {
                    case QUEUE:
                    case STACK:
                    case BLOOM_FILTER:
                    case RINGBUF:
                    case USER_RINGBUF:
                    case ARENA:
                        return false;
                    default:
                        return true;
                }
        }
    }

    /**
     * {@code check_map_func_compatibility} and the checks of what the program does with the helper's result, for
     * the types whose elements are kernel objects: 0 when a view's program passes the verifier, else the errno.
     * Device and XSK maps allow {@code bpf_map_lookup_elem} only (device maps' writes are refused before, as the
     * kernel marks them {@code BPF_F_RDONLY_PROG}); the socket maps allow lookup and update, but the lookup returns
     * a socket, which the view's program cannot copy as a value ({@code EINVAL} for value_size 4, {@code EACCES}
     * for 8), and the value of update and push must be a socket the program holds ({@code EACCES}); a socket map's
     * delete, pop and peek,
     * and every element helper on the other such types (program, perf event, cgroup arrays, cpumap, stack traces,
     * cgroup storage, reuseport arrays), are refused with {@code EINVAL} from a tracing program, as measured on
     * Linux 6.18 with the linux backend's views.
     */
    static int verifierRefusal(MapObject object, Helper helper) {
        switch (object.type) {
            case DEVMAP:
            case DEVMAP_HASH:
            case XSKMAP:
                return helper == Helper.LOOKUP ? 0 : EINVAL;
            case SOCKMAP:
            case SOCKHASH:
                if (helper == Helper.LOOKUP) {
                    return object.valueSize == 8 ? EACCES : EINVAL;
                }
                // the value argument of update and push must be a socket (resolve_map_arg_type); pop's and
                // peek's output argument is refused outright
                return helper == Helper.UPDATE || helper == Helper.PUSH ? EACCES : EINVAL;
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
            case CPUMAP:
            case STACK_TRACE:
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
            case REUSEPORT_SOCKARRAY:
                return EINVAL;
            default:
                return offers(object.type, helper) ? 0 : EINVAL;
        }
    }

    /** true for 0, false for ENOENT, else the failure. */
    private boolean helperResult(int err) {
        if (err == ENOENT) {
            return false;
        }
        if (err != 0) {
            throw map.helperFailure(err, null);
        }
        return true;
    }

    @Override
    public boolean ringbufOutput(byte[] data, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_output", false, true);
        java.util.Objects.requireNonNull(data, "data");
        return ringbufResult(ring.programRingbufOutput(data, flags), "bpf_ringbuf_output");
    }

    @Override
    public boolean ringbufReserveSubmit(byte[] data, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_reserve", false, true);
        java.util.Objects.requireNonNull(data, "data");
        return ringbufResult(ring.programRingbufReserveSubmit(data, flags), "bpf_ringbuf_reserve/bpf_ringbuf_submit");
    }

    @Override
    public boolean ringbufReserveDiscard(int size, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_reserve", false, true);
        if (size < 0) {
            throw map.helperFailure(EINVAL, "negative size " + size);
        }
        return ringbufResult(ring.programRingbufReserveDiscard(size, flags),
                "bpf_ringbuf_reserve/bpf_ringbuf_discard");
    }

    @Override
    public long ringbufQuery(long flag) {
        return ringbuf("bpf_ringbuf_query", true, false).programRingbufQuery(flag);
    }

    @Override
    public int userRingbufDrain(java.util.function.Consumer<byte[]> sample, long flags) {
        map.checkOpen();
        checkHandle(true, true, "bpf_user_ringbuf_drain");
        if (!(object instanceof DelegatedMapObject d) || object.type != org.bpfmaps.MapType.USER_RINGBUF) {
            throw unsupported("bpf_user_ringbuf_drain");
        }
        java.util.Objects.requireNonNull(sample, "sample");
        long n = d.ringBuffer().programUserRingbufDrain(sample, flags);
        if (n < 0) {
            throw map.helperFailure((int) -n, "bpf_user_ringbuf_drain returned " + n);
        }
        return (int) n;
    }

    /** A program view never widens the handle's access ({@code EPERM}, as the system calls answer). */
    private void checkHandle(boolean reads, boolean writes, String helper) {
        if (writes && !map.access().canWrite()) {
            throw map.helperFailure(EPERM, "the handle is " + map.access() + "; a program view cannot change the "
                    + "map through it (" + helper + ")");
        }
        if (reads && !map.access().canRead()) {
            throw map.helperFailure(EPERM, "the handle is " + map.access() + "; a program view cannot read the "
                    + "map through it (" + helper + ")");
        }
    }

    /**
     * The ring of a RINGBUF map after the closed and access checks (ring helpers write, the query reads); the
     * verifier refuses the ring helpers on any other type (EINVAL).
     */
    private org.bpfmaps.simulator.ringbuf.RingBufMap ringbuf(String helper, boolean reads, boolean writes) {
        map.checkOpen();
        checkHandle(reads, writes, helper);
        if (!(object instanceof DelegatedMapObject d) || object.type != org.bpfmaps.MapType.RINGBUF) {
            throw unsupported(helper);
        }
        return d.ringBuffer();
    }

    /** true for 0, false for EAGAIN (the reservation failed: no room), else the helper's failure. */
    private boolean ringbufResult(int err, String helper) {
        if (err == 0) {
            return true;
        }
        if (err == org.bpfmaps.Errno.EAGAIN.number()) {
            return false;
        }
        throw map.helperFailure(err, err == EINVAL ? helper + " refused its flags" : null);
    }

    @Override
    public void close() {
        // nothing is held: the simulator runs helpers directly
    }

    private RuntimeException unsupported(String helper) {
        map.checkOpen();
        return map.helperFailure(EINVAL, "the verifier refuses " + helper + " on a " + object.type.bpftoolName()
                + " map");
    }

    private void checkKey(byte[] key) {
        if (key == null || key.length != object.keySize) {
            throw map.helperFailure(EINVAL, "key must be " + object.keySize + " bytes, got "
                    + (key == null ? "null" : key.length + " bytes"));
        }
    }

    private void checkValue(byte[] value) {
        if (value == null || value.length != object.valueSize) {
            throw map.helperFailure(EINVAL, "a program's value is value_size = " + object.valueSize + " bytes, got "
                    + (value == null ? "null" : value.length + " bytes"));
        }
    }
}
