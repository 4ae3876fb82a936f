package org.bpfmaps.conformance.differential;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bpfmaps.Access;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.KernelHash;
import org.bpfmaps.conformance.differential.Op.Cursor;

/**
 * Generates random differential scenarios for HASH, PERCPU_HASH, ARRAY and PERCPU_ARRAY from a {@link Random}.
 *
 * <p>Specs are small (key sizes 1..16 including non-multiples of 4, sometimes 17..40, value sizes 1..24 including
 * non-multiples of 8, max_entries 1..64, sometimes up to 256, ZERO_SEED most of the time, NO_PREALLOC, MMAPABLE, RDONLY/WRONLY and
 * RDONLY_PROG/WRONLY_PROG sometimes, an invalid spec now and then). Keys come from a small pool a little larger than max_entries, so hits, misses,
 * full maps and deletes all happen; every update flag appears, including invalid ones; a few buffers are
 * deliberately of the wrong size.
 */
public final class ScenarioGenerator {

    /**
     * What to generate.
     *
     * @param ops          operations per scenario
     * @param programOps   whether program-view helper calls are part of the mix
     * @param dirtyPadding whether per-CPU value buffers sometimes carry non-zero padding bytes
     * @param cpus         possible CPUs of both backends (per-CPU buffer sizes, program-view CPUs)
     */
    public record Options(int ops, boolean programOps, boolean dirtyPadding, int cpus) {
    }

    private static final long[] INVALID_UPDATE_FLAGS = {UpdateFlags.F_LOCK, UpdateFlags.F_CPU,
            UpdateFlags.F_ALL_CPUS, 0x20, 3, UpdateFlags.F_LOCK | UpdateFlags.EXIST, 1L << 32};

    private final MapType type;
    private final Random r;
    private final Options o;

    private MapSpec spec;
    private int keySize;
    private int valueSize;
    private int maxEntries;
    private boolean ordered;
    private List<byte[]> pool;

    private ScenarioGenerator(MapType type, Random r, Options o) {
        this.type = type;
        this.r = r;
        this.o = o;
    }

    /** One scenario for {@code type}. */
    public static Scenario generate(MapType type, Random random, Options options) {
        return new ScenarioGenerator(type, random, options).scenario();
    }

    private Scenario scenario() {
        spec = spec();
        keySize = spec.keySize();
        valueSize = spec.valueSize();
        maxEntries = spec.maxEntries();
        ordered = type.isArray() || spec.has(MapFlag.ZERO_SEED);
        pool = keyPool();
        List<Op> ops = new ArrayList<>(o.ops());
        // Not frozen: an ARRAY with RDONLY_PROG. Once such an array is frozen the verifier treats it as read-only
        // data and refuses (ENOTSUPP) a program that reads its value at a constant offset unless max_entries is 1,
        // so a program view's lookup then depends on whether its program was loaded before the freeze: a property
        // of program loading, not of the map, that the simulator does not model (reported separately).
        boolean mayFreeze = !(type == MapType.ARRAY && spec.has(MapFlag.RDONLY_PROG));
        int freezeAt = mayFreeze && r.nextInt(100) < 20 ? r.nextInt(o.ops()) : -1;
        for (int i = 0; i < o.ops(); i++) {
            if (i == freezeAt || (freezeAt >= 0 && i > freezeAt && r.nextInt(o.ops()) == 0)) {
                ops.add(new Op.Freeze());
            } else {
                Op op = op();
                if (r.nextInt(100) < 12 && (op instanceof Op.Lookup || op instanceof Op.Update
                        || op instanceof Op.Delete || op instanceof Op.LookupAndDelete || op instanceof Op.NextKey)) {
                    op = new Op.ViaByteBuffer(op, r.nextInt(9), r.nextBoolean());
                }
                if (r.nextInt(100) < 6 && !op.isProgramOp()) {
                    op = new Op.ViaOtherFd(op, Access.values()[r.nextInt(Access.values().length)]);
                }
                if (r.nextInt(100) < 2) {
                    op = new Op.Info();
                }
                ops.add(op);
            }
        }
        return new Scenario(spec, ordered, ops);
    }

