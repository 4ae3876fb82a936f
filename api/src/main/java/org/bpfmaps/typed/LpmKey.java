package org.bpfmaps.typed;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;
import org.bpfmaps.codec.Codecs;

/**
 * A key of an LPM trie: a prefix length in bits and the address bytes, most significant bit first.
 *
 * <p>In the map the key is {@code struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[]; }}: the prefix length
 * in host byte order, then the data in network order, {@code key_size - 4} bytes. Bits beyond the prefix are
 * kept as given (the kernel ignores them when matching). Immutable.
 */
public final class LpmKey {
    private final int prefixLength;
    private final byte[] data;

    private LpmKey(int prefixLength, byte[] data) {
        if (prefixLength < 0 || prefixLength > data.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + data.length * 8
                    + " for " + data.length + " data bytes");
        }
        this.prefixLength = prefixLength;
        this.data = data;
    }

    /**
     * The key of {@code prefixLength} bits of {@code data} (copied).
     *
     * @throws IllegalArgumentException when the prefix is longer than the data
     */
    public static LpmKey of(int prefixLength, byte[] data) {
        return new LpmKey(prefixLength, data.clone());
    }

    /** The key of an IPv4 prefix in CIDR notation, e.g. {@code 10.0.0.0/8}; without {@code /n} a /32. */
    public static LpmKey ipv4(String cidr) {
        String[] parts = splitCidr(cidr);
        byte[] address = parseIpv4(parts[0], cidr);
        return new LpmKey(parts[1] == null ? 32 : parseLength(parts[1], 32, cidr), address);
    }

    /** The key of an IPv6 prefix in CIDR notation, e.g. {@code 2001:db8::/32}; without {@code /n} a /128. */
    public static LpmKey ipv6(String cidr) {
        String[] parts = splitCidr(cidr);
        if (!parts[0].contains(":")) {
            throw new IllegalArgumentException("not an IPv6 address: " + cidr);
        }
        byte[] address;
        try {
            // a literal with ':' is parsed, never looked up in DNS
            address = InetAddress.getByName(parts[0]).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + cidr, e);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("not an IPv6 address: " + cidr);
        }
        return new LpmKey(parts[1] == null ? 128 : parseLength(parts[1], 128, cidr), address);
    }

    /** The codec of keys with {@code dataSize} address bytes ({@code key_size - 4}); lengths are checked. */
    public static Codec<LpmKey> codec(int dataSize) {
        return new KeyCodec(dataSize);
    }

    /** The prefix length in bits. */
    public int prefixLength() {
        return prefixLength;
    }

    /** A copy of the address bytes. */
    public byte[] data() {
        return data.clone();
    }

    /** Number of address bytes. */
    public int dataSize() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LpmKey && ((LpmKey) o).prefixLength == prefixLength
                && Arrays.equals(((LpmKey) o).data, data);
    }

    @Override
    public int hashCode() {
        return 31 * prefixLength + Arrays.hashCode(data);
    }

    /** CIDR notation for 4- and 16-byte data ({@code 10.0.0.0/8}), else hex bytes and the length. */
    @Override
    public String toString() {
        if (data.length == 4 || data.length == 16) {
            try {
                return InetAddress.getByAddress(data).getHostAddress() + "/" + prefixLength;
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : data) {
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.append('/').append(prefixLength).toString();
    }

    private static String[] splitCidr(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? new String[] {cidr.trim(), null}
                : new String[] {cidr.substring(0, slash).trim(), cidr.substring(slash + 1).trim()};
    }

    private static int parseLength(String text, int max, String cidr) {
        try {
            int n = Integer.parseInt(text);
            if (n < 0 || n > max) {
                throw new IllegalArgumentException("prefix length " + n + " outside 0.." + max + ": " + cidr);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + cidr, e);
        }
    }

    static byte[] parseIpv4(String text, String whole) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + whole);
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v;
            try {
                v = Integer.parseInt(octets[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + whole, e);
            }
            if (v < 0 || v > 255 || octets[i].isEmpty()) {
                throw new IllegalArgumentException("not an IPv4 address: " + whole);
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** The key layout: u32 prefix length in native order, then the data bytes. */
    private static final class KeyCodec implements Codec<LpmKey> {
        // prefix lengths are at most 128, so their Integer boxes come from the cache
        private static final Codec<Integer> PREFIX_LENGTH = Codecs.s32();
        private final int dataSize;

        KeyCodec(int dataSize) {
            if (dataSize < 1) {
                throw new CodecException("an LPM key needs at least one data byte, not " + dataSize);
            }
            this.dataSize = dataSize;
        }

        @Override
        public int size() {
            return 4 + dataSize;
        }

        @Override
        public int alignment() {
            return 4;
        }

        @Override
        public void encode(LpmKey value, ByteBuffer buffer, int offset) {
            if (value.data.length != dataSize) {
                throw new CodecException("LPM key " + value + " has " + value.data.length + " data bytes; the trie "
                        + "takes " + dataSize);
            }
            PREFIX_LENGTH.encode(value.prefixLength, buffer, offset);
            buffer.put(offset + 4, value.data);
        }

        @Override
        public LpmKey decode(ByteBuffer buffer, int offset) {
            int length = PREFIX_LENGTH.decode(buffer, offset);
            byte[] data = new byte[dataSize];
            buffer.get(offset + 4, data);
            return new LpmKey(Math.min(Math.max(length, 0), dataSize * 8), data);
        }

        @Override
        public String describe() {
            return "struct bpf_lpm_trie_key (" + dataSize + " data bytes)";
        }
    }
}
