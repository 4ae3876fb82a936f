package org.bpfmaps.simulator.bloom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

class BloomFilterMapTest {

    private static final int ENOENT = 2;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTSUPP = 524;

    private static MapSpec.Builder bloom(int keySize, int valueSize, int maxEntries) {
        return MapSpec.builder(MapType.BLOOM_FILTER).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries);
    }

    @Test
    void createChecks() {
        assertEquals(0, BloomFilterMap.checkCreate(bloom(0, 4, 1).build()));
        assertNull(BloomFilterMap.explainCreate(bloom(0, 4, 1).mapExtra(15).build()));
        assertEquals(0, BloomFilterMap.checkCreate(bloom(0, 4, 1).flags(MapFlag.ZERO_SEED, MapFlag.NUMA_NODE,
                MapFlag.RDONLY).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(4, 4, 1).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 0, 1).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 0).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 1).flags(MapFlag.NO_PREALLOC).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 1).flags(MapFlag.MMAPABLE).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 1).mapExtra(16).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 1).mapExtra(0xf0).build()));
        assertEquals(EINVAL, BloomFilterMap.checkCreate(bloom(0, 4, 1).mapExtra(1L << 32).build()));
        assertEquals(0, BloomFilterMap.checkCreate(bloom(0, 4 << 20, 1).build()));
        // alloc_check's E2BIG runs before alloc's EINVAL checks.
        assertEquals(E2BIG, BloomFilterMap.checkCreate(bloom(0, (4 << 20) + 1, 1).build()));
        assertEquals(E2BIG, BloomFilterMap.checkCreate(bloom(4, (4 << 20) + 1, 0).build()));
    }

    private static ByteBuffer v(int x) {
        return ByteBuffer.wrap(new byte[] {(byte) x, (byte) (x >>> 8), 0, 0});
    }

    @Test
    void matrixRow() {
        BloomFilterMap m = new BloomFilterMap(bloom(0, 4, 100).flags(MapFlag.ZERO_SEED).build(), 1234);
        assertEquals(0, m.filter().seed());
        assertEquals(1024, m.filter().bits());
        assertEquals(BloomFilterMap.SIZEOF_BLOOM_FILTER + 128, m.memlock());
        ByteBuffer value = v(0);
        assertEquals(ENOENT, m.lookup(null, value));                 // lk0
        assertArrayEquals(new byte[4], value.array(), "the lookup value is an input");
        assertEquals(EOPNOTSUPP, m.nextKey(null, ByteBuffer.allocate(0)));  // gnk0
        assertEquals(0, m.update(null, v(0), 0));                     // upd
        assertEquals(0, m.lookup(null, v(0)));                        // lk1
        assertEquals(EINVAL, m.update(null, v(0), 1));                // upNOEX
        assertEquals(EINVAL, m.update(null, v(0), 2));                // upEX
        assertEquals(EINVAL, m.update(null, v(0), 8));                // upCPU8
        assertEquals(EINVAL, m.update(null, v(0), 0x20));             // up0x20
        assertEquals(ENOTSUPP, m.lookupAndDelete(null, v(0)));        // lad
        assertEquals(EOPNOTSUPP, m.delete(null));                     // del
        ByteBuffer someKey = ByteBuffer.allocate(4);
        assertEquals(EINVAL, m.lookup(someKey, v(0)));
        assertEquals(EINVAL, m.update(someKey, v(0), 0));
        assertEquals(EINVAL, m.delete(someKey));
        assertEquals(EINVAL, m.nextKey(someKey, ByteBuffer.allocate(0)));
        for (BpfCommand c : new BpfCommand[] {BpfCommand.BPF_MAP_LOOKUP_BATCH, BpfCommand.BPF_MAP_UPDATE_BATCH,
            BpfCommand.BPF_MAP_DELETE_BATCH, BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH}) {
            int[] count = {5};
            assertEquals(ENOTSUPP, m.batch(c, null, null, new byte[0], new byte[16], 4, 0, count));
            assertEquals(0, count[0]);
        }
        for (int i = 1; i < 50; i++) {
            assertEquals(0, m.update(null, v(i), 0));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(0, m.lookup(null, v(i)));
        }
    }

    @Test
    void seedAndProgramHelpers() {
        BloomFilterMap random = new BloomFilterMap(bloom(0, 8, 10).mapExtra(3).build(), 1234);
        assertEquals(1234, random.filter().seed());
        assertEquals(3, random.filter().hashFuncs());
        ByteBuffer value = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(ENOENT, random.programPeek(value));
        assertEquals(0, random.programPush(value, 0));
        assertEquals(EINVAL, random.programPush(value, 2));
        assertEquals(0, random.programPeek(value));
        assertEquals(EINVAL, random.programPop(value));
        assertEquals(EINVAL, random.programLookup(ByteBuffer.allocate(0), value, 0));
        assertEquals(EINVAL, random.programUpdate(ByteBuffer.allocate(0), value, 0, 0));
        assertEquals(EINVAL, random.programDelete(ByteBuffer.allocate(0)));
    }
}