    // ---- specs -----------------------------------------------------------------------------------------------

    private MapSpec spec() {
        boolean hash = !type.isArray();
        int ks;
        if (hash) {
            int p = r.nextInt(100);
            ks = p < 35 ? 4 : p < 50 ? 8 : p < 92 ? 1 + r.nextInt(16) : 17 + r.nextInt(24);
        } else {
            ks = r.nextInt(200) == 0 ? (r.nextBoolean() ? 8 : 0) : 4;
        }
        int vs = r.nextInt(300) == 0 ? 0 : 1 + r.nextInt(24);
        int p = r.nextInt(100);
        int me = p < 40 ? 1 + r.nextInt(8) : p < 85 ? 9 + r.nextInt(24) : p < 97 ? 33 + r.nextInt(32)
                : 65 + r.nextInt(192);
        if (r.nextInt(300) == 0) {
            me = 0;
        }
        int flags = 0;
        if (hash) {
            if (r.nextInt(100) < 75) {
                flags |= MapFlag.ZERO_SEED.bit();
            }
            if (r.nextInt(100) < 30) {
                flags |= MapFlag.NO_PREALLOC.bit();
            }
            if (r.nextInt(200) == 0) {
                flags |= MapFlag.NO_COMMON_LRU.bit();
            }
        } else {
            if (type == MapType.ARRAY ? r.nextInt(100) < 15 : r.nextInt(200) == 0) {
                flags |= MapFlag.MMAPABLE.bit();
            }
            if (r.nextInt(200) == 0) {
                flags |= MapFlag.ZERO_SEED.bit();
            }
        }
        int access = r.nextInt(100);
        if (access < 3) {
            flags |= MapFlag.RDONLY.bit();
        } else if (access < 6) {
            flags |= MapFlag.WRONLY.bit();
        } else if (access < 7) {
            flags |= MapFlag.RDONLY.bit() | MapFlag.WRONLY.bit();
        }
        int progAccess = r.nextInt(100);
        if (progAccess < 3) {
            flags |= MapFlag.RDONLY_PROG.bit();
        } else if (progAccess < 6) {
            flags |= MapFlag.WRONLY_PROG.bit();
        }
        MapSpec.Builder b = MapSpec.builder(type).keySize(ks).valueSize(vs).maxEntries(me).flags(flags);
        int n = r.nextInt(100);
        if (n < 10) {
            b.name(name(1 + r.nextInt(15), false));
        } else if (n < 12) {
            b.name(name(r.nextBoolean() ? 16 : 1 + r.nextInt(15), true));
        }
        if (r.nextInt(100) < 2) {
            b.with(MapFlag.NUMA_NODE).numaNode(r.nextBoolean() ? 0 : 5);
        }
        if (r.nextInt(200) == 0) {
            b.mapExtra(1L << r.nextInt(40));
        }
        return b.build();
    }

    private String name(int length, boolean invalid) {
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        if (invalid && length <= 15) {
            sb.setCharAt(r.nextInt(length), "- $/".charAt(r.nextInt(4)));
        }
        return sb.toString();
    }

    private List<byte[]> keyPool() {
        List<byte[]> keys = new ArrayList<>();
        if (keySize <= 0) {
            keys.add(new byte[0]);
            return keys;
        }
        if (type.isArray() && keySize == 4) {
            for (int i = 0; i < maxEntries + 2; i++) {
                keys.add(Bytes.u32(i));
            }
            keys.add(Bytes.u32(-1));
            keys.add(Bytes.u32(maxEntries + 100));
            return keys;
        }
        int size = Math.min(maxEntries + 1 + r.nextInt(Math.max(1, maxEntries / 2 + 2)), 300);
        Set<String> seen = new HashSet<>();
        for (int attempt = 0; keys.size() < size && attempt < size * 20; attempt++) {
            byte[] k = new byte[keySize];
            if (r.nextBoolean()) {
                k[0] = (byte) r.nextInt(size * 2);
            } else {
                r.nextBytes(k);
            }
            if (seen.add(Bytes.hex(k))) {
                keys.add(k);
            }
        }
        return keys;
    }

