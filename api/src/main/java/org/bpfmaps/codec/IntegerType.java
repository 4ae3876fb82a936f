package org.bpfmaps.codec;

/** The C integer types a field can be stored as: width in bytes and signedness. */
public enum IntegerType {
    /** {@code __u8}. */
    U8(1, false),
    /** {@code __s8}. */
    S8(1, true),
    /** {@code __u16}. */
    U16(2, false),
    /** {@code __s16}. */
    S16(2, true),
    /** {@code __u32}. */
    U32(4, false),
    /** {@code __s32}. */
    S32(4, true),
    /** {@code __u64}. */
    U64(8, false),
    /** {@code __s64}. */
    S64(8, true);

    private final int size;
    private final boolean signed;

    IntegerType(int size, boolean signed) {
        this.size = size;
        this.signed = signed;
    }

    /** Width in bytes, which is also the alignment. */
    public int size() {
        return size;
    }

    /** Whether the type is signed (two's complement). */
    public boolean isSigned() {
        return signed;
    }

    /** The smallest value the type holds, as a Java {@code long} ({@code 0} for unsigned types). */
    public long min() {
        return signed ? -(1L << (size * 8 - 1)) : 0;
    }

    /** The largest value the type holds; for {@link #U64} this is {@code -1}, the bits of 2^64-1. */
    public long max() {
        if (size == 8) {
            return signed ? Long.MAX_VALUE : -1L;
        }
        return signed ? (1L << (size * 8 - 1)) - 1 : (1L << (size * 8)) - 1;
    }

    /** The type of the given width and signedness. */
    public static IntegerType of(int size, boolean signed) {
        for (IntegerType t : values()) {
            if (t.size == size && t.signed == signed) {
                return t;
            }
        }
        throw new CodecException("no integer type of " + size + " bytes");
    }

    /** The lower-case C name, e.g. {@code u16}. */
    public String cName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
