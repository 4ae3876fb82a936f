package org.bpfmaps.typed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;
import org.junit.jupiter.api.Test;

class LpmKeyTest {

    @Test
    void parsesIpv4AndIpv6Prefixes() {
        LpmKey v4 = LpmKey.ipv4("10.1.0.0/16");
        assertEquals(16, v4.prefixLength());
        assertArrayEquals(new byte[] {10, 1, 0, 0}, v4.data());
        assertEquals("10.1.0.0/16", v4.toString());
        assertEquals(32, LpmKey.ipv4("192.168.1.1").prefixLength());
        LpmKey v6 = LpmKey.ipv6("2001:db8::/32");
        assertEquals(16, v6.dataSize());
        assertEquals(0x20, v6.data()[0]);
        assertEquals(0x0d, v6.data()[2]);
        assertEquals("2001:db8:0:0:0:0:0:0/32", v6.toString());
        assertEquals(LpmKey.of(8, new byte[] {10, 0, 0, 0}), LpmKey.ipv4("10.0.0.0/8"));
        assertNotEquals(LpmKey.ipv4("10.0.0.0/8"), LpmKey.ipv4("10.0.0.0/9"));
        assertEquals("0x0a0b/12", LpmKey.of(12, new byte[] {10, 11}).toString());
    }

    @Test
    void refusesWhatIsNotAPrefix() {
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("10.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("10.0.0.256/8"));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("example.com"));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv6("10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.of(17, new byte[2]));
    }

    @Test
    void keyLayoutIsHostOrderPrefixThenData() {
        Codec<LpmKey> codec = LpmKey.codec(4);
        assertEquals(8, codec.size());
        byte[] bytes = codec.encode(LpmKey.ipv4("192.168.0.0/16"));
        assertEquals(16, ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(0));
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 0, 0},
                java.util.Arrays.copyOfRange(bytes, 4, 8));
        assertEquals(LpmKey.ipv4("192.168.0.0/16"), codec.decode(bytes));
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(LpmKey.ipv6("::/0")));
        assertTrue(e.getMessage().contains("has 16 data bytes; the trie takes 4"), e.getMessage());
    }
}
