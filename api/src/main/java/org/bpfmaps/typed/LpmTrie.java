package org.bpfmaps.typed;

import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;

/**
 * An LPM trie ({@code BPF_MAP_TYPE_LPM_TRIE}) keyed by {@link LpmKey}: prefixes in, longest-prefix matches out.
 *
 * <pre>
 * LpmTrie&lt;Integer&gt; routes = LpmTrie.of(map, Codecs.s32());
 * routes.put(LpmKey.ipv4("10.0.0.0/8"), 1);
 * routes.longestPrefixMatch("10.1.2.3"); // Optional[1]
 * </pre>
 *
 * <p>{@link #get} is the kernel's lookup: the value of the longest stored prefix that matches the key within
 * the key's own prefix length. {@link #remove} deletes an exact prefix. Iteration follows the kernel's
 * post-order walk. Threads: see {@link KeyedView}.
 *
 * @param <V> the value type
 */
public final class LpmTrie<V> extends TypedMap<LpmKey, V> {
    private final int dataSize;

    private LpmTrie(BpfMap map, Codec<V> valueCodec, int dataSize) {
        super(map, LpmKey.codec(dataSize), valueCodec);
        this.dataSize = dataSize;
    }

    /**
     * A view of the LPM trie {@code map}; keys have {@code key_size - 4} address bytes.
     *
     * @throws CodecException when the map is not an LPM trie or the value codec has the wrong size
     */
    public static <V> LpmTrie<V> of(BpfMap map, Codec<V> valueCodec) {
        if (map.type() != MapType.LPM_TRIE) {
            throw new CodecException("LpmTrie does not fit " + Views.describe(map) + "; it takes lpm_trie");
        }
        return new LpmTrie<>(map, valueCodec, map.keySize() - 4);
    }

    /** Number of address bytes in a key ({@code key_size - 4}): 4 for IPv4, 16 for IPv6. */
    public int dataSize() {
        return dataSize;
    }

    /** The value of the longest stored prefix containing {@code address} (all {@link #dataSize()} bytes). */
    public Optional<V> longestPrefixMatch(byte[] address) {
        return get(LpmKey.of(dataSize * 8, address));
    }

    /** The value of the longest stored prefix containing the IPv4 or IPv6 address {@code ipAddress}. */
    public Optional<V> longestPrefixMatch(String ipAddress) {
        LpmKey key = ipAddress.contains(":") ? LpmKey.ipv6(ipAddress) : LpmKey.ipv4(ipAddress);
        return longestPrefixMatch(key.data());
    }
}
