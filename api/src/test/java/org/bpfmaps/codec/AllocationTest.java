package org.bpfmaps.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Encoding a record of integers into a buffer allocates nothing, measured with the thread allocation counter. */
class AllocationTest {

    record Flow(int srcIp, int dstIp, @StoredAs(IntegerType.U16) int srcPort, short dstPort, byte proto,
                long bytes, char flags) {
    }

    @Test
    void encodingIntegersIntoABufferAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM has no per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
        StructCodec<Flow> codec = StructCodec.of(Flow.class);
        ByteBuffer buffer = ByteBuffer.allocateDirect(codec.size());
        Flow flow = new Flow(0x0A000001, 0x0A000002, 50000, (short) 443, (byte) 6, 1L << 40, 'x');
        for (int i = 0; i < 200_000; i++) { // warm up, let the JIT inline the method handles
            codec.encode(flow, buffer, 0);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            codec.encode(flow, buffer, 0);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 10_000, "100000 encodes allocated " + allocated + " bytes");
        assertEquals(flow, codec.decode(buffer, 0));
    }
}
