package org.bpfmaps.linux.prog;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.linux.sys.LibC;
import org.bpfmaps.linux.sys.NativeBuffer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: kernel maps created and used with raw {@code bpf()} calls (independent of the backend's map
 * class), a minimal {@link BpfMap} describing them, and the kernel gate.
 */
final class KernelMaps {
    static final int BPF_MAP_CREATE = 0;
    static final int BPF_MAP_LOOKUP_ELEM = 1;
    static final int BPF_MAP_UPDATE_ELEM = 2;
    static final int BPF_MAP_FREEZE = 22;

    private KernelMaps() {
    }

    /** Skips the test (or fails it with BPFMAPS_REQUIRE_KERNEL=1) when bpf() is unusable here. */
    static void requireKernel() {
        String why = null;
        try {
            if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                why = "not Linux";
            } else {
                int fd = createRaw(MapType.ARRAY, 4, 4, 1, 0);
                if (fd < 0) {
                    why = "bpf(BPF_MAP_CREATE) failed with errno " + (-fd) + " (euid " + LibC.geteuid()
                            + "; needs root or CAP_BPF)";
                } else {
                    LibC.close(fd);
                }
            }
        } catch (Throwable t) {
            why = "native access failed: " + t;
        }
        if (why != null) {
            if ("1".equals(System.getenv("BPFMAPS_REQUIRE_KERNEL"))) {
                Assertions.fail("kernel required (BPFMAPS_REQUIRE_KERNEL=1) but " + why);
            }
            Assumptions.abort("kernel tests skipped: " + why);
        }
    }

    static int possibleCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int n = 0;
            for (String part : s.split(",")) {
                String[] r = part.split("-");
                n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
            }
            return n;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int createRaw(MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        NativeBuffer attr = new NativeBuffer(72);
        try {
            ByteBuffer a = attr.buffer();
            a.putInt(0, type.id());
            a.putInt(4, keySize);
            a.putInt(8, valueSize);
            a.putInt(12, maxEntries);
            a.putInt(16, flags);
            a.put(28, "bpfmaps_pvtest".getBytes(StandardCharsets.US_ASCII));
            return LibC.bpf(BPF_MAP_CREATE, attr.address(), 72);
        } finally {
            attr.free();
        }
    }

    /** A kernel map with its fd and a minimal BpfMap description; close() closes the fd. */
    static final class TestMap implements AutoCloseable {
        final int fd;
        final MapType type;
        final int keySize;
        final int valueSize;
        final int maxEntries;
        final int cpus = possibleCpus();
        final BpfMap map;

        TestMap(MapType type, int keySize, int valueSize, int maxEntries, int flags) {
            this.type = type;
            this.keySize = keySize;
            this.valueSize = valueSize;
            this.maxEntries = maxEntries;
            int r = createRaw(type, keySize, valueSize, maxEntries, flags);
            Assertions.assertTrue(r >= 0, "create " + type + " failed: errno " + (-r));
            this.fd = r;
            this.map = describe();
        }

        private BpfMap describe() {
            String text = type.bpftoolName() + " fd " + fd;
            return (BpfMap) Proxy.newProxyInstance(KernelMaps.class.getClassLoader(), new Class<?>[] {BpfMap.class},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "type": return type;
                            case "keySize": return keySize;
                            case "valueSize": return valueSize;
                            case "maxEntries": return maxEntries;
                            case "possibleCpus": return cpus;
                            case "isClosed": return false;
                            case "access": return org.bpfmaps.Access.READ_WRITE;
                            case "toString": return text;
                            case "hashCode": return System.identityHashCode(proxy);
                            case "equals": return proxy == args[0];
                            default: throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }

        int valueBufferSize() {
            boolean percpu = type == MapType.PERCPU_ARRAY || type == MapType.PERCPU_HASH
                    || type == MapType.LRU_PERCPU_HASH;
            return percpu ? ((valueSize + 7) & ~7) * cpus : valueSize;
        }

        /** Syscall lookup: the value buffer, or null when missing; other errors fail the test. */
        byte[] lookup(byte[] key) {
            int r = elem(BPF_MAP_LOOKUP_ELEM, key, new byte[valueBufferSize()], 0);
            if (r == -2) {
                return null;
            }
            Assertions.assertEquals(0, r, "syscall lookup errno");
            return lastValue;
        }

        /** Syscall update; returns 0 or -errno. */
        int update(byte[] key, byte[] value, long flags) {
            return elem(BPF_MAP_UPDATE_ELEM, key, value, flags);
        }

        int freeze() {
            NativeBuffer attr = new NativeBuffer(8);
            try {
                attr.buffer().putInt(0, fd);
                return LibC.bpf(BPF_MAP_FREEZE, attr.address(), 4);
            } finally {
                attr.free();
            }
        }

        private byte[] lastValue;

        private int elem(int cmd, byte[] key, byte[] value, long flags) {
            NativeBuffer attr = new NativeBuffer(32);
            NativeBuffer k = new NativeBuffer(Math.max(1, key == null ? 1 : key.length));
            NativeBuffer v = new NativeBuffer(Math.max(1, value.length));
            try {
                if (key != null) {
                    k.buffer().put(0, key);
                }
                v.buffer().put(0, value);
                ByteBuffer a = attr.buffer();
                a.putInt(0, fd);
                a.putLong(8, key == null ? 0 : k.address());
                a.putLong(16, v.address());
                a.putLong(24, flags);
                int r = LibC.bpf(cmd, attr.address(), 32);
                lastValue = new byte[value.length];
                v.buffer().get(0, lastValue);
                return r;
            } finally {
                attr.free();
                k.free();
                v.free();
            }
        }

        @Override
        public void close() {
            LibC.close(fd);
        }
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long readU64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    static int readU32(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(off);
    }
}
