package org.bpfmaps.conformance.differential;

import static org.bpfmaps.conformance.Bytes.hex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.conformance.Bytes;

/**
 * A plain Java model of a HASH, PERCPU_HASH, ARRAY or PERCPU_ARRAY map's <em>contents</em>, written from
 * SEMANTICS.md (§2 matrix, §2.1 check order, §2.2 generic batch rules, §4.1 full-map rules, §4.3 arrays).
 *
 * <p>It predicts the outcome text of the ops it understands (update, lookup, delete, lookup-and-delete, freeze,
 * update batch, delete batch, get_next_key reduced to unordered facts) in the exact format {@link Op#apply}
 * renders, and the sorted contents a {@link Side#walk()} shows. Iteration order is not modelled: hash order is
 * the differential run's business. Program-view ops and lookup batches are not modelled ({@link #models}).
 */
public final class ReferenceModel {
    private static final String EINVAL = "ERR InvalidArgumentException errno=22";
    private static final String EPERM = "ERR PermissionDeniedException errno=1";

    private final MapType type;
    private final int keySize;
    private final int valueBuffer;
    private final int maxEntries;
    private final boolean rdonly;
    private final boolean wronly;
    private final Map<String, byte[]> contents = new HashMap<>();
    private boolean frozen;

    /** A model of an empty map created from {@code spec} (which must be valid). */
    public ReferenceModel(MapSpec spec, int cpus) {
        this.type = spec.type();
        this.keySize = spec.keySize();
        this.valueBuffer = type.isPerCpu() ? Bytes.roundUp8(spec.valueSize()) * cpus : spec.valueSize();
        this.maxEntries = spec.maxEntries();
        this.rdonly = spec.has(MapFlag.RDONLY);
        this.wronly = spec.has(MapFlag.WRONLY);
    }

    /** Whether the model predicts this op's outcome. */
    public static boolean models(Op op) {
        return !(op instanceof Op.LookupBatch) && !op.isProgramOp() && !(op instanceof Op.ViaOtherFd)
                && !(op instanceof Op.Info);
    }

    private boolean canWrite() {
        return !rdonly && !frozen;
    }

    private boolean isArray() {
        return type.isArray();
    }

    private boolean keyOk(byte[] key) {
        return key != null && key.length == keySize;
    }

    private long index(byte[] key) {
        return Integer.toUnsignedLong(Bytes.u32At(key, 0));
    }

    private boolean present(byte[] key) {
        return isArray() ? index(key) < maxEntries : contents.containsKey(hex(key));
    }

    private byte[] valueOf(byte[] key) {
        byte[] v = contents.get(hex(key));
        return v != null ? v : new byte[valueBuffer];
    }

