package org.bpfmaps.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StructCodecTest {

    record FlowKey(int srcIp, int dstIp, short srcPort, short dstPort, byte proto) {
    }

    record Mid(byte a, long b, short c) {
    }

    record Outer(byte tag, Mid inner, @Array(3) short[] xs, char c) {
    }

    @Packed
    record PackedThing(byte a, int b, long c) {
    }

    record HoldsPacked(byte x, PackedThing p, int y) {
    }

    record Point(short x, int y) {
    }

    record Arrays1(@Array(6) byte[] mac, @Array(2) long[] v, @Array(2) Point[] pts, boolean flag) {
    }

    record Narrow(@StoredAs(IntegerType.U16) int port, @StoredAs(IntegerType.U8) int proto, @Unsigned int x,
                  double d, float f, @StoredAs(IntegerType.S8) long small) {
    }

    @BigEndian
    record Network(int addr, @LittleEndian int hostValue, @StoredAs(IntegerType.U16) int port) {
    }

    @Test
    void flowKeyHasTailPaddingLikeC() {
        StructCodec<FlowKey> codec = StructCodec.of(FlowKey.class);
        assertEquals(16, codec.size());
        assertEquals(4, codec.alignment());
        assertEquals(List.of(0, 4, 8, 10, 12), offsets(codec));
        assertEquals(3, codec.paddingBytes());
    }

    @Test
    void paddingInTheMiddleAndAtTheEnd() {
        StructCodec<Mid> codec = StructCodec.of(Mid.class);
        assertEquals(List.of(0, 8, 16), offsets(codec));
        assertEquals(24, codec.size());
        assertEquals(13, codec.paddingBytes());
        assertTrue(codec.layout().contains("hole of 7 bytes"), codec.layout());
    }

    @Test
    void nestedRecordsArraysAndPacked() {
        assertEquals(List.of(0, 8, 32, 38), offsets(StructCodec.of(Outer.class)));
        assertEquals(40, StructCodec.of(Outer.class).size());
        assertEquals(List.of(0, 1, 5), offsets(StructCodec.of(PackedThing.class)));
        assertEquals(13, StructCodec.of(PackedThing.class).size());
        assertEquals(1, StructCodec.of(PackedThing.class).alignment());
        assertEquals(List.of(0, 1, 16), offsets(StructCodec.of(HoldsPacked.class)));
        assertEquals(20, StructCodec.of(HoldsPacked.class).size());
        assertEquals(List.of(0, 8, 24, 40), offsets(StructCodec.of(Arrays1.class)));
        assertEquals(48, StructCodec.of(Arrays1.class).size());
    }

    @Test
    void paddingIsZeroedOnWriteAndRoundTrips() {
        StructCodec<Outer> codec = StructCodec.of(Outer.class);
        ByteBuffer buffer = ByteBuffer.allocate(codec.size() + 8);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) 0xAA);
        }
        Outer value = new Outer((byte) -1, new Mid((byte) 2, -3L, (short) 4), new short[] {5, -6, 7}, 'z');
        codec.encode(value, buffer, 4);
        assertEquals((byte) 0xAA, buffer.get(3), "bytes before the offset untouched");
        assertEquals((byte) 0xAA, buffer.get(4 + codec.size()), "bytes after the struct untouched");
        for (int hole = 5; hole < 12; hole++) {
            assertEquals(0, buffer.get(hole), "padding byte " + (hole - 4) + " zeroed");
        }
        assertEquals(0, buffer.get(4 + 39), "tail padding zeroed");
        Outer back = codec.decode(buffer, 4);
        assertEquals(value.tag(), back.tag());
        assertEquals(value.inner(), back.inner());
        assertArrayEquals(value.xs(), back.xs());
        assertEquals('z', back.c());
        assertEquals(0, buffer.position(), "position unchanged");
    }

    @Test
    void narrowAndUnsignedFields() {
        StructCodec<Narrow> codec = StructCodec.of(Narrow.class);
        assertEquals(List.of(0, 2, 4, 8, 16, 20), offsets(codec));
        assertEquals(24, codec.size());
        Narrow value = new Narrow(65535, 255, -1, 1.5, 2.5f, -128);
        Narrow back = codec.decode(codec.encode(value));
        assertEquals(value, back);
        CodecException e = assertThrows(CodecException.class,
                () -> codec.encode(new Narrow(65536, 0, 0, 0, 0, 0)));
        assertTrue(e.getMessage().startsWith("Narrow.port: value 65536 does not fit u16 (0..65535)"),
                e.getMessage());
        e = assertThrows(CodecException.class, () -> codec.encode(new Narrow(0, -1, 0, 0, 0, 0)));
        assertTrue(e.getMessage().startsWith("Narrow.proto: value -1 does not fit u8"), e.getMessage());
        e = assertThrows(CodecException.class, () -> codec.encode(new Narrow(0, 0, 0, 0, 0, 128)));
        assertTrue(e.getMessage().startsWith("Narrow.small: value 128 does not fit s8 (-128..127)"),
                e.getMessage());
    }

    @Test
    void byteOrderPerRecordAndPerField() {
        StructCodec<Network> codec = StructCodec.of(Network.class);
        byte[] bytes = codec.encode(new Network(0x0A000001, 0x01020304, 443));
        assertArrayEquals(new byte[] {10, 0, 0, 1, 4, 3, 2, 1, 1, (byte) 0xBB, 0, 0}, bytes);
        assertEquals(new Network(0x0A000001, 0x01020304, 443), codec.decode(bytes));
    }

    @Test
    void arrayLengthIsChecked() {
        StructCodec<Arrays1> codec = StructCodec.of(Arrays1.class);
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(
                new Arrays1(new byte[5], new long[2], new Point[] {new Point((short) 1, 2), new Point((short) 3, 4)},
                        true)));
        assertTrue(e.getMessage().startsWith("Arrays1.mac: array of 5 bytes for u8[6]"), e.getMessage());
        Arrays1 ok = new Arrays1(new byte[] {1, 2, 3, 4, 5, 6}, new long[] {-1, 7},
                new Point[] {new Point((short) 1, 2), new Point((short) 3, 4)}, true);
        Arrays1 back = codec.decode(codec.encode(ok));
        assertArrayEquals(ok.mac(), back.mac());
        assertArrayEquals(ok.v(), back.v());
        assertArrayEquals(ok.pts(), back.pts());
        assertTrue(back.flag());
    }

    record WithString(int a, String name) {
    }

    record WithUnsizedArray(int a, byte[] data) {
    }

    record TooWide(@StoredAs(IntegerType.U32) short s) {
    }

    record Checked(int positive) {
        Checked {
            if (positive < 0) {
                throw new IllegalArgumentException("negative");
            }
        }
    }

    @Test
    void unsupportedFieldsAreNamed() {
        CodecException e = assertThrows(CodecException.class, () -> StructCodec.of(WithString.class));
        assertTrue(e.getMessage().startsWith("WithString.name: unsupported type java.lang.String"), e.getMessage());
        e = assertThrows(CodecException.class, () -> StructCodec.of(WithUnsizedArray.class));
        assertTrue(e.getMessage().startsWith("WithUnsizedArray.data: an array needs @Array(n)"), e.getMessage());
        e = assertThrows(CodecException.class, () -> StructCodec.of(TooWide.class));
        assertTrue(e.getMessage().startsWith("TooWide.s: @StoredAs(U32) is wider than Java short"), e.getMessage());
        e = assertThrows(CodecException.class, () -> StructCodec.of(WithString.class));
        assertTrue(e.getMessage().contains("WithString.name"), "the failure is cached and repeated");
        e = assertThrows(CodecException.class, () -> StructCodec.of(Checked.class).decode(new byte[] {-1, -1, -1, -1}));
        assertTrue(e.getMessage().startsWith("Checked: the canonical constructor refused"), e.getMessage());
    }

    @Test
    void layoutIsCachedPerClass() {
        assertSame(StructCodec.of(FlowKey.class), Codecs.struct(FlowKey.class));
    }

    @Test
    void integerCodecsOfEveryWidth() {
        assertArrayEquals(new byte[] {(byte) 0xFF}, Codecs.u8().encode(255));
        assertEquals(255, Codecs.u8().decode(new byte[] {(byte) 0xFF}));
        assertEquals((byte) -1, Codecs.s8().decode(new byte[] {(byte) 0xFF}));
        assertArrayEquals(new byte[] {0x12, 0x34}, Codecs.u16(ByteOrder.BIG_ENDIAN).encode(0x1234));
        assertArrayEquals(new byte[] {0x34, 0x12}, Codecs.u16(ByteOrder.LITTLE_ENDIAN).encode(0x1234));
        assertEquals(0xFFFF, Codecs.u16().decode(new byte[] {-1, -1}));
        assertEquals((short) -1, Codecs.s16().decode(new byte[] {-1, -1}));
        assertEquals(0xFFFF_FFFFL, Codecs.u32().decode(new byte[] {-1, -1, -1, -1}));
        assertEquals(-1, Codecs.s32().decode(new byte[] {-1, -1, -1, -1}));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, Codecs.u64(ByteOrder.BIG_ENDIAN).encode(1L));
        assertEquals(-2L, Codecs.s64(ByteOrder.LITTLE_ENDIAN).decode(new byte[] {-2, -1, -1, -1, -1, -1, -1, -1}));
        assertThrows(CodecException.class, () -> Codecs.u8().encode(256));
        assertThrows(CodecException.class, () -> Codecs.u32().encode(1L << 32));
        assertThrows(CodecException.class, () -> Codecs.u16().encode(-1));
        assertEquals(-1L, Codecs.u64().decode(Codecs.u64().encode(-1L)));
        assertEquals((char) 7, Codecs.integer(IntegerType.U8, Character.class, ByteOrder.BIG_ENDIAN)
                .decode(new byte[] {7}));
        CodecException e = assertThrows(CodecException.class, () -> Codecs.bytes(4).decode(new byte[3]));
        assertTrue(e.getMessage().contains("needs 4 bytes, got 3"), e.getMessage());
    }

    @Test
    void encodingIgnoresTheBuffersOwnOrder() {
        ByteBuffer big = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
        Codecs.s32(ByteOrder.LITTLE_ENDIAN).encode(1, big, 0);
        assertEquals(1, big.get(0));
        assertEquals(ByteOrder.BIG_ENDIAN, big.order());
    }

    /** Offsets of the fields in declaration order. */
    static List<Integer> offsets(StructCodec<?> codec) {
        return codec.fields().stream().map(StructCodec.Field::offset).collect(Collectors.toList());
    }

    /** Field name to offset. */
    static Map<String, Integer> offsetMap(StructCodec<?> codec) {
        return codec.fields().stream().collect(Collectors.toMap(StructCodec.Field::name, StructCodec.Field::offset));
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    static String joined(int[] values) {
        return Arrays.toString(values);
    }
}
