package org.bpfmaps.simulator.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

class QueueStackMapTest {

    private static final int ENOENT = 2;
    private static final int E2BIG = 7;
    private static final int ENOMEM = 12;
    private static final int EINVAL = 22;
    private static final int ENOTSUPP = 524;

    private static MapSpec.Builder spec(MapType type, int keySize, int valueSize, int maxEntries) {
        return MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries);
    }

    @Test
    void createChecks() {
        for (MapType t : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            assertEquals(0, QueueStackMap.checkCreate(spec(t, 0, 4, 1).build()));
            assertNull(QueueStackMap.explainCreate(spec(t, 0, 4 << 20, 1).build()));
            assertEquals(0, QueueStackMap.checkCreate(spec(t, 0, 4, 1).flags(MapFlag.NUMA_NODE, MapFlag.WRONLY,
                    MapFlag.WRONLY_PROG).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 4, 4, 1).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 0, 0, 1).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 0, 4, 0).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 0, 4, 1).flags(MapFlag.NO_PREALLOC).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 0, 4, 1).flags(MapFlag.ZERO_SEED).build()));
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 0, 4, 1).flags(MapFlag.RDONLY_PROG,
                    MapFlag.WRONLY_PROG).build()));
            assertEquals(E2BIG, QueueStackMap.checkCreate(spec(t, 0, (4 << 20) + 1, 1).build()));
            // The EINVAL checks come first: a key and a huge value is EINVAL.
            assertEquals(EINVAL, QueueStackMap.checkCreate(spec(t, 4, (4 << 20) + 1, 1).build()));
            assertEquals(ENOMEM, QueueStackMap.checkCreate(spec(t, 0, 4 << 20, 1 << 20).build()));
        }
    }

    private static ByteBuffer v(int x) {
        return ByteBuffer.wrap(new byte[] {(byte) x, 0, 0, 0});
    }

    @Test
    void matrixRowAndExample() {
        for (MapType t : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            QueueStackMap m = new QueueStackMap(spec(t, 0, 4, 3).build());
            ByteBuffer out = ByteBuffer.wrap(new byte[] {9, 9, 9, 9});
            ByteBuffer someKey = ByteBuffer.allocate(4);
            assertEquals(ENOENT, m.lookup(null, out));                        // lk0
            assertArrayEquals(new byte[] {9, 9, 9, 9}, out.array(), "a failed syscall leaves the buffer");
            assertEquals(ENOENT, m.lookupAndDelete(null, out));
            assertEquals(EINVAL, m.nextKey(null, ByteBuffer.allocate(0)));    // gnk0
            assertEquals(EINVAL, m.update(someKey, v(1), 0));
            assertEquals(EINVAL, m.lookup(someKey, out));
            assertEquals(EINVAL, m.lookupAndDelete(someKey, out));
            assertEquals(0, m.update(null, v(1), 0));                          // upd
            assertEquals(0, m.lookup(null, out));                              // lk1
            assertEquals(EINVAL, m.update(null, v(1), 1));                     // upNOEX
            assertEquals(EINVAL, m.update(null, v(1), 8));                     // upCPU8
            assertEquals(EINVAL, m.update(null, v(1), 0x20));                  // up0x20
            assertEquals(EINVAL, m.delete(null));                              // del
            for (BpfCommand c : new BpfCommand[] {BpfCommand.BPF_MAP_LOOKUP_BATCH, BpfCommand.BPF_MAP_UPDATE_BATCH,
                BpfCommand.BPF_MAP_DELETE_BATCH, BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH}) {
                int[] count = {5};
                assertEquals(ENOTSUPP, m.batch(c, null, null, new byte[0], new byte[16], 4, 0, count));
                assertEquals(0, count[0]);
            }
            // SEMANTICS example, max_entries 3: push 1, (1 already), 2, 3; 4 -> E2BIG; 4 with EXIST drops the oldest.
            assertEquals(0, m.update(null, v(2), 0));
            assertEquals(0, m.update(null, v(3), 0));
            assertEquals(E2BIG, m.update(null, v(4), 0));
            assertEquals(0, m.update(null, v(4), 2));                          // upEX
            boolean lifo = t == MapType.STACK;
            assertEquals(0, m.lookup(null, out));
            assertEquals(lifo ? 4 : 2, out.get(0));
            int[] order = lifo ? new int[] {4, 3, 2} : new int[] {2, 3, 4};
            for (int x : order) {
                assertEquals(0, m.lookupAndDelete(null, out));                 // lad
                assertEquals(x, out.get(0));
            }
            assertEquals(ENOENT, m.lookupAndDelete(null, out));
            assertEquals(SIZEOF() + 4 * 4, m.memlock());
        }
    }

    private static long SIZEOF() {
        return QueueStackMap.SIZEOF_QUEUE_STACK;
    }

    @Test
    void programHelpers() {
        QueueStackMap m = new QueueStackMap(spec(MapType.QUEUE, 0, 4, 2).build());
        ByteBuffer out = ByteBuffer.wrap(new byte[] {9, 9, 9, 9});
        assertEquals(ENOENT, m.programPeek(out));
        assertArrayEquals(new byte[4], out.array(), "an empty helper peek zeroes the program's buffer");
        out.put(0, (byte) 9);
        assertEquals(ENOENT, m.programPop(out));
        assertArrayEquals(new byte[4], out.array());
        assertEquals(0, m.programPush(v(1), 0));
        assertEquals(0, m.programPush(v(2), 0));
        assertEquals(E2BIG, m.programPush(v(3), 0));
        assertEquals(0, m.programPush(v(3), 2));
        assertEquals(EINVAL, m.programPush(v(3), 1));
        assertEquals(0, m.programPeek(out));
        assertEquals(2, out.get(0));
        assertEquals(0, m.programPop(out));
        assertEquals(2, out.get(0));
        assertEquals(EINVAL, m.programLookup(ByteBuffer.allocate(0), out, 0));
        assertEquals(EINVAL, m.programUpdate(ByteBuffer.allocate(0), out, 0, 0));
        assertEquals(EINVAL, m.programDelete(ByteBuffer.allocate(0)));
    }
}
