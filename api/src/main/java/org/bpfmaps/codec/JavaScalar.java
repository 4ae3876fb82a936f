package org.bpfmaps.codec;

/**
 * The Java scalar types a codec can map to a C scalar, with their width and default C type.
 *
 * <p>Exists to keep the per-type conversions (boxing, range checks, array element access) in one switch.
 */
enum JavaScalar {
    BYTE(byte.class, Byte.class, 1, IntegerType.S8),
    SHORT(short.class, Short.class, 2, IntegerType.S16),
    CHAR(char.class, Character.class, 2, IntegerType.U16),
    INT(int.class, Integer.class, 4, IntegerType.S32),
    LONG(long.class, Long.class, 8, IntegerType.S64),
    BOOLEAN(boolean.class, Boolean.class, 1, IntegerType.U8),
    FLOAT(float.class, Float.class, 4, null),
    DOUBLE(double.class, Double.class, 8, null);

    final Class<?> primitive;
    final Class<?> boxed;
    final int width;
    final IntegerType defaultType;

    JavaScalar(Class<?> primitive, Class<?> boxed, int width, IntegerType defaultType) {
        this.primitive = primitive;
        this.boxed = boxed;
        this.width = width;
        this.defaultType = defaultType;
    }

    boolean isInteger() {
        return defaultType != null && this != BOOLEAN;
    }

    /** The scalar for a primitive or boxed class, or null. */
    static JavaScalar of(Class<?> type) {
        for (JavaScalar s : values()) {
            if (s.primitive == type || s.boxed == type) {
                return s;
            }
        }
        return null;
    }

    /** The bits of an integer, boolean or character value as a Java long (chars zero-extended). */
    long toLong(Object value) {
        switch (this) {
            case CHAR:
                return (Character) value;
            case BOOLEAN:
                return ((Boolean) value) ? 1 : 0;
            case FLOAT:
                return Float.floatToRawIntBits((Float) value);
            case DOUBLE:
                return Double.doubleToRawLongBits((Double) value);
            default:
                return ((Number) value).longValue();
        }
    }

    /** The boxed value of this type with the low bits of {@code bits}. */
    Object fromLong(long bits) {
        switch (this) {
            case BYTE:
                return (byte) bits;
            case SHORT:
                return (short) bits;
            case CHAR:
                return (char) bits;
            case INT:
                return (int) bits;
            case LONG:
                return bits;
            case BOOLEAN:
                return bits != 0;
            case FLOAT:
                return Float.intBitsToFloat((int) bits);
            default:
                return Double.longBitsToDouble(bits);
        }
    }

    /** Element {@code i} of a primitive array of this type, as bits. */
    long getElement(Object array, int i) {
        switch (this) {
            case BOOLEAN:
                return java.lang.reflect.Array.getBoolean(array, i) ? 1 : 0;
            case FLOAT:
                return Float.floatToRawIntBits(java.lang.reflect.Array.getFloat(array, i));
            case DOUBLE:
                return Double.doubleToRawLongBits(java.lang.reflect.Array.getDouble(array, i));
            case CHAR:
                return java.lang.reflect.Array.getChar(array, i);
            default:
                return java.lang.reflect.Array.getLong(array, i);
        }
    }

    /** Sets element {@code i} of a primitive array of this type from bits. */
    void setElement(Object array, int i, long bits) {
        switch (this) {
            case BYTE:
                ((byte[]) array)[i] = (byte) bits;
                break;
            case SHORT:
                ((short[]) array)[i] = (short) bits;
                break;
            case CHAR:
                ((char[]) array)[i] = (char) bits;
                break;
            case INT:
                ((int[]) array)[i] = (int) bits;
                break;
            case LONG:
                ((long[]) array)[i] = bits;
                break;
            case BOOLEAN:
                ((boolean[]) array)[i] = bits != 0;
                break;
            case FLOAT:
                ((float[]) array)[i] = Float.intBitsToFloat((int) bits);
                break;
            default:
                ((double[]) array)[i] = Double.longBitsToDouble(bits);
                break;
        }
    }
}
