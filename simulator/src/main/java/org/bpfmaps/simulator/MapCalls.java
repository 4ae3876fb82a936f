package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;

/**
 * The calls that reach a {@link MapObject} after the descriptor's checks: directly (in-memory kernel) or through
 * the journal of a persisted kernel ({@link Persistence}), which overrides every call that can change a map.
 *
 * <p>Exists so that {@link SimBpfMap} and {@link SimProgramView} have one place to send map calls through, whether
 * or not the kernel persists its state.
 */
class MapCalls {

    /** Calls go straight to the object. */
    static final MapCalls DIRECT = new MapCalls();

    int lookup(MapObject o, ByteBuffer key, ByteBuffer value) {
        return o.lookup(key, value);
    }

    int update(MapObject o, ByteBuffer key, ByteBuffer value, long flags) {
        return o.update(key, value, flags);
    }

    int delete(MapObject o, ByteBuffer key) {
        return o.delete(key);
    }

    int lookupAndDelete(MapObject o, ByteBuffer key, ByteBuffer value) {
        return o.lookupAndDelete(key, value);
    }

    int freeze(MapObject o) {
        return o.freeze();
    }

    MapObject.Batch batch(MapObject o, BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys,
                          byte[] values, int count, long elemFlags) {
        return o.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
    }

    int programLookup(MapObject o, ByteBuffer key, ByteBuffer value, int cpu) {
        return o.programLookup(key, value, cpu);
    }

    int programUpdate(MapObject o, ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return o.programUpdate(key, value, flags, cpu);
    }

    int programDelete(MapObject o, ByteBuffer key, int cpu) {
        return o.programDelete(key);
    }

    int programPush(DelegatedMapObject o, ByteBuffer value, long flags, int cpu) {
        return o.programPush(value, flags);
    }

    int programPop(DelegatedMapObject o, ByteBuffer value, int cpu) {
        return o.programPop(value);
    }
}
