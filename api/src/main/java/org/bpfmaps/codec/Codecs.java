package org.bpfmaps.codec;

import java.nio.ByteOrder;

/**
 * Factories for the common codecs: integers of every C width and byte order, byte arrays and records.
 *
 * <p>Methods without a {@link ByteOrder} use the native order of the running machine, which is what a BPF
 * program on the same machine reads and writes. Unsigned types decode into a Java type wide enough to hold
 * them ({@code u8}, {@code u16} into {@code Integer}, {@code u32} into {@code Long}) except {@code u64}, whose
 * {@code Long} carries the bits (read it with {@link Long#toUnsignedString(long)}).
 */
public final class Codecs {
    private Codecs() {
    }

    /** {@code u8} as an {@code Integer} in {@code 0..255}. */
    public static Codec<Integer> u8() {
        return new ScalarCodec<>(JavaScalar.INT, IntegerType.U8, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code s8} as a {@code Byte}. */
    public static Codec<Byte> s8() {
        return new ScalarCodec<>(JavaScalar.BYTE, IntegerType.S8, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code u16}, native order, as an {@code Integer} in {@code 0..65535}. */
    public static Codec<Integer> u16() {
        return u16(ByteOrder.nativeOrder());
    }

    /** {@code u16} in {@code order}, as an {@code Integer} in {@code 0..65535}. */
    public static Codec<Integer> u16(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.INT, IntegerType.U16, order);
    }

    /** {@code s16}, native order, as a {@code Short}. */
    public static Codec<Short> s16() {
        return s16(ByteOrder.nativeOrder());
    }

    /** {@code s16} in {@code order}, as a {@code Short}. */
    public static Codec<Short> s16(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.SHORT, IntegerType.S16, order);
    }

    /** {@code u32}, native order, as a {@code Long} in {@code 0..2^32-1}. */
    public static Codec<Long> u32() {
        return u32(ByteOrder.nativeOrder());
    }

    /** {@code u32} in {@code order}, as a {@code Long} in {@code 0..2^32-1}. */
    public static Codec<Long> u32(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.LONG, IntegerType.U32, order);
    }

    /** {@code s32}, native order, as an {@code Integer}. */
    public static Codec<Integer> s32() {
        return s32(ByteOrder.nativeOrder());
    }

    /** {@code s32} in {@code order}, as an {@code Integer}. */
    public static Codec<Integer> s32(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.INT, IntegerType.S32, order);
    }

    /** {@code u64}, native order, as the bits in a {@code Long}. */
    public static Codec<Long> u64() {
        return u64(ByteOrder.nativeOrder());
    }

    /** {@code u64} in {@code order}, as the bits in a {@code Long}. */
    public static Codec<Long> u64(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.LONG, IntegerType.U64, order);
    }

    /** {@code s64}, native order, as a {@code Long}. */
    public static Codec<Long> s64() {
        return s64(ByteOrder.nativeOrder());
    }

    /** {@code s64} in {@code order}, as a {@code Long}. */
    public static Codec<Long> s64(ByteOrder order) {
        return new ScalarCodec<>(JavaScalar.LONG, IntegerType.S64, order);
    }

    /**
     * The C integer {@code stored} as the Java type {@code javaType}, in {@code order}.
     *
     * <p>{@code javaType} is {@code Byte}, {@code Short}, {@code Character}, {@code Integer} or {@code Long}.
     *
     * @throws CodecException when {@code stored} is wider than {@code javaType}
     */
    public static <T> Codec<T> integer(IntegerType stored, Class<T> javaType, ByteOrder order) {
        JavaScalar scalar = JavaScalar.of(javaType);
        if (scalar == null || !scalar.isInteger()) {
            throw new CodecException(javaType.getName() + " is not an integer type");
        }
        return new ScalarCodec<>(scalar, stored, order);
    }

    /** A {@code byte[]} of exactly {@code length} bytes, copied as is. */
    public static Codec<byte[]> bytes(int length) {
        return new ByteArrayCodec(length);
    }

    /** The record {@code type} as a C struct; see {@link StructCodec}. */
    public static <R extends Record> StructCodec<R> struct(Class<R> type) {
        return StructCodec.of(type);
    }

    /**
     * The default codec for a Java type, as the JUnit extension and quick scripts use it.
     *
     * <p>Records become structs, {@code Byte}/{@code Short}/{@code Integer}/{@code Long} become
     * {@code s8}/{@code s16}/{@code s32}/{@code s64}, {@code Character} {@code u16}, {@code Boolean} a one-byte
     * bool, {@code Float}/{@code Double} themselves, all in native order.
     *
     * @throws CodecException for any other type (e.g. {@code byte[]}, whose length only the caller knows)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> Codec<T> forType(Class<T> type) {
        if (type.isRecord()) {
            return (Codec<T>) StructCodec.of((Class) type);
        }
        JavaScalar scalar = JavaScalar.of(type);
        if (scalar == null) {
            throw new CodecException("no default codec for " + type.getName() + "; pass a codec (e.g. "
                    + "Codecs.bytes(n) for byte arrays)");
        }
        return new ScalarCodec<>(scalar, scalar.defaultType, ByteOrder.nativeOrder());
    }
}
