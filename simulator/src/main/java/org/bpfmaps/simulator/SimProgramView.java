package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapFlag;
import org.bpfmaps.ProgramView;

/**
 * The helper calls of a BPF program on one simulated map, as if running on one CPU.
 *
 * <p>Helpers bypass the system-call permissions and {@code BPF_MAP_FREEZE}; {@code BPF_F_RDONLY_PROG} and
 * {@code BPF_F_WRONLY_PROG} are honoured by failing with {@code EACCES}, which is what the verifier answers when
 * it loads a program that writes (or reads) such a map. Helpers a map type does not offer (push/pop/peek on hash
 * and array maps, ring-buffer helpers) fail with {@code EINVAL}, as the verifier rejects them for the type.
 */
public final class SimProgramView implements ProgramView {

    private static final int EACCES = MapObject.EACCES;
    private static final int EINVAL = MapObject.EINVAL;
    private static final int ENOENT = MapObject.ENOENT;

    private final SimBpfMap map;
    private final MapObject object;
    private final int cpu;

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
        map.checkOpen();
        checkKey(key);
        checkValue(value);
        if (object.has(MapFlag.WRONLY_PROG)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_WRONLY_PROG; the verifier refuses program reads");
        }
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
        map.checkOpen();
        checkKey(key);
        checkValue(value);
        checkWritable();
        int err = object.kernel.calls.programUpdate(object, ByteBuffer.wrap(key), ByteBuffer.wrap(value), flags,
                cpu);
        if (err != 0) {
            throw map.helperFailure(err, null);
        }
    }

    @Override
    public boolean delete(byte[] key) {
        map.checkOpen();
        checkKey(key);
        checkWritable();
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
        if (!(object instanceof DelegatedMapObject d)) {
            throw unsupported("bpf_map_push_elem");
        }
        map.checkOpen();
        checkValue(value);
        checkWritable();
        int err = object.kernel.calls.programPush(d, ByteBuffer.wrap(value), flags, cpu);
        if (err != 0) {
            throw map.helperFailure(err, err == EINVAL ? "bpf_map_push_elem refused (flags, or the verifier for "
                    + object.type.bpftoolName() + ")" : null);
        }
    }

    @Override
    public boolean pop(byte[] value) {
        if (!(object instanceof DelegatedMapObject d)) {
            throw unsupported("bpf_map_pop_elem");
        }
        map.checkOpen();
        checkValue(value);
        checkWritable();
        if (object.has(MapFlag.WRONLY_PROG)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_WRONLY_PROG; the verifier refuses program reads");
        }
        return helperResult(object.kernel.calls.programPop(d, ByteBuffer.wrap(value), cpu), "bpf_map_pop_elem");
    }

    @Override
    public boolean peek(byte[] value) {
        if (!(object instanceof DelegatedMapObject d)) {
            throw unsupported("bpf_map_peek_elem");
        }
        map.checkOpen();
        checkValue(value);
        if (object.has(MapFlag.WRONLY_PROG)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_WRONLY_PROG; the verifier refuses program reads");
        }
        return helperResult(d.programPeek(ByteBuffer.wrap(value)), "bpf_map_peek_elem");
    }

    /** true for 0, false for ENOENT, else the failure. */
    private boolean helperResult(int err, String helper) {
        if (err == ENOENT) {
            return false;
        }
        if (err != 0) {
            throw map.helperFailure(err, err == EINVAL ? "the verifier refuses " + helper + " on a "
                    + object.type.bpftoolName() + " map" : null);
        }
        return true;
    }

    @Override
    public boolean ringbufOutput(byte[] data, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_output");
        java.util.Objects.requireNonNull(data, "data");
        return ringbufResult(ring.programRingbufOutput(data, flags), "bpf_ringbuf_output");
    }

    @Override
    public boolean ringbufReserveSubmit(byte[] data, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_reserve");
        java.util.Objects.requireNonNull(data, "data");
        return ringbufResult(ring.programRingbufReserveSubmit(data, flags), "bpf_ringbuf_reserve/bpf_ringbuf_submit");
    }

    @Override
    public boolean ringbufReserveDiscard(int size, long flags) {
        org.bpfmaps.simulator.ringbuf.RingBufMap ring = ringbuf("bpf_ringbuf_reserve");
        if (size < 0) {
            throw map.helperFailure(EINVAL, "negative size " + size);
        }
        return ringbufResult(ring.programRingbufReserveDiscard(size, flags),
                "bpf_ringbuf_reserve/bpf_ringbuf_discard");
    }

    @Override
    public long ringbufQuery(long flag) {
        return ringbuf("bpf_ringbuf_query").programRingbufQuery(flag);
    }

    @Override
    public int userRingbufDrain(java.util.function.Consumer<byte[]> sample, long flags) {
        if (!(object instanceof RingBufMapObject r) || object.type != org.bpfmaps.MapType.USER_RINGBUF) {
            throw unsupported("bpf_user_ringbuf_drain");
        }
        map.checkOpen();
        java.util.Objects.requireNonNull(sample, "sample");
        long n = r.adapter().programUserRingbufDrain(sample, flags);
        if (n < 0) {
            throw map.helperFailure((int) -n, "bpf_user_ringbuf_drain returned " + n);
        }
        return (int) n;
    }

    /** The adapter of a RINGBUF map; the verifier refuses the ring helpers on any other type (EINVAL). */
    private org.bpfmaps.simulator.ringbuf.RingBufMap ringbuf(String helper) {
        if (!(object instanceof RingBufMapObject r) || object.type != org.bpfmaps.MapType.RINGBUF) {
            throw unsupported(helper);
        }
        map.checkOpen();
        return r.adapter();
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

    private void checkWritable() {
        if (object.has(MapFlag.RDONLY_PROG)) {
            throw map.helperFailure(EACCES, "the map is BPF_F_RDONLY_PROG; the verifier refuses program writes");
        }
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
