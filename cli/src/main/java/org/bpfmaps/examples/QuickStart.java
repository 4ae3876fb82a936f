package org.bpfmaps.examples;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.bpfmaps.AlreadyExistsException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapFullException;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;

/**
 * The README's first example: a hash map on the simulator (no root needed): create, update, lookup, iterate,
 * delete, and the kernel's errors for a duplicate key and a full map.
 *
 * <p>Run on the real kernel with {@code -Dbpfmaps.backend=linux} (root or CAP_BPF).
 */
public final class QuickStart {
    private QuickStart() {
    }

    /** Runs the example on the backend named by {@code bpfmaps.backend}, default the simulator. */
    public static void main(String[] args) {
        String backendName = System.getProperty(BpfMaps.BACKEND_PROPERTY, "simulator");
        try (MapBackend backend = BpfMaps.open(backendName, Map.of());
             BpfMap counters = backend.create(MapSpec.builder(MapType.HASH)
                     .keySize(4).valueSize(8).maxEntries(4).flags(MapFlag.ZERO_SEED).name("counters").build())) {
            System.out.printf("backend %s: created %s%n", backend.name(), counters);

            for (int port : new int[] {22, 80, 443}) {
                counters.update(u32(port), u64(port * 1000L), UpdateFlags.NOEXIST);
                System.out.printf("update key %d -> %d%n", port, port * 1000L);
            }
            System.out.printf("lookup key 80 -> %d%n", asU64(counters.lookup(u32(80)).orElseThrow()));
            System.out.printf("lookup key 8080 -> %s%n", counters.lookup(u32(8080)).isPresent() ? "found" : "missing");

            try {
                counters.update(u32(22), u64(1), UpdateFlags.NOEXIST);
            } catch (AlreadyExistsException e) {
                System.out.printf("update NOEXIST key 22 -> %s (errno %d)%n", e.error(), e.errno());
            }

            counters.update(u32(53), u64(53_000), UpdateFlags.ANY);
            try {
                counters.update(u32(8080), u64(1), UpdateFlags.ANY);
            } catch (MapFullException e) {
                System.out.printf("update key 8080 into a full map -> %s (errno %d)%n", e.error(), e.errno());
            }

            StringBuilder order = new StringBuilder();
            byte[] key = null;
            byte[] next = new byte[4];
            while (counters.nextKey(key, next)) {
                order.append(order.length() == 0 ? "" : " ").append(asU32(next));
                key = next.clone();
            }
            System.out.printf("iteration order (kernel hash order, BPF_F_ZERO_SEED): %s%n", order);

            System.out.printf("delete key 443 -> %s%n", counters.delete(u32(443)));
            System.out.printf("delete key 443 again -> %s%n", counters.delete(u32(443)));
            System.out.printf("info: %s%n", counters.info());
        }
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    private static int asU32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }

    private static long asU64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong();
    }
}
