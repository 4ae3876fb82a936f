package org.bpfmaps.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Java scalar stored as a C integer (of any width up to the Java width) or as a C float/double.
 *
 * <p>Exists as the one place for range checks and sign/zero extension, used by the public integer codecs,
 * by record components and by array elements.
 */
final class ScalarCodec<T> implements Codec<T> {
    private final JavaScalar java;
    private final IntegerType stored; // null for float and double
    private final ByteOrder order;
    private final int size;

    ScalarCodec(JavaScalar java, IntegerType stored, ByteOrder order) {
        this.java = java;
        this.stored = stored;
        this.order = order;
        this.size = stored == null ? java.width : stored.size();
        if (stored != null && stored.size() > java.width) {
            throw new CodecException(stored.cName() + " is wider than Java " + java.primitive
                    + "; use a wider Java type");
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int alignment() {
        return size;
    }

    @Override
    public void encode(T value, ByteBuffer buffer, int offset) {
        if (value == null) {
            throw new CodecException("null " + java.primitive + " for " + describe());
        }
        encodeBits(java.toLong(value), buffer, offset);
    }

    /** Writes the Java value given as bits ({@link JavaScalar#toLong}), after the range check. */
    void encodeBits(long bits, ByteBuffer buffer, int offset) {
        if (stored != null && stored.size() < java.width) {
            // narrower C type: the Java value must fit; chars and booleans are already non-negative
            if (bits < stored.min() || bits > stored.max()) {
                throw new CodecException("value " + bits + " does not fit " + stored.cName() + " (" + stored.min()
                        + ".." + stored.max() + ")");
            }
        }
        Bytes.write(buffer, offset, size, order, bits);
    }

    /** Reads the stored value, extended as the C type says, as bits of the Java type. */
    long decodeBits(ByteBuffer buffer, int offset) {
        boolean signed = stored == null || stored.isSigned();
        return Bytes.read(buffer, offset, size, signed, order);
    }

    @SuppressWarnings("unchecked")
    @Override
    public T decode(ByteBuffer buffer, int offset) {
        return (T) java.fromLong(decodeBits(buffer, offset));
    }

    JavaScalar java() {
        return java;
    }

    @Override
    public String describe() {
        String c;
        if (stored == null) {
            c = java == JavaScalar.FLOAT ? "float" : "double";
        } else if (java == JavaScalar.BOOLEAN) {
            c = "bool";
        } else {
            c = stored.cName();
        }
        return size == 1 ? c : c + Bytes.orderSuffix(order);
    }

    @Override
    public String toString() {
        return describe();
    }
}