    // ---- operations ----------------------------------------------------------------------------------------

    private Op op() {
        int w = r.nextInt(o.programOps() ? 110 : 100);
        if (w < 30) {
            return update();
        } else if (w < 45) {
            return new Op.Lookup(keyForOp(), lookupFlags(), r.nextInt(100) == 0 ? wrongDelta() : 0);
        } else if (w < 56) {
            return new Op.Delete(keyForOp());
        } else if (w < 66) {
            return nextKey();
        } else if (w < 71) {
            return new Op.LookupAndDelete(keyForOp(), r.nextInt(100) < 85 ? 0
                    : new long[] {1, 2, UpdateFlags.F_LOCK}[r.nextInt(3)]);
        } else if (w < 82) {
            return lookupBatch();
        } else if (w < 91) {
            return updateBatch();
        } else if (w < 100) {
            return deleteBatch();
        }
        return programOp();
    }

    private Op update() {
        byte[] key = keyForOp();
        byte[] value = value();
        int wrong = r.nextInt(200);
        if (wrong == 0) {
            key = Op.resize(key, wrongDelta());
        } else if (wrong == 1) {
            value = Op.resize(value, wrongDelta());
        }
        return new Op.Update(key, value, updateFlags());
    }

    private long updateFlags() {
        int p = r.nextInt(100);
        if (p < 40) {
            return UpdateFlags.ANY;
        } else if (p < 65) {
            return UpdateFlags.NOEXIST;
        } else if (p < 90) {
            return UpdateFlags.EXIST;
        }
        return INVALID_UPDATE_FLAGS[r.nextInt(INVALID_UPDATE_FLAGS.length)];
    }

    private long lookupFlags() {
        int p = r.nextInt(100);
        if (p < 92) {
            return 0;
        }
        return new long[] {UpdateFlags.F_LOCK, UpdateFlags.F_CPU, UpdateFlags.NOEXIST, 0x20}[r.nextInt(4)];
    }

    private Op nextKey() {
        int p = r.nextInt(100);
        byte[] key = p < 20 ? null : p < 85 ? poolKey() : unknownKey();
        return new Op.NextKey(key, r.nextInt(150) == 0 ? wrongDelta() : 0);
    }

    private Op lookupBatch() {
        boolean andDelete = r.nextInt(100) < 35;
        long elemFlags = r.nextInt(100) < 96 ? 0 : (r.nextBoolean() ? UpdateFlags.F_LOCK : 1);
        int outDelta = r.nextInt(200) == 0 ? wrongDelta() : 0;
        if (!ordered) {
            int count = r.nextInt(15) == 0 ? 0 : maxEntries + r.nextInt(3);
            return new Op.LookupBatch(andDelete, Cursor.START, null, count, elemFlags, outDelta);
        }
        int p = r.nextInt(100);
        Cursor cursor = p < 30 ? Cursor.START : p < 85 ? Cursor.CARRIED : Cursor.EXPLICIT;
        byte[] explicit = null;
        if (cursor == Cursor.EXPLICIT) {
            int cursorSize = type.isArray() ? keySize : 4;
            if (type.isArray()) {
                explicit = r.nextBoolean() ? poolKey() : unknownKey();
            } else {
                explicit = Bytes.u32(r.nextInt(KernelHash.buckets(Math.max(maxEntries, 1)) + 3));
            }
            if (explicit != null && explicit.length != cursorSize) {
                explicit = Bytes.u32(0);
            }
            if (r.nextInt(30) == 0) {
                explicit = Op.resize(explicit, wrongDelta());
            }
        }
        int q = r.nextInt(100);
        int count = q < 5 ? 0 : q < 60 ? 1 + r.nextInt(4) : 1 + r.nextInt(maxEntries + 2);
        if (r.nextInt(300) == 0) {
            count = -1;
        }
        return new Op.LookupBatch(andDelete, cursor, explicit, count, elemFlags, outDelta);
    }

