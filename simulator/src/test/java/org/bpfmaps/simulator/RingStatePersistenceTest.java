package org.bpfmaps.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.simulator.ringbuf.RingLayout;
import org.bpfmaps.simulator.ringbuf.RingMemory;
import org.bpfmaps.simulator.state.CorruptStateException;
import org.bpfmaps.simulator.state.Journal;
import org.bpfmaps.simulator.state.StateDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pinned RINGBUF and USER_RINGBUF maps keep their exact memory (data bytes, headers with their BUSY and DISCARD
 * bits, consumer/producer/pending positions) from one kernel on a state directory to the next.
 */
class RingStatePersistenceTest {

    private static final String EVENTS = "/sys/fs/bpf/events";
    private static final String COMMANDS = "/sys/fs/bpf/commands";

    private Path base;
    private Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-ringstate-test");
        dir = base.resolve("state");
    }

    @AfterEach
    void removeDir() throws IOException {
        if (!Files.exists(base, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(base)) {
            List<Path> all = new ArrayList<>(s.toList());
            Collections.reverse(all);
            for (Path q : all) {
                Files.delete(q);
            }
        }
    }

    private SimulatedKernel kernel() {
        return SimulatedKernel.builder().cpus(2).stateDirectory(dir).stateLockTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static RingMemory memory(SimulatedKernel k, BpfMap m) {
        return DelegatedMapObject.ringBufferOf(k, m).memory();
    }

    /** Everything a mapping of the ring shows: consumer page, producer page, data area. */
    private record Image(byte[] consumerPage, byte[] producerPage, byte[] data) {
        static Image of(RingMemory m) {
            return new Image(m.consumerPageBytes(), m.producerPageBytes(), m.dataBytes());
        }

        void assertSame(Image other, String what) {
            assertArrayEquals(consumerPage, other.consumerPage, what + ": consumer page");
            assertArrayEquals(producerPage, other.producerPage, what + ": producer page");
            assertArrayEquals(data, other.data, what + ": data area");
        }
    }

    /** A record of {@code 4 + (seq % 37)} bytes: seq as u32 LE, then bytes derived from it. */
    static byte[] record(int seq) {
        byte[] b = new byte[4 + seq % 37];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(seq);
        for (int i = 4; i < b.length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    static int seqOf(byte[] record) {
        return ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static List<Integer> readAll(SimulatedKernel k, BpfMap ring, int max) {
        List<Integer> seqs = new ArrayList<>();
        try (RingBufferReader r = k.ringBufferReader(ring)) {
            r.consume((map, rec) -> {
                byte[] b = new byte[rec.remaining()];
                rec.get(b);
                assertArrayEquals(record(seqOf(b)), b, "payload of record " + seqOf(b));
                seqs.add(seqOf(b));
            }, max);
        }
        return seqs;
    }

    private static List<Integer> drainAll(BpfMap ring) {
        List<Integer> seqs = new ArrayList<>();
        ring.programView(1).userRingbufDrain(b -> {
            assertArrayEquals(record(seqOf(b)), b, "payload of sample " + seqOf(b));
            seqs.add(seqOf(b));
        }, 0);
        return seqs;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void aRingWrittenInOneKernelIsReadInTheNext() {
        Image before;
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).name("events").build());
            ring.pin(EVENTS);
            // go round the ring more than once, so records wrap its end; discarded records in between
            int seq = 0;
            for (int lap = 0; lap < 3; lap++) {
                for (int i = 0; i < 40; i++) {
                    assertTrue(ring.programView(i % 2).ringbufOutput(record(seq++), 0));
                    if (i % 7 == 0) {
                        assertTrue(ring.programView(0).ringbufReserveDiscard(20, 0));
                    }
                }
                assertEquals(range(seq - 40, seq - (lap == 2 ? 15 : 0)), readAll(k, ring, lap == 2 ? 25 : 40));
            }
            assertTrue(ring.programView(0).ringbufReserveSubmit(record(seq), RingLayout.RB_NO_WAKEUP));
            ring.close();
            RingMemory m = memory(k, k.openPinned(EVENTS));
            assertTrue(m.producerPos() > 4096 && m.consumerPos() < m.producerPos(), "wrapped, records left");
            before = Image.of(m);
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS)) {
            Image.of(memory(k, ring)).assertSame(before, "the next kernel");
            assertEquals(memory(k, ring).producerPos(), ring.programView(0).ringbufQuery(RingLayout.RB_PROD_POS));
            assertEquals(range(105, 121), readAll(k, ring, Integer.MAX_VALUE),
                    "the records the first kernel left unconsumed, and only those");
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS)) {
            assertEquals(List.of(), readAll(k, ring, Integer.MAX_VALUE), "consumed in the second kernel: gone");
            RingMemory m = memory(k, ring);
            assertEquals(m.producerPos(), m.consumerPos());
        }
    }

    @Test
    void aUserRingKeepsSubmittedRecordsForAProgramInTheNextKernel() {
        Image before;
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
            ring.pin(COMMANDS);
            try (UserRingBufferWriter w = k.userRingBufferWriter(ring)) {
                int seq = 0;
                for (; seq < 60; seq++) {
                    assertTrue(w.write(record(seq)));
                }
                assertEquals(range(0, 60), drainAll(ring));
                for (; seq < 150; seq++) {
                    if (seq % 5 == 0) {
                        // zero-copy: the payload is written through the reservation's buffer
                        UserRingBufferWriter.Reservation r = w.reserve(record(seq).length);
                        r.buffer().put(record(seq));
                        r.submit();
                    } else if (seq % 11 == 0) {
                        UserRingBufferWriter.Reservation r = w.reserve(16);
                        r.buffer().put(new byte[] {1, 2, 3});
                        r.discard();
                    } else {
                        assertTrue(w.write(record(seq)));
                    }
                }
            }
            before = Image.of(memory(k, ring));
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(COMMANDS)) {
            Image.of(memory(k, ring)).assertSame(before, "the next kernel");
            List<Integer> expected = new ArrayList<>(range(60, 150));
            expected.removeIf(s -> s % 5 != 0 && s % 11 == 0);
            assertEquals(expected, drainAll(ring), "the submitted records the first kernel did not drain");
            assertEquals(List.of(), drainAll(ring));
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(COMMANDS)) {
            assertEquals(List.of(), drainAll(ring), "drained in the second kernel: gone");
        }
    }

    /**
     * A user-space producer that dies holding a reservation leaves a BUSY record: the kernel keeps the ring's pages
     * with the map and nothing clears the bit, so every drain stops there. The next kernel shows exactly that.
     */
    @Test
    void aReservationOutstandingWhenTheProcessDiesStaysBusy() {
        Image before;
        UserRingBufferWriter dead;
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
            ring.pin(COMMANDS);
            dead = k.userRingBufferWriter(ring);
            assertTrue(dead.write(record(1)));
            UserRingBufferWriter.Reservation r = dead.reserve(24);
            r.buffer().put(record(2), 0, 4); // never submitted
            assertTrue(dead.write(record(3)));
            before = Image.of(memory(k, ring));
            // the kernel closes first, as when the process is killed; the writer's discard comes too late
        }
        dead.close();
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(COMMANDS)) {
            RingMemory m = memory(k, ring);
            assertEquals(before.consumerPage().length, m.consumerPageBytes().length);
            assertArrayEquals(before.producerPage(), m.producerPageBytes());
            assertArrayEquals(before.consumerPage(), m.consumerPageBytes());
            int len = m.lenAcquire(16);
            assertTrue(RingLayout.isBusy(len), "the reservation is still BUSY: 0x" + Integer.toHexString(len));
            assertEquals(24, RingLayout.payloadLength(len));
            assertEquals(List.of(1), drainAll(ring), "the drain stops at the BUSY record");
            assertEquals(List.of(), drainAll(ring), "for good");
            assertArrayEquals(record(3), java.util.Arrays.copyOfRange(m.dataBytes(), 56, 56 + record(3).length),
                    "the record after it is there, unreachable");
        }
    }

    @Test
    void compactionKeepsRingsExact() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        Image events;
        Image commands;
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.RINGBUF).maxEntries(8192).build());
            ring.pin(EVENTS);
            BpfMap user = k.create(MapSpec.builder(MapType.USER_RINGBUF).maxEntries(4096).build());
            user.pin(COMMANDS);
            BpfMap frozen = k.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
            assertTrue(frozen.programView(0).ringbufOutput(record(7), 0));
            frozen.freeze();
            frozen.pin("/sys/fs/bpf/frozen");
            try (UserRingBufferWriter w = k.userRingBufferWriter(user)) {
                for (int seq = 0; seq < 400; seq++) {
                    assertTrue(ring.programView(0).ringbufOutput(record(seq), 0));
                    assertTrue(w.write(record(seq)));
                    if (seq % 50 == 49) {
                        assertEquals(range(seq - 49, seq + 1), readAll(k, ring, Integer.MAX_VALUE));
                        assertEquals(range(seq - 49, seq + 1), drainAll(user));
                    }
                }
                assertTrue(w.write(record(400)));
            }
            assertTrue(ring.programView(0).ringbufOutput(record(400), 0));
            long beforeCompaction = Files.size(journal);
            k.compactState();
            assertTrue(Files.size(journal) < beforeCompaction / 2, "the histories were replaced by snapshots: "
                    + Files.size(journal) + " of " + beforeCompaction + " bytes");
            // the journal goes on after compaction
            assertTrue(ring.programView(0).ringbufOutput(record(401), 0));
            assertEquals(List.of(400), readAll(k, ring, 1));
            events = Image.of(memory(k, ring));
            commands = Image.of(memory(k, user));
        }
        Image events2;
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS); BpfMap user = k.openPinned(COMMANDS);
             BpfMap frozen = k.openPinned("/sys/fs/bpf/frozen")) {
            Image.of(memory(k, ring)).assertSame(events, "a compacted journal plus later records");
            Image.of(memory(k, user)).assertSame(commands, "a compacted journal");
            assertTrue(frozen.info().frozen(), "frozen survives compaction");
            assertEquals(1, frozen.programView(0).ringbufQuery(RingLayout.RB_AVAIL_DATA) / 16);
            assertEquals(List.of(401), readAll(k, ring, Integer.MAX_VALUE));
            assertEquals(List.of(400), drainAll(user));
            assertTrue(ring.programView(1).ringbufOutput(record(402), 0));
            events2 = Image.of(memory(k, ring));
            k.compactState();
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS); BpfMap user = k.openPinned(COMMANDS)) {
            Image.of(memory(k, ring)).assertSame(events2, "compacted twice");
            assertEquals(List.of(402), readAll(k, ring, Integer.MAX_VALUE));
            assertEquals(List.of(), drainAll(user));
        }
    }

    @Test
    void aCompactedRingComesBackByteForByte() {
        Image before;
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
            ring.pin(EVENTS);
            for (int seq = 0; seq < 150; seq++) {
                assertTrue(ring.programView(0).ringbufOutput(record(seq), 0));
                if (seq % 30 == 29) {
                    readAll(k, ring, 20);
                }
            }
            k.compactState();
            before = Image.of(memory(k, ring));
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS)) {
            Image.of(memory(k, ring)).assertSame(before, "after compaction");
            assertEquals(range(100, 150), readAll(k, ring, Integer.MAX_VALUE));
        }
    }

    @Test
    void aTornRingRecordIsIgnoredAndADamagedOneRefused() throws IOException {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        try (SimulatedKernel k = kernel()) {
            BpfMap ring = k.create(MapSpec.builder(MapType.RINGBUF).maxEntries(4096).build());
            ring.pin(EVENTS);
            for (int seq = 0; seq < 5; seq++) {
                assertTrue(ring.programView(0).ringbufOutput(record(seq), 0));
            }
        }
        byte[] original = Files.readAllBytes(journal);
        Journal.Contents c = Journal.read(journal);
        long last = c.offsets().get(c.offsets().size() - 1);
        byte[] damaged = original.clone();
        damaged[(int) last + Journal.PAYLOAD_OFFSET + 30] ^= 0x04; // inside the last output's record
        Files.write(journal, damaged);
        CorruptStateException e = assertThrows(CorruptStateException.class, this::kernel);
        assertEquals(last, e.offset(), e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(journal), "a damaged journal is left as it is");
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(original));
            ch.truncate(last + 20); // torn inside the last output's record
        }
        try (SimulatedKernel k = kernel(); BpfMap ring = k.openPinned(EVENTS)) {
            assertEquals(range(0, 4), readAll(k, ring, Integer.MAX_VALUE), "the torn output never happened");
        }
    }

    @Test
    void aVersion2JournalLoadsAndIsRewrittenAsVersion3() {
        Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
        try (SimulatedKernel k = kernel()) {
            k.create(MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build()).pin("/sys/fs/bpf/h");
        }
        List<byte[]> records = new ArrayList<>(Journal.read(journal).records());
        byte[] header = records.get(0).clone();
        ByteBuffer.wrap(header).putInt(1, 2); // what the previous simulator wrote: no ring records
        records.set(0, header);
        Journal.rewrite(journal, records);
        try (SimulatedKernel k = kernel(); BpfMap h = k.openPinned("/sys/fs/bpf/h")) {
            assertEquals(MapType.HASH, h.type());
        }
        assertEquals(Persistence.VERSION, ByteBuffer.wrap(Journal.read(journal).records().get(0)).getInt(1),
                "the header was upgraded before any version 3 record could follow it");
        ByteBuffer.wrap(header).putInt(1, 4);
        records.set(0, header);
        Journal.rewrite(journal, records);
        CorruptStateException e = assertThrows(CorruptStateException.class, this::kernel);
        assertTrue(e.getMessage().contains("journal version 4"), e.getMessage());
    }
}