    /** The outcome text {@code op} must produce, then the model applies its effect. */
    public String predict(Op op) {
        if (op instanceof Op.ViaByteBuffer v) {
            return predict(v.inner());
        }
        if (op instanceof Op.Update u) {
            if (!keyOk(u.key()) || u.value() == null || u.value().length != valueBuffer) {
                return EINVAL;
            }
            String r = write(u.key(), u.value(), u.flags());
            return r == null ? "ok" : r;
        }
        if (op instanceof Op.Lookup l) {
            if (!keyOk(l.key()) || l.valueDelta() != 0) {
                return EINVAL;
            }
            if ((l.flags() & ~4L) != 0) {
                return EINVAL;
            }
            if (wronly) {
                return EPERM;
            }
            if (l.flags() != 0) {
                return EINVAL;
            }
            return present(l.key()) ? "found " + hex(valueOf(l.key())) : "miss " + hex(Op.out(valueBuffer));
        }
        if (op instanceof Op.Delete d) {
            if (!keyOk(d.key())) {
                return EINVAL;
            }
            if (!canWrite()) {
                return EPERM;
            }
            if (isArray()) {
                return EINVAL;
            }
            return contents.remove(hex(d.key())) != null ? "deleted" : "miss";
        }
        if (op instanceof Op.LookupAndDelete l) {
            if (!keyOk(l.key())) {
                return EINVAL;
            }
            if ((l.flags() & ~4L) != 0) {
                return EINVAL;
            }
            if (wronly || !canWrite()) {
                return EPERM;
            }
            if (l.flags() != 0) {
                return EINVAL;
            }
            if (isArray()) {
                return "ERR NotSupportedException errno=524";
            }
            byte[] v = contents.remove(hex(l.key()));
            return v != null ? "found " + hex(v) : "miss " + hex(Op.out(valueBuffer));
        }
        if (op instanceof Op.Freeze) {
            if (!canWrite()) {
                return EPERM;
            }
            frozen = true;
            return "ok";
        }
        if (op instanceof Op.NextKey n) {
            boolean sized = n.key() != null && n.key().length == keySize;
            if (sized && wronly) {
                return EPERM;
            }
            if ((n.key() != null && !sized) || n.outDelta() != 0) {
                return EINVAL;
            }
            if (wronly) {
                return EPERM;
            }
            if (sized && present(n.key())) {
                return "next-of-present (unordered)";
            }
            boolean empty = isArray() ? maxEntries == 0 : contents.isEmpty();
            return empty ? "end" : "first found";
        }
        if (op instanceof Op.UpdateBatch b) {
            if (b.count() < 0 || b.keys().length < (long) b.count() * keySize
                    || b.values().length < (long) b.count() * valueBuffer) {
                return EINVAL;
            }
            if (!canWrite()) {
                return refused(EPERM, b.count());
            }
            if (b.elemFlags() != 0) {
                return refused(EINVAL, b.count());
            }
            for (int i = 0; i < b.count(); i++) {
                byte[] k = Arrays.copyOfRange(b.keys(), i * keySize, (i + 1) * keySize);
                byte[] v = Arrays.copyOfRange(b.values(), i * valueBuffer, (i + 1) * valueBuffer);
                String r = write(k, v, 0);
                if (r != null) {
                    return r + " batchCount=" + i;
                }
            }
            return "ok count=" + b.count();
        }
        if (op instanceof Op.DeleteBatch b) {
            if (b.count() < 0 || b.keys().length < (long) b.count() * keySize) {
                return EINVAL;
            }
            if (!canWrite()) {
                return refused(EPERM, b.count());
            }
            if (isArray()) {
                return refused("ERR NotSupportedException errno=524", b.count());
            }
            if (b.elemFlags() != 0) {
                return refused(EINVAL, b.count());
            }
            for (int i = 0; i < b.count(); i++) {
                byte[] k = Arrays.copyOfRange(b.keys(), i * keySize, (i + 1) * keySize);
                if (contents.remove(hex(k)) == null) {
                    return "ERR NotFoundException errno=2 batchCount=" + i;
                }
            }
            return "ok count=" + b.count();
        }
        throw new IllegalArgumentException("not modelled: " + op);
    }

    /**
     * A batch refused before it started, as a lenient {@link Side} renders it: the kernel leaves
     * {@code attr.batch.count} as passed in, and the buffers are not compared.
     */
    private static String refused(String error, int count) {
        return error + " batchCount=" + count + " (refused before start; buffers not compared)";
    }

    /** A syscall write after the buffer checks; null when it succeeds, else the error text. */
    private String write(byte[] key, byte[] value, long flags) {
        if (!canWrite()) {
            return EPERM;
        }
        if ((flags & 4L) != 0 || (flags & ~4L) > 2) {
            return EINVAL;
        }
        if (isArray()) {
            if (index(key) >= maxEntries) {
                return "ERR MapFullException errno=7";
            }
            if (flags == 1) {
                return "ERR AlreadyExistsException errno=17";
            }
            contents.put(hex(key), value.clone());
            return null;
        }
        boolean exists = contents.containsKey(hex(key));
        if (flags == 1 && exists) {
            return "ERR AlreadyExistsException errno=17";
        }
        if (flags == 2 && !exists) {
            return "ERR NotFoundException errno=2";
        }
        if (!exists && contents.size() >= maxEntries) {
            return "ERR MapFullException errno=7";
        }
        contents.put(hex(key), value.clone());
        return null;
    }

    /** What {@link Side#walk()} must show for an unordered side: the sorted {@code key=value} list. */
    public String walk() {
        if (wronly) {
            return "walk " + EPERM + " after []";
        }
        List<String> seen = new ArrayList<>();
        if (isArray()) {
            for (int i = 0; i < maxEntries; i++) {
                byte[] k = Bytes.u32(i);
                seen.add(hex(k) + "=" + hex(valueOf(k)));
            }
        } else {
            contents.forEach((k, v) -> seen.add(k + "=" + hex(v)));
        }
        seen.sort(null);
        return "walk " + seen;
    }
}
