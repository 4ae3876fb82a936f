package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.ringbuf.RingBufMap;

/**
 * {@code RINGBUF} and {@code USER_RINGBUF}: a {@link MapObject} over the public adapter
 * {@link org.bpfmaps.simulator.ringbuf.RingBufMap}, which holds the ring's memory, the type's create checks, its
 * command matrix (every element command ENOTSUPP) and its helpers. The ring itself is reached through
 * {@link #adapter()} by the kernel's reader/writer factories and by {@link SimProgramView}.
 */
final class RingBufMapObject extends MapObject {

    /** Whether this class creates maps of {@code type}. */
    static boolean handles(MapType type) {
        return RingBufMap.handles(type);
    }

    /** The type's own create checks (after the generic ones), or null when the spec is accepted. */
    static CreateChecks.Refusal check(MapSpec spec) {
        int errno = RingBufMap.checkCreate(spec);
        return errno == 0 ? null : new CreateChecks.Refusal(errno, RingBufMap.explainCreate(spec));
    }

    /**
     * The adapter of {@code map} when it is a ring buffer descriptor of {@code kernel}, else null (the resolver the
     * reader and writer factories take).
     */
    static RingBufMap adapterOf(SimulatedKernel kernel, BpfMap map) {
        if (map instanceof SimBpfMap s && s.object.kernel == kernel && s.object instanceof RingBufMapObject r) {
            return r.adapter;
        }
        return null;
    }

    private final RingBufMap adapter;

    RingBufMapObject(SimulatedKernel kernel, MapSpec spec, int id) {
        super(kernel, spec, id);
        this.adapter = new RingBufMap(spec);
    }

    /** The ring buffer adapter. */
    RingBufMap adapter() {
        return adapter;
    }

    @Override
    long memlock() {
        return adapter.memlock();
    }

    @Override
    int lookup(ByteBuffer key, ByteBuffer value) {
        return adapter.lookup(key, value);
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        return adapter.update(key, value, flags);
    }

    @Override
    int delete(ByteBuffer key) {
        return adapter.delete(key);
    }

    @Override
    int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return adapter.nextKey(key, nextKey);
    }

    @Override
    int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return adapter.lookupAndDelete(key, value);
    }

    @Override
    Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                long elemFlags) {
        int[] done = new int[1];
        int err = adapter.batch(command, inBatch, outBatch, keys, values, count, elemFlags, done);
        return new Batch(err, done[0]);
    }

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return adapter.programLookup(key, value, cpu);
    }

    @Override
    int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return adapter.programUpdate(key, value, flags, cpu);
    }

    @Override
    int programDelete(ByteBuffer key) {
        return adapter.programDelete(key);
    }
}
