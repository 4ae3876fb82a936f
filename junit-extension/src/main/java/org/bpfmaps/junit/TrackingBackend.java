package org.bpfmaps.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;

/**
 * The backend handed to a test: it records every map, reader and writer opened through it so that the
 * extension can close them after the test; exists because a linux backend does not close what it opened.
 */
final class TrackingBackend implements MapBackend {
    private final MapBackend delegate;
    private final List<AutoCloseable> opened = new ArrayList<>();

    TrackingBackend(MapBackend delegate) {
        this.delegate = delegate;
    }

    private synchronized <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Everything opened so far, oldest first. */
    synchronized List<AutoCloseable> opened() {
        return new ArrayList<>(opened);
    }

    MapBackend delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public BpfMap create(MapSpec spec) {
        return track(delegate.create(spec));
    }

    @Override
    public BpfMap openPinned(String path, Access access) {
        return track(delegate.openPinned(path, access));
    }

    @Override
    public BpfMap openById(int id, Access access) {
        return track(delegate.openById(id, access));
    }

    @Override
    public int[] mapIds() {
        return delegate.mapIds();
    }

    @Override
    public boolean isSupported(MapType type) {
        return delegate.isSupported(type);
    }

    @Override
    public int possibleCpus() {
        return delegate.possibleCpus();
    }

    @Override
    public <T> T onCpu(int cpu, Supplier<T> action) {
        return delegate.onCpu(cpu, action);
    }

    @Override
    public RingBufferReader ringBufferReader(BpfMap... rings) {
        return track(delegate.ringBufferReader(rings));
    }

    @Override
    public UserRingBufferWriter userRingBufferWriter(BpfMap ring) {
        return track(delegate.userRingBufferWriter(ring));
    }

    /** Closes the real backend; the test's maps are closed by the session first. */
    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
