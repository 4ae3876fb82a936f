package org.bpfmaps.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.Access;
import org.bpfmaps.BatchResult;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.MapClosedException;
import org.bpfmaps.MapInfo;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.ProgramView;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Buffer checks refuse wrong sizes before any primitive runs")
class AbstractBpfMapTest {

    /** Records whether a primitive was reached; answers with a fixed errno. */
    static final class Probe extends AbstractBpfMap {
        int calls;
        int answer;
        private final AtomicBoolean closed = new AtomicBoolean();

        Probe(MapType type, int keySize, int valueSize) {
            super(type, keySize, valueSize, 8, 0, "probe", 1, Access.READ_WRITE, 3);
        }

        @Override
        public int fd() {
            return 3;
        }

        @Override
        protected int doLookup(ByteBuffer key, ByteBuffer value, long flags) {
            calls++;
            return answer;
        }

        @Override
        protected int doUpdate(ByteBuffer key, ByteBuffer value, long flags) {
            calls++;
            return answer;
        }

        @Override
        protected int doDelete(ByteBuffer key) {
            calls++;
            return answer;
        }

        @Override
        protected int doNextKey(ByteBuffer key, ByteBuffer nextKey) {
            calls++;
            return answer;
        }

        @Override
        protected int doLookupAndDelete(ByteBuffer key, ByteBuffer value, long flags) {
            calls++;
            return answer;
        }

        @Override
        protected int doFreeze() {
            calls++;
            return answer;
        }

        @Override
        protected BatchOutcome doBatch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys,
                                       byte[] values, int count, long elemFlags) {
            calls++;
            return new BatchOutcome(answer, 1);
        }

        @Override
        protected void doClose() {
        }

        @Override
        protected boolean markClosed() {
            return closed.compareAndSet(false, true);
        }

        @Override
        public boolean isClosed() {
            return closed.get();
        }

        @Override
        public MapInfo info() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void pin(String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ProgramView programView(int cpu) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void wrongKeyAndValueSizesNeverReachThePrimitive() {
        Probe m = new Probe(MapType.HASH, 4, 8);
        assertEquals(22, assertThrows(InvalidArgumentException.class,
                () -> m.lookup(new byte[3], new byte[8])).errno());
        assertThrows(InvalidArgumentException.class, () -> m.lookup(new byte[4], new byte[9]));
        assertThrows(InvalidArgumentException.class, () -> m.update(new byte[4], new byte[7], 0));
        assertThrows(InvalidArgumentException.class, () -> m.update(null, new byte[8], 0));
        assertThrows(InvalidArgumentException.class, () -> m.delete(new byte[5]));
        assertThrows(InvalidArgumentException.class, () -> m.nextKey(new byte[4], new byte[3]));
        assertThrows(InvalidArgumentException.class,
                () -> m.lookup(ByteBuffer.allocate(4), ByteBuffer.allocate(8).asReadOnlyBuffer()));
        assertEquals(0, m.calls);
    }

    @Test
    void perCpuValuesAreRoundedToEightBytesPerPossibleCpu() {
        Probe m = new Probe(MapType.PERCPU_ARRAY, 4, 12);
        assertEquals(48, m.valueBufferSize());
        assertThrows(InvalidArgumentException.class, () -> m.lookup(new byte[4], new byte[12]));
        assertTrue(m.lookup(new byte[4], new byte[48]));
        assertEquals(1, m.calls);
    }

    @Test
    void keylessMapsTakeNullOrEmptyKeysOnly() {
        Probe q = new Probe(MapType.QUEUE, 0, 4);
        q.update((byte[]) null, new byte[4], 0);
        q.update(new byte[0], new byte[4], 0);
        assertThrows(InvalidArgumentException.class, () -> q.update(new byte[4], new byte[4], 0));
        assertEquals(2, q.calls);
    }

    @Test
    void enoentIsANormalResultForReads() {
        Probe m = new Probe(MapType.HASH, 4, 8);
        m.answer = 2;
        assertFalse(m.lookup(new byte[4], new byte[8]));
        assertTrue(m.lookup(new byte[4]).isEmpty());
        assertFalse(m.delete(new byte[4]));
        assertFalse(m.nextKey(null, new byte[4]));
        assertThrows(NotFoundException.class, () -> m.update(new byte[4], new byte[8], 2));
    }

    @Test
    void batchChecksCountsAndCursorSizes() {
        Probe m = new Probe(MapType.HASH, 4, 8);
        byte[] keys = new byte[16];
        byte[] values = new byte[32];
        assertThrows(InvalidArgumentException.class, () -> m.lookupBatch(null, new byte[4], keys, values, 5, 0));
        assertThrows(InvalidArgumentException.class, () -> m.lookupBatch(null, new byte[4], keys, values, -1, 0));
        assertThrows(InvalidArgumentException.class, () -> m.lookupBatch(null, new byte[3], keys, values, 4, 0));
        assertThrows(InvalidArgumentException.class,
                () -> m.lookupBatch(null, null, keys, values, Integer.MAX_VALUE, 0));
        assertEquals(0, m.calls);
        m.answer = 2;
        assertEquals(new BatchResult(1, true), m.lookupBatch(null, new byte[4], keys, values, 4, 0));
        NotFoundException e = assertThrows(NotFoundException.class, () -> m.deleteBatch(keys, 4, 0));
        assertEquals(1, e.batchCount());
    }

    @Test
    void closedMapFailsWithoutReachingThePrimitive() {
        Probe m = new Probe(MapType.ARRAY, 4, 4);
        m.close();
        m.close();
        MapClosedException e = assertThrows(MapClosedException.class, () -> m.lookup(new byte[4], new byte[4]));
        assertEquals(9, e.errno());
        assertEquals(0, m.calls);
    }
}