    private Op updateBatch() {
        int count = r.nextInt(6);
        byte[] keys = new byte[count * keySize];
        byte[] values = new byte[count * valueBuffer()];
        for (int i = 0; i < count; i++) {
            System.arraycopy(r.nextInt(10) == 0 ? unknownKey() : poolKey(), 0, keys, i * keySize, keySize);
            System.arraycopy(value(), 0, values, i * valueBuffer(), valueBuffer());
        }
        int p = r.nextInt(100);
        long elemFlags = p < 92 ? 0 : new long[] {UpdateFlags.NOEXIST, UpdateFlags.EXIST, UpdateFlags.F_LOCK}[p % 3];
        return new Op.UpdateBatch(keys, values, count, elemFlags);
    }

    private Op deleteBatch() {
        int count = r.nextInt(5);
        byte[] keys = new byte[count * keySize];
        for (int i = 0; i < count; i++) {
            System.arraycopy(r.nextInt(10) == 0 ? unknownKey() : poolKey(), 0, keys, i * keySize, keySize);
        }
        long elemFlags = r.nextInt(100) < 96 ? 0 : UpdateFlags.F_LOCK;
        return new Op.DeleteBatch(keys, count, elemFlags);
    }

    private Op programOp() {
        int cpu = r.nextInt(Math.max(1, o.cpus()));
        byte[] key = keyForOp();
        int p = r.nextInt(100);
        if (p < 40) {
            return new Op.ProgramLookup(cpu, key);
        } else if (p < 85) {
            byte[] v = new byte[Math.max(valueSize, 0)];
            r.nextBytes(v);
            int f = r.nextInt(100);
            long flags = f < 40 ? UpdateFlags.ANY : f < 65 ? UpdateFlags.NOEXIST : f < 92 ? UpdateFlags.EXIST
                    : new long[] {UpdateFlags.F_LOCK, 0x20, 3}[f % 3];
            return new Op.ProgramUpdate(cpu, key, v, flags);
        }
        return new Op.ProgramDelete(cpu, key);
    }

    // ---- keys and values -------------------------------------------------------------------------------------

    private byte[] keyForOp() {
        return r.nextInt(100) < 93 ? poolKey() : unknownKey();
    }

    private byte[] poolKey() {
        return pool.get(r.nextInt(pool.size())).clone();
    }

    private byte[] unknownKey() {
        byte[] k = new byte[Math.max(keySize, 0)];
        r.nextBytes(k);
        if (type.isArray() && k.length == 4 && r.nextBoolean()) {
            return Bytes.u32(maxEntries + r.nextInt(1000));
        }
        return k;
    }

    private int valueBuffer() {
        if (valueSize <= 0) {
            return 0;
        }
        return type.isPerCpu() ? Bytes.roundUp8(valueSize) * o.cpus() : valueSize;
    }

    private byte[] value() {
        byte[] v = new byte[valueBuffer()];
        if (!type.isPerCpu()) {
            r.nextBytes(v);
            return v;
        }
        int stride = Bytes.roundUp8(valueSize);
        boolean dirty = o.dirtyPadding() && r.nextInt(10) == 0;
        for (int cpu = 0; cpu < o.cpus(); cpu++) {
            for (int i = 0; i < stride; i++) {
                if (i < valueSize || dirty) {
                    v[cpu * stride + i] = (byte) r.nextInt(256);
                }
            }
        }
        return v;
    }

    private int wrongDelta() {
        int[] d = {-1, 1, 8, -3};
        return d[r.nextInt(d.length)];
    }
}
