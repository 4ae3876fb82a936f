package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.Access;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapFlag;
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
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    SimBpfMap(MapObject object, Access access, int fd) {
        super(object.type, object.keySize, object.valueSize, object.maxEntries, object.flags, object.name,
                object.id, access, object.cpus);
        this.object = object;
        this.fd = fd;
    }

    @Override
    public int fd() {
        if (isClosed()) {
            throw new org.bpfmaps.MapClosedException(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, subject());
        }
        return fd;
    }

    /** The descriptor number, also once closed. */
    int number() {
        return fd;
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

    /** 0, or the errno of a fault injected into {@code command} on this descriptor. */
    private int fault(BpfCommand command) {
        return object.kernel.faults().check(command, this);
    }

    @Override
    protected int doLookup(ByteBuffer key, ByteBuffer value, long flags) {
        int fault = fault(BpfCommand.BPF_MAP_LOOKUP_ELEM);
        if (fault != 0) {
            return fault;
        }
        if ((flags & ~UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        if (!canRead()) {
            return EPERM;
        }
        if (flags != 0) {
            return EINVAL; // BPF_F_LOCK without a spin lock in the value
        }
        return object.kernel.calls.lookup(object, key, value);
    }

    @Override
    protected int doUpdate(ByteBuffer key, ByteBuffer value, long flags) {
        int fault = fault(BpfCommand.BPF_MAP_UPDATE_ELEM);
        if (fault != 0) {
            return fault;
        }
        if (!canWrite()) {
            return EPERM;
        }
        if ((flags & UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        return object.kernel.calls.update(object, key, value, flags);
    }

    @Override
    protected int doDelete(ByteBuffer key) {
        int fault = fault(BpfCommand.BPF_MAP_DELETE_ELEM);
        if (fault != 0) {
            return fault;
        }
        if (!canWrite()) {
            return EPERM;
        }
        return object.kernel.calls.delete(object, key);
    }

    @Override
    protected int doNextKey(ByteBuffer key, ByteBuffer nextKey) {
        int fault = fault(BpfCommand.BPF_MAP_GET_NEXT_KEY);
        if (fault != 0) {
            return fault;
        }
        if (!canRead()) {
            return EPERM;
        }
        return object.nextKey(key, nextKey);
    }

    @Override
    protected int doLookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) {
        int fault = fault(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM);
        if (fault != 0) {
            return fault;
        }
        if ((flags & ~UpdateFlags.F_LOCK) != 0) {
            return EINVAL;
        }
        if (!canRead() || !canWrite()) {
            return EPERM;
        }
        if (flags != 0) {
            return EINVAL;
        }
        return object.kernel.calls.lookupAndDelete(object, key, value);
    }

    @Override
    protected int doFreeze() {
        int fault = fault(BpfCommand.BPF_MAP_FREEZE);
        if (fault != 0) {
            return fault;
        }
        if (!canWrite()) {
            return EPERM; // includes a map that is already frozen
        }
        return object.kernel.calls.freeze(object);
    }

    @Override
    protected BatchOutcome doBatch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                   int count, long elemFlags) {
        int fault = fault(command);
        if (fault != 0) {
            return batchOutcome(fault, 0); // an injected failure did nothing: 0 elements done
        }
        boolean read = command == BpfCommand.BPF_MAP_LOOKUP_BATCH
                || command == BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH;
        boolean write = command != BpfCommand.BPF_MAP_LOOKUP_BATCH;
        if ((read && !canRead()) || (write && !canWrite())) {
            return batchOutcome(EPERM, count); // the kernel never wrote count: it reads back as passed in
        }
        MapObject.Batch b = object.kernel.calls.batch(object, command, inBatch, outBatch, keys, values, count, elemFlags);
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
        int fault = fault(BpfCommand.BPF_OBJ_GET_INFO_BY_FD);
        if (fault != 0) {
            throw failure(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, fault, "injected fault");
        }
        // The kernel keeps BPF_F_RDONLY/WRONLY for the creating descriptor only and reports flags without them.
        int reported = object.reportedFlags() & ~MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY);
        return new MapInfo(object.type, object.id, object.keySize, object.valueSize, object.maxEntries,
                reported, object.name, 0, 0, 0, 0, object.mapExtra, object.memlock(), object.isFrozen());
    }

    @Override
    public void pin(String path) {
        ensureOpen(BpfCommand.BPF_OBJ_PIN);
        int err = fault(BpfCommand.BPF_OBJ_PIN);
        if (err == 0) {
            err = object.kernel.pin(object, path);
        }
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

    /** Throws when this descriptor is closed (for program views), or an injected {@code PROGRAM_HELPER} fault. */
    void checkOpen() {
        ensureOpen(BpfCommand.PROGRAM_HELPER);
        int fault = fault(BpfCommand.PROGRAM_HELPER);
        if (fault != 0) {
            throw failure(BpfCommand.PROGRAM_HELPER, fault, "injected fault");
        }
    }
}
