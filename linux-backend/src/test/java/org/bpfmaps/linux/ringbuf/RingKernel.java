package org.bpfmaps.linux.ringbuf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/**
 * Kernel gate and fixtures for the ring buffer tests.
 *
 * <p>Mirrors {@code org.bpfmaps.linux.KernelTests}, which is package-private there: skip with the provider's
 * cause on a host without BPF, fail instead under {@code BPFMAPS_REQUIRE_KERNEL=1}.
 */
final class RingKernel {
    private RingKernel() {
    }

    /** The linux backend, or a skip (failure under BPFMAPS_REQUIRE_KERNEL=1) with the provider's cause. */
    static MapBackend backend() {
        return org.bpfmaps.linux.KernelTests.backend();
    }

    /** A new RINGBUF or USER_RINGBUF of {@code size} data bytes. */
    static BpfMap ring(MapBackend backend, MapType type, int size) {
        return backend.create(MapSpec.builder(type).keySize(0).valueSize(0).maxEntries(size).build());
    }

    /** {@code n} bytes that encode {@code seed}, different for every seed and position. */
    static byte[] payload(int seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (seed >>> 8));
        }
        if (n >= 4) {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, seed);
        }
        return b;
    }

    /** A copy of the bytes between position and limit. */
    static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A ring size no other test in this JVM maps, so {@link #producerMappings} counts only this test's. */
    static final int TRACKED_SIZE = 1 << 17;

    /**
     * How many producer mappings of {@link #TRACKED_SIZE}-byte rings this process has: {@code anon_inode:bpf-map}
     * lines of /proc/self/maps spanning a page plus twice the ring. Counting by size keeps the number independent
     * of other tests' mappings (program view scratch maps) that a cleaner may release at any moment.
     */
    static long producerMappings() throws IOException {
        long length = PageSize.get() + 2L * TRACKED_SIZE;
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("bpf-map")).filter(l -> {
                String[] range = l.substring(0, l.indexOf(' ')).split("-");
                return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16) == length;
            }).count();
        }
    }

    /** What a test opened, closed in reverse order after it; the first failure is thrown, later ones suppressed. */
    static final class Closer implements AutoCloseable {
        private final java.util.List<AutoCloseable> resources = new java.util.ArrayList<>();

        <T extends AutoCloseable> T add(T resource) {
            resources.add(resource);
            return resource;
        }

        @Override
        public void close() throws Exception {
            Exception first = null;
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            resources.clear();
            if (first != null) {
                throw first;
            }
        }
    }
}
