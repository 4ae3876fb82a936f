package org.bpfmaps.linux.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bpfmaps.InvalidArgumentException;
import org.bpfmaps.NotSupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout arithmetic, page size and use counting: no kernel needed. */
class RingBufferLayoutTest {

    @Test
    void recordLengthIsHeaderPlusPayloadRoundedToEight() {
        assertEquals(8, RingBufferDescriptor.recordLength(0));
        assertEquals(16, RingBufferDescriptor.recordLength(1));
        assertEquals(16, RingBufferDescriptor.recordLength(8));
        assertEquals(24, RingBufferDescriptor.recordLength(9));
        assertEquals(72, RingBufferDescriptor.recordLength(64));
        assertEquals((1L << 30) + 8, RingBufferDescriptor.recordLength((1L << 30) - 1));
    }

    @Test
    void lenWordFlags() {
        int busy = RingBufferDescriptor.BUSY_BIT | 100;
        int discarded = RingBufferDescriptor.DISCARD_BIT | 100;
        assertTrue(RingBufferDescriptor.isBusy(busy));
        assertFalse(RingBufferDescriptor.isDiscarded(busy));
        assertTrue(RingBufferDescriptor.isDiscarded(discarded));
        assertFalse(RingBufferDescriptor.isBusy(discarded));
        assertEquals(100, RingBufferDescriptor.payloadLength(busy));
        assertEquals(100, RingBufferDescriptor.payloadLength(discarded));
        assertEquals(100, RingBufferDescriptor.payloadLength(busy | discarded));
        assertEquals(0x8000_0000, RingBufferDescriptor.BUSY_BIT);
        assertEquals(0x4000_0000, RingBufferDescriptor.DISCARD_BIT);
    }

    @Test
    void dataSizeRules() {
        assertNull(RingBufferDescriptor.checkDataSize(4096, 4096));
        assertNull(RingBufferDescriptor.checkDataSize(1 << 29, 4096));
        assertNotNull(RingBufferDescriptor.checkDataSize(0, 4096));
        assertNotNull(RingBufferDescriptor.checkDataSize(2048, 4096), "below a page");
        assertNotNull(RingBufferDescriptor.checkDataSize(3 * 4096, 4096), "not a power of two");
        assertNotNull(RingBufferDescriptor.checkDataSize(4096, 16384), "not a multiple of a 16 KiB page");
        assertNotNull(RingBufferDescriptor.checkDataSize(1L << 30, 4096), "doubled area beyond one ByteBuffer");
        assertEquals(4096 + 2 * 8192, RingBufferDescriptor.producerMappingLength(4096, 8192));
        assertNull(RingBufferDescriptor.checkMappable(8192, 4096, "ring"));
        assertInstanceOf(NotSupportedException.class, RingBufferDescriptor.checkMappable(1L << 30, 4096, "ring"),
                "a limit of this backend, not a full map (E2BIG from RINGBUF_USER would be MapFullException)");
        assertInstanceOf(InvalidArgumentException.class, RingBufferDescriptor.checkMappable(12288, 4096, "ring"));
    }

    @Test
    void epollEventLayoutFollowsTheArchitecture() {
        if (EpollEventDescriptor.isX86_64(System.getProperty("os.arch"))) {
            assertEquals(12, EpollEventDescriptor.SIZE);
            assertEquals(4, EpollEventDescriptor.DATA_OFFSET);
        } else {
            assertEquals(16, EpollEventDescriptor.SIZE);
            assertEquals(8, EpollEventDescriptor.DATA_OFFSET);
        }
        assertEquals(3 * EpollEventDescriptor.SIZE, EpollEventDescriptor.eventOffset(3));
    }

    @Test
    void pageSizeFromAuxiliaryVector(@TempDir Path dir) throws IOException {
        Path auxv = dir.resolve("auxv");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        b.putLong(33).putLong(0x7fff0000L); // AT_SYSINFO_EHDR
        b.putLong(6).putLong(16384);        // AT_PAGESZ
        b.putLong(0).putLong(0);            // AT_NULL
        Files.write(auxv, b.array());
        assertEquals(16384, PageSize.read(auxv));
        assertEquals(4096, PageSize.read(dir.resolve("missing")), "fallback");
        if (Files.isReadable(Path.of("/proc/self/auxv"))) {
            int real = PageSize.get();
            assertTrue(real >= 4096 && Integer.bitCount(real) == 1, "page size " + real);
        }
    }

    @Test
    void useGateFreesOnTheLastUseAfterClose() {
        UseGate gate = new UseGate();
        assertTrue(gate.acquire());
        assertTrue(gate.acquire());
        assertTrue(gate.markClosed());
        assertFalse(gate.markClosed(), "only once");
        assertFalse(gate.acquire(), "no new use after close");
        assertFalse(gate.release(), "two uses remain");
        assertFalse(gate.release(), "one use remains");
        assertTrue(gate.release(), "the last use frees");
        assertTrue(gate.isClosed());
    }
}
