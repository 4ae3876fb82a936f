package org.bpfmaps.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Java record encoded as the C struct with the same fields in the same order.
 *
 * <p>The layout follows the C compilers of x86_64 and aarch64 (LP64): each field at the next multiple of its
 * alignment, the struct's size rounded up to its largest field alignment, {@code long} and {@code double}
 * 8-byte aligned. Component types map to C types like this:
 * <table class="striped">
 *   <caption>Default C type of each component type</caption>
 *   <tr><th>Java</th><th>C</th></tr>
 *   <tr><td>{@code byte}, {@code short}, {@code int}, {@code long}</td><td>{@code s8}, {@code s16}, {@code s32},
 *       {@code s64}; another width or signedness with {@link StoredAs} or {@link Unsigned}</td></tr>
 *   <tr><td>{@code char}</td><td>{@code u16}</td></tr>
 *   <tr><td>{@code boolean}</td><td>{@code bool} (one byte, 0 or 1)</td></tr>
 *   <tr><td>{@code float}, {@code double}</td><td>{@code float}, {@code double}</td></tr>
 *   <tr><td>a record</td><td>the nested struct</td></tr>
 *   <tr><td>an array with {@link Array}{@code (n)}</td><td>a fixed array of {@code n} elements</td></tr>
 * </table>
 * {@link Packed} removes all padding; {@link BigEndian} and {@link LittleEndian} choose the byte order of a
 * field or of a whole record (default: native). Padding bytes are written as zeros, so equal records give
 * equal keys. Decoding calls the canonical constructor, so a record's own validation runs.
 *
 * <p>Get one with {@link #of(Class)}; layouts are computed once per record class and cached.
 *
 * @param <R> the record type
 */
public final class StructCodec<R extends Record> implements Codec<R> {

    /**
     * One field of the layout.
     *
     * @param name      the record component's name
     * @param offset    byte offset in the struct
     * @param size      bytes the field takes
     * @param alignment the alignment used to place it (1 in a packed struct)
     * @param cType     the C type, as {@link Codec#describe()} gives it
     */
    public record Field(String name, int offset, int size, int alignment, String cType) {
    }

    private static final ClassValue<Object> CACHE = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return build(type);
            } catch (CodecException e) {
                return e; // cached too: the class will not change
            }
        }
    };
    private static final ThreadLocal<Set<Class<?>>> IN_PROGRESS = ThreadLocal.withInitial(HashSet::new);

    private final Class<R> type;
    private final String name;
    private final Member[] members;
    private final int[] paddingStarts;
    private final int[] paddingLengths;
    private final int size;
    private final int alignment;
    private final boolean packed;
    private final MethodHandle constructor;

    /**
     * One component: its codec and accessor; integer components also get an accessor widened to {@code long}
     * and their scalar codec, so encoding them boxes nothing.
     */
    private record Member(String name, int offset, Codec<Object> codec, MethodHandle accessor,
                          ScalarCodec<?> scalar, MethodHandle longAccessor) {
    }

    private StructCodec(Class<R> type, Member[] members, int size, int alignment, boolean packed,
                        MethodHandle constructor) {
        this.type = type;
        this.name = type.getSimpleName();
        this.members = members;
        this.size = size;
        this.alignment = alignment;
        this.packed = packed;
        this.constructor = constructor;
        List<int[]> gaps = new ArrayList<>();
        int end = 0;
        for (Member m : members) {
            if (m.offset > end) {
                gaps.add(new int[] {end, m.offset - end});
            }
            end = m.offset + m.codec.size();
        }
        if (size > end) {
            gaps.add(new int[] {end, size - end});
        }
        paddingStarts = gaps.stream().mapToInt(g -> g[0]).toArray();
        paddingLengths = gaps.stream().mapToInt(g -> g[1]).toArray();
    }

    /**
     * The codec of {@code type}, computed on first use and cached.
     *
     * @throws CodecException naming the record and field when a component cannot be laid out
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> StructCodec<R> of(Class<R> type) {
        if (!type.isRecord()) {
            throw new CodecException(type.getName() + " is not a record");
        }
        Object cached = CACHE.get(type);
        if (cached instanceof CodecException) {
            CodecException e = (CodecException) cached;
            throw new CodecException(e.getMessage(), e);
        }
        return (StructCodec<R>) cached;
    }

    /** The record class. */
    public Class<R> recordType() {
        return type;
    }

    /** The fields in declaration order, with their offsets. */
    public List<Field> fields() {
        List<Field> out = new ArrayList<>(members.length);
        for (Member m : members) {
            out.add(new Field(m.name, m.offset, m.codec.size(), packed ? 1 : m.codec.alignment(),
                    m.codec.describe()));
        }
        return Collections.unmodifiableList(out);
    }

    /** Bytes of padding the struct holds (between fields and at the end). */
    public int paddingBytes() {
        int sum = 0;
        for (int len : paddingLengths) {
            sum += len;
        }
        return sum;
    }

    /** Whether the record is {@link Packed}. */
    public boolean isPacked() {
        return packed;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public void encode(R value, ByteBuffer buffer, int offset) {
        if (value == null) {
            throw new CodecException("null " + name);
        }
        for (int i = 0; i < paddingStarts.length; i++) {
            Bytes.zero(buffer, offset + paddingStarts[i], paddingLengths[i]);
        }
        for (Member m : members) {
            if (m.longAccessor != null) {
                long bits;
                try {
                    bits = (long) m.longAccessor.invokeExact((Object) value);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new CodecException(name + "." + m.name + ": accessor failed", e);
                }
                try {
                    m.scalar.encodeBits(bits, buffer, offset + m.offset);
                } catch (CodecException e) {
                    throw new CodecException(name + "." + m.name + ": " + e.getMessage(), e);
                }
                continue;
            }
            Object field;
            try {
                field = (Object) m.accessor.invokeExact((Object) value);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new CodecException(name + "." + m.name + ": accessor failed", e);
            }
            try {
                m.codec.encode(field, buffer, offset + m.offset);
            } catch (CodecException e) {
                throw new CodecException(name + "." + m.name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public R decode(ByteBuffer buffer, int offset) {
        Object[] args = new Object[members.length];
        for (int i = 0; i < members.length; i++) {
            args[i] = members[i].codec.decode(buffer, offset + members[i].offset);
        }
        try {
            return type.cast((Object) constructor.invokeExact(args));
        } catch (Throwable e) {
            throw new CodecException(name + ": the canonical constructor refused the decoded values: " + e, e);
        }
    }

    @Override
    public String describe() {
        return "struct " + name;
    }

    /**
     * The layout as text, one field a line with offset and size, holes marked, like {@code pahole} prints it.
     */
    public String layout() {
        StringBuilder sb = new StringBuilder(describe()).append(packed ? " (packed)" : "").append(" {\n");
        int end = 0;
        for (Member m : members) {
            if (m.offset > end) {
                sb.append("    /* hole of ").append(m.offset - end).append(" bytes */\n");
            }
            sb.append("    ").append(m.codec.describe()).append(' ').append(m.name)
                    .append("; /* offset ").append(m.offset).append(", size ").append(m.codec.size()).append(" */\n");
            end = m.offset + m.codec.size();
        }
        if (size > end) {
            sb.append("    /* padding of ").append(size - end).append(" bytes */\n");
        }
        return sb.append("}; /* size ").append(size).append(", alignment ").append(alignment).append(" */").toString();
    }

    @Override
    public String toString() {
        return describe() + " (" + size + " bytes)";
    }

    // ---- layout computation, once per class ----------------------------------------------------------

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static StructCodec<?> build(Class<?> type) {
        Set<Class<?>> inProgress = IN_PROGRESS.get();
        if (!inProgress.add(type)) {
            throw new CodecException(type.getSimpleName() + " contains itself; a C struct cannot");
        }
        try {
            String recordName = type.getSimpleName();
            RecordComponent[] components = type.getRecordComponents();
            if (components.length == 0) {
                throw new CodecException(recordName + " has no components; an empty C struct has no size");
            }
            boolean packed = type.isAnnotationPresent(Packed.class);
            ByteOrder recordOrder = orderOf(type.isAnnotationPresent(BigEndian.class),
                    type.isAnnotationPresent(LittleEndian.class), ByteOrder.nativeOrder(), recordName);
            Member[] members = new Member[components.length];
            Class<?>[] types = new Class<?>[components.length];
            int offset = 0;
            int maxAlignment = 1;
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                String where = recordName + "." + c.getName();
                Codec<?> codec;
                try {
                    codec = componentCodec(c, recordOrder);
                } catch (CodecException e) {
                    throw new CodecException(where + ": " + e.getMessage(), e);
                }
                int align = packed ? 1 : codec.alignment();
                offset = Bytes.roundUp(offset, align);
                ScalarCodec<?> scalar = null;
                MethodHandle longAccessor = null;
                if (codec instanceof ScalarCodec && ((ScalarCodec<?>) codec).java().isInteger()) {
                    scalar = (ScalarCodec<?>) codec;
                    longAccessor = accessor(c, where, long.class);
                }
                members[i] = new Member(c.getName(), offset, (Codec<Object>) codec, accessor(c, where, Object.class),
                        scalar, longAccessor);
                offset += codec.size();
                maxAlignment = Math.max(maxAlignment, align);
                types[i] = c.getType();
            }
            int size = Bytes.roundUp(offset, maxAlignment);
            return new StructCodec(type, members, size, maxAlignment, packed, constructor(type, types, recordName));
        } finally {
            inProgress.remove(type);
        }
    }

    private static ByteOrder orderOf(boolean big, boolean little, ByteOrder otherwise, String where) {
        if (big && little) {
            throw new CodecException(where + " is marked both @BigEndian and @LittleEndian");
        }
        return big ? ByteOrder.BIG_ENDIAN : little ? ByteOrder.LITTLE_ENDIAN : otherwise;
    }

    private static Codec<?> componentCodec(RecordComponent c, ByteOrder recordOrder) {
        Class<?> t = c.getType();
        ByteOrder order = orderOf(c.isAnnotationPresent(BigEndian.class), c.isAnnotationPresent(LittleEndian.class),
                recordOrder, "the component");
        StoredAs storedAs = c.getAnnotation(StoredAs.class);
        boolean unsigned = c.isAnnotationPresent(Unsigned.class);
        Array array = c.getAnnotation(Array.class);
        if (storedAs != null && unsigned) {
            throw new CodecException("use either @StoredAs or @Unsigned, not both");
        }
        if (t.isArray()) {
            if (array == null) {
                throw new CodecException("an array needs @Array(n) to give its C length");
            }
            Class<?> element = t.getComponentType();
            if (element == byte.class && storedAs == null && !unsigned) {
                return new ByteArrayCodec(array.value());
            }
            return new ArrayCodec(element, array.value(), elementCodec(element, storedAs, unsigned, order));
        }
        if (array != null) {
            throw new CodecException("@Array is only for array components, not " + t.getName());
        }
        return elementCodec(t, storedAs, unsigned, order);
    }

    private static Codec<?> elementCodec(Class<?> t, StoredAs storedAs, boolean unsigned, ByteOrder order) {
        if (t.isRecord()) {
            if (storedAs != null || unsigned) {
                throw new CodecException("@StoredAs and @Unsigned apply to integers, not to " + t.getSimpleName());
            }
            return of(t.asSubclass(Record.class));
        }
        JavaScalar scalar = t.isPrimitive() ? JavaScalar.of(t) : null;
        if (scalar == null) {
            throw new CodecException("unsupported type " + t.getName() + "; supported are byte, short, char, int, "
                    + "long, boolean, float, double, records, and arrays of them with @Array(n)");
        }
        if (!scalar.isInteger() && (storedAs != null || unsigned)) {
            throw new CodecException("@StoredAs and @Unsigned apply to integers, not to " + t.getName());
        }
        IntegerType stored = scalar.defaultType;
        if (storedAs != null) {
            stored = storedAs.value();
            if (stored.size() > scalar.width) {
                throw new CodecException("@StoredAs(" + stored + ") is wider than Java " + t.getName()
                        + "; use a Java type at least " + stored.size() + " bytes wide");
            }
        } else if (unsigned) {
            stored = IntegerType.of(scalar.width, false);
        }
        return new ScalarCodec<>(scalar, stored, order);
    }

    private static MethodHandle accessor(RecordComponent c, String where, Class<?> returnType) {
        try {
            var method = c.getAccessor();
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method)
                    .asType(MethodType.methodType(returnType, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CodecException(where + ": cannot read the component (" + e + "); make the record accessible "
                    + "to bpfmaps (public, or its package opened to org.bpfmaps)", e);
        }
    }

    private static MethodHandle constructor(Class<?> type, Class<?>[] types, String recordName) {
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(ctor)
                    .asSpreader(Object[].class, types.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CodecException(recordName + ": cannot call the canonical constructor (" + e + "); make the "
                    + "record accessible to bpfmaps (public, or its package opened to org.bpfmaps)", e);
        }
    }
}
