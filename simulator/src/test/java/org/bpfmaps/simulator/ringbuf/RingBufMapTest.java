package org.bpfmaps.simulator.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.Test;

/** The per-type adapter: create checks (SEMANTICS 1.2), the all-524 matrix row, memlock, program helpers. */
class RingBufMapTest {

    private static final int EAGAIN = 11;
    private static final int ENOMEM = 12;
    private static final int EINVAL = 22;
    private static final int ENOTSUPP = 524;

    private static MapSpec.Builder spec(MapType type, int keySize, int valueSize, int maxEntries) {
        return MapSpec.builder(type).keySize(keySize).valueSize(valueSize).maxEntries(maxEntries);
    }

    @Test
    void createChecks() {
        for (MapType t : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
            assertTrue(RingBufMap.handles(t));
            assertEquals(0, RingBufMap.checkCreate(spec(t, 0, 0, 4096).build()));
            assertNull(RingBufMap.explainCreate(spec(t, 0, 0, 1 << 20).build()));
            assertEquals(0, RingBufMap.checkCreate(spec(t, 0, 0, 4096).flags(MapFlag.NUMA_NODE).build()));
            assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 4, 0, 4096).build()));
            assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 0, 4, 4096).build()));
            for (int bad : new int[] {0, 4095, 12288, 2048, 6144}) {
                assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 0, 0, bad).build()), "max_entries " + bad);
                assertNotNull(RingBufMap.explainCreate(spec(t, 0, 0, bad).build()));
            }
            for (MapFlag f : new MapFlag[] {MapFlag.MMAPABLE, MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG,
                    MapFlag.RDONLY, MapFlag.WRONLY, MapFlag.NO_PREALLOC, MapFlag.ZERO_SEED}) {
                assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 0, 0, 4096).flags(f).build()), f.name());
            }
            assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 0, 0, 4096).flags(1 << 19).build()),
                    "BPF_F_RB_OVERWRITE is 6.19");
            // flags first: bad flags with a bad size is EINVAL, and the kernel's 2^31 is beyond the simulator
            assertEquals(ENOMEM, RingBufMap.checkCreate(spec(t, 0, 0, 1 << 31).build()));
            assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 0, 0, 1 << 31).flags(MapFlag.MMAPABLE).build()));
            assertEquals(EINVAL, RingBufMap.checkCreate(spec(t, 4, 0, 1 << 31).build()));
            assertEquals(0, RingBufMap.checkCreate(spec(t, 0, 0, 1 << 30).build()));
        }
        assertFalse(RingBufMap.handles(MapType.QUEUE));
        assertThrows(IllegalArgumentException.class, () -> new RingBufMap(spec(MapType.RINGBUF, 4, 0, 4096).build()));
    }

    @Test
    void everyElementCommandIsEnotsupp() {
        for (MapType t : new MapType[] {MapType.RINGBUF, MapType.USER_RINGBUF}) {
            RingBufMap m = new RingBufMap(spec(t, 0, 0, 4096).build());
            ByteBuffer b = ByteBuffer.allocate(8);
            assertEquals(ENOTSUPP, m.lookup(b, b));
            assertEquals(ENOTSUPP, m.update(b, b, 0));
            assertEquals(ENOTSUPP, m.update(b, b, 8));
            assertEquals(ENOTSUPP, m.update(b, b, 0x20));
            assertEquals(ENOTSUPP, m.delete(b));
            assertEquals(ENOTSUPP, m.nextKey(null, b));
            assertEquals(ENOTSUPP, m.nextKey(b, b));
            assertEquals(ENOTSUPP, m.lookupAndDelete(b, b));
            for (BpfCommand c : new BpfCommand[] {BpfCommand.BPF_MAP_LOOKUP_BATCH,
                    BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, BpfCommand.BPF_MAP_UPDATE_BATCH,
                    BpfCommand.BPF_MAP_DELETE_BATCH}) {
                int[] count = {99};
                assertEquals(ENOTSUPP, m.batch(c, null, new byte[0], new byte[0], new byte[0], 4, 0, count));
                assertEquals(0, count[0]);
            }
            assertEquals(EINVAL, m.programLookup(b, b, 0));
            assertEquals(EINVAL, m.programUpdate(b, b, 0, 0));
            assertEquals(EINVAL, m.programDelete(b));
            assertEquals(EINVAL, m.programPush(b, 0));
            assertEquals(EINVAL, m.programPop(b));
            assertEquals(EINVAL, m.programPeek(b));
            assertEquals(16728, m.memlock());
        }
        assertEquals(RingLayout.memlock(1 << 20), new RingBufMap(spec(MapType.RINGBUF, 0, 0, 1 << 20).build())
                .memlock());
    }

    @Test
    void ringHelpers() {
        RingBufMap m = new RingBufMap(spec(MapType.RINGBUF, 0, 0, 4096).build());
        assertNotNull(m.ring());
        assertNull(m.userRing());
        assertEquals(0, m.programRingbufOutput(new byte[8], 0));
        assertEquals(EINVAL, m.programRingbufOutput(new byte[8], 4));
        assertEquals(0, m.programRingbufReserveSubmit(new byte[16], 0));
        assertEquals(0, m.programRingbufReserveSubmit(new byte[16], 0xff), "bpf_ringbuf_submit checks no flag");
        assertEquals(0, m.programRingbufReserveDiscard(3, 0));
        assertEquals(EINVAL, m.programRingbufReserveDiscard(-1, 0));
        assertEquals(EAGAIN, m.programRingbufOutput(new byte[4089], 0));
        assertEquals(EAGAIN, m.programRingbufReserveSubmit(new byte[4089], 0));
        assertEquals(EAGAIN, m.programRingbufReserveDiscard(4089, 0));
        assertEquals(16 + 24 + 24 + 16, m.programRingbufQuery(RingLayout.RB_PROD_POS));
        assertEquals(4096, m.programRingbufQuery(RingLayout.RB_RING_SIZE));
        assertEquals(-EINVAL, m.programUserRingbufDrain(b -> { }, 0), "the verifier refuses it on a RINGBUF");

        RingBufMap u = new RingBufMap(spec(MapType.USER_RINGBUF, 0, 0, 4096).build());
        assertNull(u.ring());
        assertNotNull(u.userRing());
        assertEquals(EINVAL, u.programRingbufOutput(new byte[8], 0));
        assertEquals(EINVAL, u.programRingbufReserveSubmit(new byte[8], 0));
        assertEquals(EINVAL, u.programRingbufReserveDiscard(8, 0));
        assertThrows(IllegalStateException.class, () -> u.programRingbufQuery(0));
        u.userRing().reserve(1);
        long pos = u.userRing().reserve(2);
        u.userRing().write(pos, 0, new byte[] {5, 6}, 0, 2);
        u.userRing().submit(pos);
        List<byte[]> got = new ArrayList<>();
        assertEquals(0, u.programUserRingbufDrain(got::add, 0), "the first record is still BUSY");
        u.userRing().submit(0);
        assertEquals(2, u.programUserRingbufDrain(got::add, 0));
        assertEquals(2, got.get(1).length);
        assertEquals(-EINVAL, u.programUserRingbufDrain(got::add, 8));
    }
}
