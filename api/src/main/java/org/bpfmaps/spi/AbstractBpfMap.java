package org.bpfmaps.spi;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.bpfmaps.Access;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapType;

/**
 * The shared half of every backend's {@link BpfMap}: buffer checks and the errno-to-result mapping.
 *
 * <p>Exists so that both backends refuse the same wrong buffers with the same {@code EINVAL} before any native
 * call, and turn kernel answers into results and exceptions in one place. A backend implements the
 * {@code do*} primitives, which receive buffers already checked (exact sizes, writable outputs, {@code null}
 * for absent keys) and return {@code 0} or a positive errno. Primitives read and write absolutely, starting at
 * each buffer's position.
 */
public abstract class AbstractBpfMap implements BpfMap {

    /** Outcome of a batch primitive: the errno (0 for success) and the kernel's {@code count}. */
    public record BatchOutcome(int errno, int count) {
    }

    private static final int ENOENT = Errno.ENOENT.number();

    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final String name;
    private final int id;
    private final Access access;
    private final int possibleCpus;
    private final int valueBufferSize;
    private final String subject;

    /** Records the attributes every check needs. */
    protected AbstractBpfMap(MapType type, int keySize, int valueSize, int maxEntries, int flags, String name, int id,
                             Access access, int possibleCpus) {
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.name = name;
        this.id = id;
        this.access = access;
        this.possibleCpus = possibleCpus;
        this.valueBufferSize = valueBufferSize(type, valueSize, possibleCpus);
        this.subject = "map " + Integer.toUnsignedString(id) + (name.isEmpty() ? "" : " '" + name + "'")
                + " (" + type.bpftoolName() + ")";
    }

