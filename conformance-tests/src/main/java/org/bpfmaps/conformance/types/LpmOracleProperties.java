package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;

/**
 * LPM lookups against a naive longest-prefix oracle, in the spirit of the kernel's {@code test_lpm_map.c}:
 * random prefixes (IPv4, and 9-, 16- and 64-byte data) are inserted, random addresses looked up (syscall and program
 * view) and compared with a linear scan over the inserted prefixes; then a random half is deleted and the
 * lookups are repeated. A backend runs it by subclassing with {@link #newBackend()}.
 */
public abstract class LpmOracleProperties {

    /** Opens a fresh backend. */
    protected abstract MapBackend newBackend();

    /** Whether {@code addr} lies in the prefix {@code data/plen}. */
    static boolean matches(byte[] data, int plen, byte[] addr) {
        for (int bit = 0; bit < plen; bit++) {
            int m = 0x80 >>> (bit % 8);
            if ((data[bit / 8] & m) != (addr[bit / 8] & m)) {
                return false;
            }
        }
        return true;
    }

    /** {@code data} with the bits past {@code plen} cleared (the identity of a prefix). */
    static byte[] masked(byte[] data, int plen) {
        byte[] out = data.clone();
        for (int bit = plen; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    private static String oracle(Map<String, byte[]> entries, Map<String, byte[]> dataOf, Map<String, Integer> plenOf,
                                 byte[] addr) {
        int best = -1;
        byte[] value = null;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            int plen = plenOf.get(e.getKey());
            if (plen > best && matches(dataOf.get(e.getKey()), plen, addr)) {
                best = plen;
                value = e.getValue();
            }
        }
        return value == null ? "miss" : Bytes.hex(value);
    }

    @Property(tries = 100)
    void lookupsMatchTheOracle(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int width,
                               @ForAll @IntRange(min = 1, max = 300) int prefixes) {
        SplittableRandom r = new SplittableRandom(seed);
        int dataLen = new int[] {4, 9, 16, 64}[width];
        int maxPrefix = dataLen * 8;
        try (MapBackend backend = newBackend();
             BpfMap m = backend.create(MapSpec.builder(MapType.LPM_TRIE).keySize(4 + dataLen).valueSize(4)
                     .maxEntries(prefixes).flags(MapFlag.NO_PREALLOC).build());
             ProgramView p = m.programView(0)) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            Map<String, byte[]> dataOf = new LinkedHashMap<>();
            Map<String, Integer> plenOf = new LinkedHashMap<>();
            // Addresses cluster around a few bases so that prefixes nest.
            byte[][] bases = new byte[3][dataLen];
            for (byte[] b : bases) {
                for (int i = 0; i < dataLen; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            }
            for (int i = 0; i < prefixes; i++) {
                byte[] d = bases[r.nextInt(3)].clone();
                int plen = r.nextInt(maxPrefix + 1);
                for (int bit = r.nextInt(maxPrefix + 1); bit < maxPrefix; bit++) {
                    if (r.nextBoolean()) {
                        d[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                    }
                }
                byte[] md = masked(d, plen);
                String id = plen + "/" + Bytes.hex(md);
                byte[] v = Bytes.u32(i);
                m.update(TypesLockstep.lpmKey(plen, d), v, 0);
                entries.put(id, v);
                dataOf.put(id, md);
                plenOf.put(id, plen);
            }
            checkLookups(r, m, p, bases, dataLen, maxPrefix, entries, dataOf, plenOf);
            List<String> ids = new ArrayList<>(entries.keySet());
            for (String id : ids) {
                if (r.nextBoolean()) {
                    byte[] key = TypesLockstep.lpmKey(plenOf.get(id), dataOf.get(id));
                    boolean gone = r.nextBoolean() ? m.delete(key) : p.delete(key);
                    assertEquals(true, gone, "delete " + id);
                    entries.remove(id);
                }
            }
            checkLookups(r, m, p, bases, dataLen, maxPrefix, entries, dataOf, plenOf);
        }
    }

    private void checkLookups(SplittableRandom r, BpfMap m, ProgramView p, byte[][] bases, int dataLen, int maxPrefix,
                              Map<String, byte[]> entries, Map<String, byte[]> dataOf, Map<String, Integer> plenOf) {
        for (int i = 0; i < 300; i++) {
            byte[] addr = bases[r.nextInt(3)].clone();
            for (int bit = r.nextInt(maxPrefix + 1); bit < maxPrefix; bit++) {
                if (r.nextBoolean()) {
                    addr[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                }
            }
            String expected = oracle(entries, dataOf, plenOf, addr);
            byte[] key = TypesLockstep.lpmKey(maxPrefix, addr);
            String viaSyscall = m.lookup(key).map(Bytes::hex).orElse("miss");
            assertEquals(expected, viaSyscall, "syscall lookup of " + Bytes.hex(addr));
            if (i % 3 == 0) {
                String viaProgram = p.lookup(key).map(Bytes::hex).orElse("miss");
                assertEquals(expected, viaProgram, "program lookup of " + Bytes.hex(addr));
            }
        }
    }
}
