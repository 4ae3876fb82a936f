package org.bpfmaps.simulator.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

class LpmTrieMapTest {

    private static final int ENOENT = 2;
    private static final int EEXIST = 17;
    private static final int EINVAL = 22;
    private static final int ENOTSUPP = 524;

    private static MapSpec.Builder lpm(int keySize, int valueSize, int maxEntries) {
        return MapSpec.builder(MapType.LPM_TRIE).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries)
                .flags(MapFlag.NO_PREALLOC);
    }

    @Test
    void createChecks() {
        assertEquals(0, LpmTrieMap.checkCreate(lpm(8, 4, 1).build()));
        assertEquals(0, LpmTrieMap.checkCreate(lpm(5, 1, 1).build()));
        assertEquals(0, LpmTrieMap.checkCreate(lpm(260, 64 << 10, 1).build()));
        assertEquals(0, LpmTrieMap.checkCreate(lpm(8, 4, 1).flags(MapFlag.NO_PREALLOC, MapFlag.NUMA_NODE,
                MapFlag.RDONLY, MapFlag.RDONLY_PROG).build()));
        assertNull(LpmTrieMap.explainCreate(lpm(8, 4, 1).build()));
        // key_size 5..260
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(4, 4, 1).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(261, 4, 1).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(0, 4, 1).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(-1, 4, 1).build()));
        // value_size 1 .. 4 MiB - 256 - 24
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 0, 1).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4 << 20, 1).build()));
        assertEquals(0, LpmTrieMap.checkCreate(lpm(8, (4 << 20) - 280, 1).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, (4 << 20) - 279, 1).build()));
        // max_entries >= 1; NO_PREALLOC mandatory; ZERO_SEED / MMAPABLE refused; RDONLY_PROG|WRONLY_PROG refused
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4, 0).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4, 1).flags(0).build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4, 1).flags(MapFlag.NO_PREALLOC, MapFlag.ZERO_SEED)
                .build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4, 1).flags(MapFlag.NO_PREALLOC, MapFlag.MMAPABLE)
                .build()));
        assertEquals(EINVAL, LpmTrieMap.checkCreate(lpm(8, 4, 1).flags(MapFlag.NO_PREALLOC, MapFlag.RDONLY_PROG,
                MapFlag.WRONLY_PROG).build()));
    }

    private static ByteBuffer key(String address, int prefixlen) {
        return ByteBuffer.wrap(LpmTrieTest.v4(address, prefixlen));
    }

    private static ByteBuffer val(int v) {
        return ByteBuffer.wrap(LpmTrieTest.val(v));
    }

    @Test
    void matrixRow() {
        LpmTrieMap m = new LpmTrieMap(lpm(8, 4, 8).build());
        ByteBuffer out = ByteBuffer.allocate(4);
        ByteBuffer next = ByteBuffer.allocate(8);
        assertEquals(ENOENT, m.lookup(key("0.0.0.0", 32), out));            // lk0
        assertEquals(ENOENT, m.nextKey(null, next));                        // gnk0
        assertEquals(0, m.update(key("0.0.0.0", 32), val(0), 0));           // upd
        assertEquals(0, m.lookup(key("0.0.0.0", 32), out));                 // lk1
        assertEquals(EEXIST, m.update(key("0.0.0.0", 32), val(0), 1));      // upNOEX
        assertEquals(0, m.update(key("0.0.0.0", 32), val(0), 2));           // upEX
        assertEquals(EINVAL, m.update(key("0.0.0.0", 32), val(0), 8));      // upCPU8
        assertEquals(EINVAL, m.update(key("0.0.0.0", 32), val(0), 0x20));   // up0x20
        assertEquals(0, m.nextKey(null, next));                             // gnkN
        assertEquals(ENOENT, m.nextKey(key("0.0.0.0", 32), next));          // gnkK
        assertEquals(ENOTSUPP, m.lookupAndDelete(key("0.0.0.0", 32), out)); // lad
        byte[] allOnes = {-1, -1, -1, -1, -1, -1, -1, -1};
        assertEquals(0, m.nextKey(ByteBuffer.wrap(allOnes), next));         // gnkBad -> first
        assertArrayEquals(LpmTrieTest.v4("0.0.0.0", 32), next.array());
        assertEquals(0, m.delete(key("0.0.0.0", 32)));                      // del
        assertEquals(ENOENT, m.delete(key("0.0.0.0", 32)));                 // del2
        assertEquals(0, m.memlock());
        m.update(key("10.0.0.0", 8), val(1), 0);
        assertEquals(32, m.memlock(), "bpftool's demo: key 8, value 4, one entry -> memlock 32B");
        // Program helpers: lookup/update/delete as the syscalls, push/pop/peek refused.
        assertEquals(0, m.programLookup(key("10.1.2.3", 32), out, 0));
        assertArrayEquals(LpmTrieTest.val(1), out.array());
        assertEquals(EINVAL, m.programUpdate(key("10.0.0.0", 8), val(1), 4, 0));
        assertEquals(EINVAL, m.programPush(val(1), 0));
        assertEquals(EINVAL, m.programPop(out));
        assertEquals(EINVAL, m.programPeek(out));
        assertEquals(0, m.programDelete(key("10.0.0.0", 8)));
    }

    @Test
    void buffersAreUsedAtTheirPosition() {
        LpmTrieMap m = new LpmTrieMap(lpm(8, 4, 8).build());
        ByteBuffer k = ByteBuffer.allocate(12);
        k.position(2);
        k.put(2, LpmTrieTest.v4("10.0.0.0", 8));
        k.limit(10);
        ByteBuffer v = ByteBuffer.allocate(6).position(1);
        v.put(1, LpmTrieTest.val(77));
        assertEquals(0, m.update(k.slice(), v, 0));
        ByteBuffer out = ByteBuffer.allocate(6).position(2);
        assertEquals(0, m.lookup(key("10.2.3.4", 32), out));
        assertEquals(2, out.position());
        assertArrayEquals(new byte[] {0, 0, 77, 0, 0, 0}, out.array());
    }

    @Test
    void batchesAreGenericWithKeyCursors() {
        LpmTrieMap m = new LpmTrieMap(lpm(8, 4, 8).build());
        String[] prefixes = {"10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16", "0.0.0.0/0"};
        byte[] keys = new byte[8 * prefixes.length];
        byte[] values = new byte[4 * prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            String[] p = prefixes[i].split("/");
            System.arraycopy(LpmTrieTest.v4(p[0], Integer.parseInt(p[1])), 0, keys, 8 * i, 8);
            System.arraycopy(LpmTrieTest.val(i + 1), 0, values, 4 * i, 4);
        }
        int[] count = new int[1];
        assertEquals(EINVAL, m.batch(BpfCommand.BPF_MAP_UPDATE_BATCH, null, null, keys, values, 4, 2, count));
        assertEquals(4, count[0], "a batch refused before it starts leaves count as passed in");
        assertEquals(0, m.batch(BpfCommand.BPF_MAP_UPDATE_BATCH, null, null, keys, values, 4, 0, count));
        assertEquals(4, count[0]);
        // Post-order: 10.1/16, 10/8, 192.168/16, 0/0; walk with count 3 then the rest.
        byte[] outKeys = new byte[8 * 3];
        byte[] outValues = new byte[4 * 3];
        byte[] cursor = new byte[8];
        assertEquals(0, m.batch(BpfCommand.BPF_MAP_LOOKUP_BATCH, null, cursor, outKeys, outValues, 3, 0, count));
        assertEquals(3, count[0]);
        assertEquals("10.1.0.0/16", LpmTrieTest.show(java.util.Arrays.copyOfRange(outKeys, 0, 8)));
        assertEquals("10.0.0.0/8", LpmTrieTest.show(java.util.Arrays.copyOfRange(outKeys, 8, 16)));
        assertEquals("192.168.0.0/16", LpmTrieTest.show(cursor));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0}, outValues);
        byte[] cursor2 = new byte[8];
        assertEquals(ENOENT, m.batch(BpfCommand.BPF_MAP_LOOKUP_BATCH, cursor, cursor2, outKeys, outValues, 3, 0,
                count));
        assertEquals(1, count[0]);
        assertEquals("0.0.0.0/0", LpmTrieTest.show(cursor2));
        assertEquals(ENOENT, m.batch(BpfCommand.BPF_MAP_LOOKUP_BATCH, cursor2, new byte[8], outKeys, outValues, 3,
                0, count));
        assertEquals(0, count[0]);
        assertEquals(0, m.batch(BpfCommand.BPF_MAP_LOOKUP_BATCH, null, cursor, outKeys, outValues, 0, 0, count));
        assertEquals(0, count[0]);
        assertEquals(EINVAL, m.batch(BpfCommand.BPF_MAP_LOOKUP_BATCH, null, cursor, outKeys, outValues, 3, 4,
                count));
        assertEquals(ENOTSUPP, m.batch(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, null, cursor, outKeys,
                outValues, 3, 0, count));
        // Delete batch stops at the first missing key with the count done so far.
        byte[] del = new byte[16];
        System.arraycopy(keys, 0, del, 0, 8);
        System.arraycopy(keys, 0, del, 8, 8);
        assertEquals(ENOENT, m.batch(BpfCommand.BPF_MAP_DELETE_BATCH, null, null, del, null, 2, 0, count));
        assertEquals(1, count[0]);
        assertEquals(3, m.trie().size());
    }
}
