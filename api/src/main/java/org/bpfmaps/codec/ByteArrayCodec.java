package org.bpfmaps.codec;

import java.nio.ByteBuffer;

/** A fixed-length {@code byte[]}, copied in bulk; exists because bulk copies beat per-element access. */
final class ByteArrayCodec implements Codec<byte[]> {
    private final int length;

    ByteArrayCodec(int length) {
        if (length < 0) {
            throw new CodecException("negative byte array length " + length);
        }
        this.length = length;
    }

    @Override
    public int size() {
        return length;
    }

    @Override
    public int alignment() {
        return 1;
    }

    @Override
    public void encode(byte[] value, ByteBuffer buffer, int offset) {
        if (value == null) {
            throw new CodecException("null array for " + describe());
        }
        if (value.length != length) {
            throw new CodecException("array of " + value.length + " bytes for " + describe());
        }
        buffer.put(offset, value);
    }

    @Override
    public byte[] decode(ByteBuffer buffer, int offset) {
        byte[] out = new byte[length];
        buffer.get(offset, out);
        return out;
    }

    @Override
    public String describe() {
        return "u8[" + length + "]";
    }

    @Override
    public String toString() {
        return describe();
    }
}