    /** Bytes of a user-space value buffer for a map of {@code type}. */
    public static int valueBufferSize(MapType type, int valueSize, int possibleCpus) {
        if (type.isPerCpu()) {
            long slot = roundUp8(valueSize);
            long total = slot * possibleCpus;
            return total > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) total;
        }
        return valueSize;
    }

    /** {@code round_up(n, 8)} for an unsigned 32-bit {@code n}. */
    public static long roundUp8(int n) {
        return (Integer.toUnsignedLong(n) + 7) & ~7L;
    }

    // ---- primitives a backend implements -------------------------------------------------------------

    /** {@code BPF_MAP_LOOKUP_ELEM}. */
    protected abstract int doLookup(ByteBuffer key, ByteBuffer value, long flags);

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    protected abstract int doUpdate(ByteBuffer key, ByteBuffer value, long flags);

    /** {@code BPF_MAP_DELETE_ELEM}. */
    protected abstract int doDelete(ByteBuffer key);

    /** {@code BPF_MAP_GET_NEXT_KEY}; {@code key} null asks for the first key. */
    protected abstract int doNextKey(ByteBuffer key, ByteBuffer nextKey);

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}. */
    protected abstract int doLookupAndDelete(ByteBuffer key, ByteBuffer value, long flags);

    /** {@code BPF_MAP_FREEZE}. */
    protected abstract int doFreeze();

    /** One of the four batch commands; arrays are checked to be large enough for {@code count}. */
    protected abstract BatchOutcome doBatch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys,
                                            byte[] values, int count, long elemFlags);

    /** Marks the handle closed and releases it; called once. */
    protected abstract void doClose();

    /** Throws {@link MapClosedException} when closed; backends call it before touching their resources. */
    protected final void ensureOpen(BpfCommand command) {
        if (isClosed()) {
            throw new MapClosedException(command, subject);
        }
    }

    /** The exception for {@code errno} from {@code command} on this map. */
    protected final BpfException failure(BpfCommand command, int errno) {
        return BpfException.of(command, errno, subject);
    }

    /** The exception for {@code errno} from {@code command} on this map, with a detail sentence. */
    protected final BpfException failure(BpfCommand command, int errno, String detail) {
        return BpfException.of(command, errno, subject, detail);
    }

    /** An {@code EINVAL} failure for a caller mistake found before any native call. */
    protected final BpfException invalid(BpfCommand command, String detail) {
        return BpfException.of(command, Errno.EINVAL.number(), subject, detail);
    }

    /** How exceptions name this map, e.g. {@code map 12 'flows' (hash)}. */
    public final String subject() {
        return subject;
    }

    // ---- attributes ----------------------------------------------------------------------------------

    @Override
    public MapType type() {
        return type;
    }

    @Override
    public int keySize() {
        return keySize;
    }

    @Override
    public int valueSize() {
        return valueSize;
    }

    @Override
    public int maxEntries() {
        return maxEntries;
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public Access access() {
        return access;
    }

    @Override
    public int possibleCpus() {
        return possibleCpus;
    }

    @Override
    public int valueBufferSize() {
        return valueBufferSize;
    }

    @Override
    public int batchCursorSize() {
        return type.isHashTable() ? 4 : keySize;
    }

    @Override
    public String toString() {
        return subject;
    }

    // ---- checked operations --------------------------------------------------------------------------

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        byte[] value = new byte[valueBufferSize];
        return lookup(key, value, 0) ? Optional.of(value) : Optional.empty();
    }

    @Override
    public boolean lookup(byte[] key, byte[] value) {
        return lookup(wrapKey(key), wrapValue(value), 0);
    }

    @Override
    public boolean lookup(byte[] key, byte[] value, long flags) {
        return lookup(wrapKey(key), wrapValue(value), flags);
    }

    @Override
    public boolean lookup(ByteBuffer key, ByteBuffer value) {
        return lookup(key, value, 0);
    }

    @Override
    public boolean lookup(ByteBuffer key, ByteBuffer value, long flags) {
        BpfCommand cmd = BpfCommand.BPF_MAP_LOOKUP_ELEM;
        ensureOpen(cmd);
        ByteBuffer k = checkKey(cmd, key, false);
        ByteBuffer v = checkValue(cmd, value, true);
        int err = doLookup(k, v, flags);
        if (err == 0) {
            return true;
        }
        if (err == ENOENT) {
            return false;
        }
        throw failure(cmd, err);
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) {
        update(wrapKey(key), wrapValue(value), flags);
    }

    @Override
    public void update(ByteBuffer key, ByteBuffer value, long flags) {
        BpfCommand cmd = BpfCommand.BPF_MAP_UPDATE_ELEM;
        ensureOpen(cmd);
        ByteBuffer k = checkKey(cmd, key, false);
        ByteBuffer v = checkValue(cmd, value, false);
        int err = doUpdate(k, v, flags);
        if (err != 0) {
            throw failure(cmd, err);
        }
    }

    @Override
    public boolean delete(byte[] key) {
        return delete(wrapKey(key));
    }

    @Override
    public boolean delete(ByteBuffer key) {
        BpfCommand cmd = BpfCommand.BPF_MAP_DELETE_ELEM;
        ensureOpen(cmd);
        ByteBuffer k = checkKey(cmd, key, false);
        int err = doDelete(k);
        if (err == 0) {
            return true;
        }
        if (err == ENOENT) {
            return false;
        }
        throw failure(cmd, err);
    }

    @Override
    public boolean nextKey(byte[] key, byte[] nextKey) {
        return nextKey(wrapKey(key), wrapValueLike(nextKey));
    }

    @Override
    public boolean nextKey(ByteBuffer key, ByteBuffer nextKey) {
        BpfCommand cmd = BpfCommand.BPF_MAP_GET_NEXT_KEY;
        ensureOpen(cmd);
        ByteBuffer k = checkKey(cmd, key, true);
        ByteBuffer n = checkOut(cmd, nextKey, keySize, "next key");
        int err = doNextKey(k, n);
        if (err == 0) {
            return true;
        }
        if (err == ENOENT) {
            return false;
        }
        throw failure(cmd, err);
    }

    @Override
    public boolean lookupAndDelete(byte[] key, byte[] value, long flags) {
        return lookupAndDelete(wrapKey(key), wrapValue(value), flags);
    }

    @Override
    public boolean lookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) {
        BpfCommand cmd = BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM;
        ensureOpen(cmd);
        ByteBuffer k = checkKey(cmd, key, false);
        ByteBuffer v = checkValue(cmd, value, true);
        int err = doLookupAndDelete(k, v, flags);
        if (err == 0) {
            return true;
        }
        if (err == ENOENT) {
            return false;
        }
        throw failure(cmd, err);
    }

    @Override
    public void freeze() {
        BpfCommand cmd = BpfCommand.BPF_MAP_FREEZE;
        ensureOpen(cmd);
        int err = doFreeze();
        if (err != 0) {
            throw failure(cmd, err);
        }
    }

    @Override
    public BatchResult lookupBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                                   long elemFlags) {
        return readBatch(BpfCommand.BPF_MAP_LOOKUP_BATCH, inBatch, outBatch, keys, values, count, elemFlags);
    }

    @Override
    public BatchResult lookupAndDeleteBatch(byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                                            long elemFlags) {
        return readBatch(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, inBatch, outBatch, keys, values, count,
                elemFlags);
    }

    private BatchResult readBatch(BpfCommand cmd, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                  int count, long elemFlags) {
        ensureOpen(cmd);
        int cursor = batchCursorSize();
        if (inBatch != null && inBatch.length != cursor) {
            throw invalid(cmd, "in_batch is " + inBatch.length + " bytes; this map's batch cursor is " + cursor);
        }
        if (outBatch == null || outBatch.length != cursor) {
            throw invalid(cmd, "out_batch must be " + cursor + " bytes, got "
                    + (outBatch == null ? "null" : outBatch.length + " bytes"));
        }
        checkBatchArrays(cmd, keys, values, count, true);
        BatchOutcome o = doBatch(cmd, inBatch, outBatch, keys, values, count, elemFlags);
        if (o.errno() == 0) {
            return new BatchResult(o.count(), false);
        }
        if (o.errno() == ENOENT) {
            return new BatchResult(o.count(), true);
        }
        throw BpfException.of(cmd, o.errno(), subject, null, o.count());
    }

    @Override
    public int updateBatch(byte[] keys, byte[] values, int count, long elemFlags) {
        BpfCommand cmd = BpfCommand.BPF_MAP_UPDATE_BATCH;
        ensureOpen(cmd);
        checkBatchArrays(cmd, keys, values, count, true);
        return writeBatch(cmd, keys, values, count, elemFlags);
    }

    @Override
    public int deleteBatch(byte[] keys, int count, long elemFlags) {
        BpfCommand cmd = BpfCommand.BPF_MAP_DELETE_BATCH;
        ensureOpen(cmd);
        checkBatchArrays(cmd, keys, null, count, false);
        return writeBatch(cmd, keys, null, count, elemFlags);
    }

    private int writeBatch(BpfCommand cmd, byte[] keys, byte[] values, int count, long elemFlags) {
        BatchOutcome o = doBatch(cmd, null, null, keys, values, count, elemFlags);
        if (o.errno() != 0) {
            throw BpfException.of(cmd, o.errno(), subject, o.count() + " of " + count + " elements done", o.count());
        }
        return o.count();
    }

    private void checkBatchArrays(BpfCommand cmd, byte[] keys, byte[] values, int count, boolean needValues) {
        if (count < 0) {
            throw invalid(cmd, "count is negative (" + count + ")");
        }
        long keyBytes = (long) count * keySize;
        if (keys == null || keys.length < keyBytes) {
            throw invalid(cmd, "keys buffer holds " + (keys == null ? "null" : keys.length + " bytes") + "; "
                    + count + " keys of " + keySize + " bytes need " + keyBytes);
        }
        if (needValues) {
            long valueBytes = (long) count * valueBufferSize;
            if (values == null || values.length < valueBytes) {
                throw invalid(cmd, "values buffer holds " + (values == null ? "null" : values.length + " bytes")
                        + "; " + count + " values of " + valueBufferSize + " bytes need " + valueBytes);
            }
        }
    }

    @Override
    public final void close() {
        if (markClosed()) {
            doClose();
        }
    }

    /** Atomically marks the handle closed; {@code true} only for the first call. */
    protected abstract boolean markClosed();

    // ---- buffer checks ------------------------------------------------------------------------------

    private static ByteBuffer wrapKey(byte[] key) {
        return key == null ? null : ByteBuffer.wrap(key);
    }

    private static ByteBuffer wrapValue(byte[] value) {
        return value == null ? null : ByteBuffer.wrap(value);
    }

    private static ByteBuffer wrapValueLike(byte[] out) {
        return out == null ? null : ByteBuffer.wrap(out);
    }

    /**
     * Checks a key: exactly {@code keySize} bytes, or absent (null or empty) when the map has no keys. A null key
     * is also allowed for {@code BPF_MAP_GET_NEXT_KEY} ({@code nullMeansFirst}).
     */
    private ByteBuffer checkKey(BpfCommand cmd, ByteBuffer key, boolean nullMeansFirst) {
        if (key == null || (keySize == 0 && key.remaining() == 0)) {
            if (keySize == 0 || nullMeansFirst) {
                return null;
            }
            throw invalid(cmd, "key is null; this map's keys are " + Integer.toUnsignedString(keySize) + " bytes");
        }
        if (key.remaining() != keySize) {
            throw invalid(cmd, "key is " + key.remaining() + " bytes; this map's keys are "
                    + Integer.toUnsignedString(keySize) + " bytes");
        }
        return key;
    }

    /** Checks a value buffer: exactly {@link #valueBufferSize()} bytes, writable when it is an output. */
    private ByteBuffer checkValue(BpfCommand cmd, ByteBuffer value, boolean output) {
        if (valueBufferSize == 0 && (value == null || value.remaining() == 0)) {
            return null;
        }
        if (output) {
            return checkOut(cmd, value, valueBufferSize, "value");
        }
        if (value == null) {
            throw invalid(cmd, "value is null; this map's values are " + valueBufferSize + " bytes");
        }
        if (value.remaining() != valueBufferSize) {
            throw invalid(cmd, "value is " + value.remaining() + " bytes; this map's values are "
                    + valueBufferSize + " bytes" + (type.isPerCpu() ? " (round_up(" + valueSize + ", 8) x "
                    + possibleCpus + " possible CPUs)" : ""));
        }
        return value;
    }

    private ByteBuffer checkOut(BpfCommand cmd, ByteBuffer out, int size, String what) {
        if (size == 0 && (out == null || out.remaining() == 0)) {
            return null;
        }
        if (out == null) {
            throw invalid(cmd, what + " buffer is null; " + size + " bytes are needed");
        }
        if (out.isReadOnly()) {
            throw invalid(cmd, what + " buffer is read-only");
        }
        if (out.remaining() != size) {
            throw invalid(cmd, what + " buffer is " + out.remaining() + " bytes; " + size + " bytes are needed"
                    + (type.isPerCpu() && size == valueBufferSize && size != valueSize ? " (round_up("
                    + valueSize + ", 8) x " + possibleCpus + " possible CPUs)" : ""));
        }
        return out;
    }
}
