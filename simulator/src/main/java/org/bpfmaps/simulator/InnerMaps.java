package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapType;

/**
 * The inner-map half of {@code ARRAY_OF_MAPS} and {@code HASH_OF_MAPS}: the template every inner map is compared
 * with ({@code inner_map_meta}), the resolution of a descriptor number in an update ({@code bpf_map_fd_get_ptr})
 * and the references slots hold on inner maps.
 *
 * <p>Exists so the array and the hash of maps (which keep their slots in different structures) share one
 * implementation of the kernel's {@code map_in_map.c}. A slot holds one reference on its inner map, counted with
 * the descriptors and pins in {@link MapObject#references}; the kernel's monitor guards those counts, so callers
 * hold it (kernel first, then the outer object) around every change of a slot.
 */
final class InnerMaps {

    private final SimulatedKernel kernel;
    /** The template's attributes as {@code bpf_map_meta_alloc} copies them. */
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;

    InnerMaps(SimulatedKernel kernel, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        this.kernel = kernel;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = permanentFlags(flags);
    }

    /** The meta {@code bpf_map_meta_alloc} makes of {@code template}. */
    static InnerMaps of(SimulatedKernel kernel, MapObject template) {
        return new InnerMaps(kernel, template.type, template.keySize, template.valueSize, template.maxEntries,
                template.flags);
    }

    MapType type() {
        return type;
    }

    int keySize() {
        return keySize;
    }

    int valueSize() {
        return valueSize;
    }

    int maxEntries() {
        return maxEntries;
    }

    int flags() {
        return flags;
    }

    /**
     * How the journal of a persisted kernel records the descriptor number {@code fd} of an update: the id of the
     * map it resolves to now, or {@code -errno} when it resolves to none. A replay resolves that value back
     * ({@link SimulatedKernel#replaying()}), so the journal never depends on the writer's descriptor numbers.
     * The caller holds the kernel's monitor across this and the update.
     */
    static int journalValue(SimulatedKernel kernel, int fd) {
        SimBpfMap handle = kernel.descriptor(fd);
        return handle == null ? -SimulatedKernel.fdErrno(fd) : handle.object.id;
    }

    /**
     * {@code bpf_map_flags_retain_permanent}: {@code BPF_F_RDONLY} and {@code BPF_F_WRONLY} belong to the creating
     * descriptor, not to the map, so they take no part in the comparison.
     */
    static int permanentFlags(int flags) {
        return flags & ~MapFlag.mask(MapFlag.RDONLY, MapFlag.WRONLY);
    }

    /**
     * {@code bpf_map_meta_alloc}'s refusals of a template: null when {@code template} can be one, else why
     * ({@code EINVAL} for a map-in-map, since only one level is supported; {@code ENOTSUPP} for a type without
     * {@code map_meta_equal}, which on 6.18 among creatable types is the program array).
     */
    static CreateChecks.Refusal templateRefusal(MapObject template) {
        if (CreateChecks.isMapInMap(template.type)) {
            return new CreateChecks.Refusal(MapObject.EINVAL, "the inner map template " + template.type.bpftoolName()
                    + " is itself a map-in-map; only one level of nesting is supported");
        }
        if (template.type == MapType.PROG_ARRAY) {
            return new CreateChecks.Refusal(MapObject.ENOTSUPP, "a prog_array cannot be an inner map template");
        }
        return null;
    }

    /**
     * {@code map_meta_equal}: same type, key size, value size and permanent flags; for {@code ARRAY} and
     * {@code PERCPU_ARRAY} also the same {@code max_entries}, unless the template has {@code BPF_F_INNER_MAP}.
     */
    boolean accepts(MapObject inner) {
        if (inner.type != type || inner.keySize != keySize || inner.valueSize != valueSize
                || permanentFlags(inner.flags) != flags) {
            return false;
        }
        boolean array = type == MapType.ARRAY || type == MapType.PERCPU_ARRAY;
        return !array || MapFlag.INNER_MAP.isSet(flags) || inner.maxEntries == maxEntries;
    }

    /**
     * {@code bpf_map_fd_get_ptr}: the map behind the descriptor number in {@code value} (a u32), with one more
     * reference taken; or null with the errno in {@code errno[0]}: {@code EBADF} for a number that is not open,
     * {@code EINVAL} for an open file that is not a map, or a map that does not match the template. The caller
     * holds the kernel's monitor.
     */
    MapObject acquire(ByteBuffer value, int[] errno) {
        int fd = MapObject.readU32(value, value.position());
        MapObject inner;
        if (kernel.replaying()) {
            inner = fd < 0 ? null : kernel.objectById(fd); // the journal's id, or -errno (journalValue)
            if (inner == null) {
                errno[0] = fd < 0 ? -fd : SimulatedKernel.EBADF;
                return null;
            }
        } else {
            SimBpfMap handle = kernel.descriptor(fd);
            if (handle == null) {
                errno[0] = SimulatedKernel.fdErrno(fd);
                return null;
            }
            inner = handle.object;
        }
        if (!accepts(inner)) {
            errno[0] = MapObject.EINVAL;
            return null;
        }
        inner.references++;
        return inner;
    }

    /** Drops a slot's reference ({@code bpf_map_fd_put_ptr}); null does nothing. Caller holds the kernel monitor. */
    void release(MapObject inner) {
        if (inner != null) {
            kernel.dropReference(inner);
        }
    }

    /** The map with id {@code id} that a slot refers to (a slot's reference keeps it alive). */
    MapObject byId(int id) {
        MapObject o = kernel.objectById(id);
        if (o == null) {
            throw new IllegalStateException("a map-in-map slot refers to map id " + Integer.toUnsignedString(id)
                    + ", which does not exist");
        }
        return o;
    }
}
