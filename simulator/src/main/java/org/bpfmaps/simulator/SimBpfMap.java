package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapInfo;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.spi.AbstractBpfMap;

/**
 * One descriptor of a simulated map: the object it refers to plus this descriptor's access mode.
 *
 * <p>Exists to apply the system-call side of the kernel's checks in the kernel's order (command flags, then the
 * descriptor's and map's read/write permission and the frozen state, then {@code BPF_F_LOCK}) before handing
 * the command to the shared {@link MapObject}.
 */
final class SimBpfMap extends AbstractBpfMap {

    private static final int EPERM = MapObject.EPERM;
    private static final int EINVAL = MapObject.EINVAL;

    final MapObject object;
    private final AtomicBoolean closed = new AtomicBoolean();

    SimBpfMap(MapObject object, Access access) {
        super(object.type, object.keySize, object.valueSize, object.maxEntries, object.flags, object.name,
                object.id, access, object.cpus);
        this.object = object;
    }

    /**
     * {@code FMODE_CAN_READ}: the descriptor's mode. As in the kernel, a map's {@code BPF_F_RDONLY} or
     * {@code BPF_F_WRONLY} flag only sets the mode of the descriptor returned by the create call.
     */
    private boolean canRead() {
        return access().canRead();
    }

    /** {@code FMODE_CAN_WRITE}: the descriptor's mode, cleared once the map is frozen. */
    private boolean canWrite() {
        return access().canWrite() && !object.isFrozen();
    }

    @Override
    protected int doLookup(ByteBuffer key, ByteBuffer value, long flags) {
        if ((flags & ~UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        if (!canRead()) {
            return EPERM;
        }
        if (flags != 0) {
            return EINVAL; // BPF_F_LOCK without a spin lock in the value
        }
        return object.lookup(key, value);
    }

    @Override
    protected int doUpdate(ByteBuffer key, ByteBuffer value, long flags) {
        if (!canWrite()) {
            return EPERM;
        }
        if ((flags & UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        return object.update(key, value, flags);
    }

    @Override
    protected int doDelete(ByteBuffer key) {
        if (!canWrite()) {
            return EPERM;
        }
        return object.delete(key);
    }

    @Override
    protected int doNextKey(ByteBuffer key, ByteBuffer nextKey) {
        if (!canRead()) {
            return EPERM;
        }
        return object.nextKey(key, nextKey);
    }

    @Override
    protected int doLookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) {
        if ((flags & ~UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        if (!canRead() || !canWrite()) {
            return EPERM;
        }
        if (flags != 0) {
            return EINVAL;
        }
        return object.lookupAndDelete(key, value);
    }

    @Override
    protected int doFreeze() {
        if (!canWrite()) {
            return EPERM; // includes a map that is already frozen
        }
        return object.freeze();
    }

    @Override
    protected BatchOutcome doBatch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                   int count, long elemFlags) {
        boolean read = command == BpfCommand.BPF_MAP_LOOKUP_BATCH
                || command == BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH;
        boolean write = command != BpfCommand.BPF_MAP_LOOKUP_BATCH;
        if ((read && !canRead()) || (write && !canWrite())) {
            return batchOutcome(EPERM, count); // the kernel never wrote count: it reads back as passed in
        }
        MapObject.Batch b = object.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
        return batchOutcome(b.errno(), b.count());
    }

    private static BatchOutcome batchOutcome(int errno, int count) {
        return new BatchOutcome(errno, count);
    }

    @Override
    protected void doClose() {
        object.kernel.release(this);
    }

    @Override
    protected boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public MapInfo info() {
        ensureOpen(BpfCommand.BPF_OBJ_GET_INFO_BY_FD);
        return new MapInfo(object.type, object.id, object.keySize, object.valueSize, object.maxEntries,
                object.flags, object.name, 0, 0, 0, 0, object.mapExtra, object.memlock(), object.isFrozen());
    }

    @Override
    public void pin(String path) {
        ensureOpen(BpfCommand.BPF_OBJ_PIN);
        int err = object.kernel.pin(object, path);
        if (err != 0) {
            throw failure(BpfCommand.BPF_OBJ_PIN, err, "path " + path);
        }
    }

    @Override
    public ProgramView programView(int cpu) {
        ensureOpen(BpfCommand.PROGRAM_HELPER);
        if (cpu < 0 || cpu >= possibleCpus()) {
            // BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU answers ENXIO for a CPU that is not possible/online.
            throw BpfException.of(BpfCommand.PROGRAM_HELPER, Errno.ENXIO.number(), subject(),
                    "CPU " + cpu + " is not one of the " + possibleCpus() + " possible CPUs");
        }
        return new SimProgramView(this, cpu);
    }

    /** The failure for {@code errno} from a program helper on this map. */
    BpfException helperFailure(int errno, String detail) {
        return failure(BpfCommand.PROGRAM_HELPER, errno, detail);
    }

    /** Throws when this descriptor is closed (for program views). */
    void checkOpen() {
        ensureOpen(BpfCommand.PROGRAM_HELPER);
    }
}
