package org.bpfmaps.codec;

import java.nio.ByteBuffer;

/**
 * A fixed-length array of scalars or records ({@code int[4]}, {@code struct point[2]}).
 *
 * <p>Exists for {@link Array} components other than {@code byte[]}; elements sit at the element size stride,
 * as in C (a struct's size is already a multiple of its alignment).
 */
final class ArrayCodec implements Codec<Object> {
    private final Class<?> componentType;
    private final int length;
    private final ScalarCodec<?> scalar; // one of scalar and element is set
    private final Codec<Object> element;
    private final int elementSize;
    private final int alignment;

    @SuppressWarnings("unchecked")
    ArrayCodec(Class<?> componentType, int length, Codec<?> elementCodec) {
        if (length < 0) {
            throw new CodecException("negative array length " + length);
        }
        this.componentType = componentType;
        this.length = length;
        this.scalar = elementCodec instanceof ScalarCodec ? (ScalarCodec<?>) elementCodec : null;
        this.element = (Codec<Object>) elementCodec;
        this.elementSize = elementCodec.size();
        this.alignment = elementCodec.alignment();
    }

    @Override
    public int size() {
        return elementSize * length;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public void encode(Object value, ByteBuffer buffer, int offset) {
        if (value == null) {
            throw new CodecException("null array for " + describe());
        }
        int n = java.lang.reflect.Array.getLength(value);
        if (n != length) {
            throw new CodecException("array of " + n + " elements for " + describe());
        }
        for (int i = 0; i < n; i++) {
            int at = offset + i * elementSize;
            try {
                if (scalar != null) {
                    scalar.encodeBits(scalar.java().getElement(value, i), buffer, at);
                } else {
                    element.encode(java.lang.reflect.Array.get(value, i), buffer, at);
                }
            } catch (CodecException e) {
                throw new CodecException("[" + i + "]: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Object decode(ByteBuffer buffer, int offset) {
        Object out = java.lang.reflect.Array.newInstance(componentType, length);
        for (int i = 0; i < length; i++) {
            int at = offset + i * elementSize;
            if (scalar != null) {
                scalar.java().setElement(out, i, scalar.decodeBits(buffer, at));
            } else {
                java.lang.reflect.Array.set(out, i, element.decode(buffer, at));
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return element.describe() + "[" + length + "]";
    }

    @Override
    public String toString() {
        return describe();
    }
}
