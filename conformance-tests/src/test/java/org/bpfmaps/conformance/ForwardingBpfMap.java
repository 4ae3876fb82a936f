package org.bpfmaps.conformance;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.bpfmaps.Access;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;

/** A {@link BpfMap} that forwards every call; self-tests override one method to break it on purpose. */
public class ForwardingBpfMap implements BpfMap {
    protected final BpfMap d;

    public ForwardingBpfMap(BpfMap delegate) {
        this.d = delegate;
    }

    @Override public MapType type() { return d.type(); }
    @Override public int keySize() { return d.keySize(); }
    @Override public int valueSize() { return d.valueSize(); }
    @Override public int maxEntries() { return d.maxEntries(); }
    @Override public int flags() { return d.flags(); }
    @Override public String name() { return d.name(); }
    @Override public int id() { return d.id(); }
    @Override public int fd() { return d.fd(); }
    @Override public Access access() { return d.access(); }
    @Override public int possibleCpus() { return d.possibleCpus(); }
    @Override public int valueBufferSize() { return d.valueBufferSize(); }
    @Override public int batchCursorSize() { return d.batchCursorSize(); }
    @Override public MapInfo info() { return d.info(); }
    @Override public Optional<byte[]> lookup(byte[] key) { return d.lookup(key); }
    @Override public boolean lookup(byte[] key, byte[] value) { return d.lookup(key, value); }
    @Override public boolean lookup(byte[] key, byte[] value, long flags) { return d.lookup(key, value, flags); }
    @Override public boolean lookup(ByteBuffer key, ByteBuffer value) { return d.lookup(key, value); }
    @Override public boolean lookup(ByteBuffer key, ByteBuffer value, long flags) { return d.lookup(key, value, flags); }
    @Override public void update(byte[] key, byte[] value, long flags) { d.update(key, value, flags); }
    @Override public void update(ByteBuffer key, ByteBuffer value, long flags) { d.update(key, value, flags); }
    @Override public boolean delete(byte[] key) { return d.delete(key); }
    @Override public boolean delete(ByteBuffer key) { return d.delete(key); }
    @Override public boolean nextKey(byte[] key, byte[] nextKey) { return d.nextKey(key, nextKey); }
    @Override public boolean nextKey(ByteBuffer key, ByteBuffer nextKey) { return d.nextKey(key, nextKey); }
    @Override public boolean lookupAndDelete(byte[] key, byte[] value, long flags) { return d.lookupAndDelete(key, value, flags); }
    @Override public boolean lookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) { return d.lookupAndDelete(key, value, flags); }
    @Override public void freeze() { d.freeze(); }
    @Override public BatchResult lookupBatch(byte[] in, byte[] out, byte[] keys, byte[] values, int count, long f) {
        return d.lookupBatch(in, out, keys, values, count, f);
    }
    @Override public BatchResult lookupAndDeleteBatch(byte[] in, byte[] out, byte[] keys, byte[] values, int count,
                                                      long f) {
        return d.lookupAndDeleteBatch(in, out, keys, values, count, f);
    }
    @Override public int updateBatch(byte[] keys, byte[] values, int count, long f) { return d.updateBatch(keys, values, count, f); }
    @Override public int deleteBatch(byte[] keys, int count, long f) { return d.deleteBatch(keys, count, f); }
    @Override public void pin(String path) { d.pin(path); }
    @Override public ProgramView programView(int cpu) { return d.programView(cpu); }
    @Override public boolean isClosed() { return d.isClosed(); }
    @Override public void close() { d.close(); }
}
