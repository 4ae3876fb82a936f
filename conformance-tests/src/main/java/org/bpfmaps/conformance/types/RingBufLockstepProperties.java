package org.bpfmaps.conformance.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.conformance.Bytes;

/**
 * Ring buffers on two backends in lockstep. RINGBUF: the same producer sequence (program-view output,
 * reserve-then-submit, reserve-then-discard, random record sizes and occasionally bad flags, running into a
 * full ring) with consumes of random length in between; per step both backends must give the same result
 * (written / no room / errno), the same four {@code bpf_ringbuf_query} values and the same consumed records in
 * order. USER_RINGBUF: the same writer sequence (write, reserve-submit, reserve-discard, full ring) and
 * {@code bpf_user_ringbuf_drain} calls must drain the same samples with the same counts and free space.
 * Program views run on CPU 0 with the thread pinned there.
 */
public abstract class RingBufLockstepProperties {

    protected abstract MapBackend newBackendA();

    protected abstract MapBackend newBackendB();

    private static byte[] payload(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static String consumed(RingBufferReader reader, int max) {
        StringBuilder sb = new StringBuilder();
        int n = reader.consume((ring, rec) -> {
            byte[] c = new byte[rec.remaining()];
            rec.get(c);
            sb.append(Bytes.hex(c)).append(';');
        }, max);
        return n + " records " + sb;
    }

    private static String produce(ProgramView p, int kind, byte[] data, long flags) {
        try {
            boolean ok;
            switch (kind) {
                case 0:
                    ok = p.ringbufOutput(data, flags);
                    break;
                case 1:
                    ok = p.ringbufReserveSubmit(data, flags);
                    break;
                default:
                    ok = p.ringbufReserveDiscard(data.length, flags);
                    break;
            }
            return ok ? "written" : "no room";
        } catch (BpfException e) {
            return "E" + e.errno();
        }
    }

    private static String query(ProgramView p) {
        return p.ringbufQuery(0) + "/" + p.ringbufQuery(1) + "/" + p.ringbufQuery(2) + "/" + p.ringbufQuery(3);
    }

    @Property(tries = 100)
    void ringbufSequencesAgree(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int sizeClass) {
        SplittableRandom r = new SplittableRandom(seed);
        int ringSize = 4096 << sizeClass;
        // reserve programs are loaded per record size: a handful of sizes per try, any size for output
        int[] reserveSizes = new int[6];
        for (int i = 0; i < reserveSizes.length; i++) {
            reserveSizes[i] = 1 + r.nextInt(i == 0 ? 2000 : 200);
        }
        MapSpec spec = MapSpec.builder(MapType.RINGBUF).maxEntries(ringSize).build();
        List<String> log = new ArrayList<>();
        try (MapBackend a = newBackendA(); MapBackend b = newBackendB()) {
            b.onCpu(0, () -> {
                try (BpfMap ma = a.create(spec); BpfMap mb = b.create(spec);
                     ProgramView pa = ma.programView(0); ProgramView pb = mb.programView(0);
                     RingBufferReader ra = a.ringBufferReader(ma); RingBufferReader rb = b.ringBufferReader(mb)) {
                    for (int step = 0; step < 400; step++) {
                        int what = r.nextInt(100);
                        String op;
                        String ea;
                        String eb;
                        if (what < 80) {
                            int kind = r.nextInt(3);
                            int size = kind == 0 ? 1 + r.nextInt(r.nextInt(8) == 0 ? 3000 : 300)
                                    : reserveSizes[r.nextInt(reserveSizes.length)];
                            long flags = r.nextInt(25) == 0 ? 4 + r.nextInt(4) : r.nextInt(3);
                            byte[] data = payload(r, size);
                            op = new String[] {"output", "reserve+submit", "reserve+discard"}[kind] + " " + size
                                    + " flags " + flags;
                            ea = produce(pa, kind, data, flags) + " q " + query(pa);
                            eb = produce(pb, kind, data, flags) + " q " + query(pb);
                        } else {
                            int max = r.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + r.nextInt(5);
                            op = "consume " + max;
                            ea = consumed(ra, max) + " avail " + ra.available(ma) + " q " + query(pa);
                            eb = consumed(rb, max) + " avail " + rb.available(mb) + " q " + query(pb);
                        }
                        log.add(step + " " + op + "\n    A: " + ea + "\n    B: " + eb);
                        if (!ea.equals(eb)) {
                            int from = Math.max(0, log.size() - 12);
                            assertEquals(ea, eb, "ring " + ringSize + ", seed " + seed + ", step " + step
                                    + "; last steps:\n" + String.join("\n", log.subList(from, log.size())));
                        }
                    }
                    String ea = consumed(ra, Integer.MAX_VALUE) + " q " + query(pa);
                    String eb = consumed(rb, Integer.MAX_VALUE) + " q " + query(pb);
                    assertEquals(ea, eb, "final consume, seed " + seed);
                }
            });
        }
    }

    @Property(tries = 100)
    void userRingbufSequencesAgree(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1) int sizeClass) {
        SplittableRandom r = new SplittableRandom(seed);
        int ringSize = 4096 << sizeClass;
        MapSpec spec = MapSpec.builder(MapType.USER_RINGBUF).maxEntries(ringSize).build();
        try (MapBackend a = newBackendA(); MapBackend b = newBackendB()) {
            b.onCpu(0, () -> {
                try (BpfMap ma = a.create(spec); BpfMap mb = b.create(spec);
                     ProgramView pa = ma.programView(0); ProgramView pb = mb.programView(0);
                     UserRingBufferWriter wa = a.userRingBufferWriter(ma);
                     UserRingBufferWriter wb = b.userRingBufferWriter(mb)) {
                    for (int step = 0; step < 300; step++) {
                        int what = r.nextInt(100);
                        String ea;
                        String eb;
                        String op;
                        if (what < 75) {
                            int size = 1 + r.nextInt(r.nextInt(10) == 0 ? 2500 : 200);
                            byte[] data = payload(r, size);
                            int kind = r.nextInt(4);
                            op = (kind <= 1 ? "write " : kind == 2 ? "reserve+submit " : "reserve+discard ") + size;
                            ea = userWrite(wa, kind, data);
                            eb = userWrite(wb, kind, data);
                        } else {
                            long flags = r.nextInt(10) == 0 ? 4 : r.nextInt(3);
                            op = "drain flags " + flags;
                            ea = drain(pa, flags) + " free " + wa.free();
                            eb = drain(pb, flags) + " free " + wb.free();
                        }
                        assertEquals(ea, eb, "user ring " + ringSize + ", seed " + seed + ", step " + step + ": "
                                + op);
                    }
                    assertEquals(drain(pa, 0), drain(pb, 0), "final drain, seed " + seed);
                }
            });
        }
    }

    private static String userWrite(UserRingBufferWriter w, int kind, byte[] data) {
        try {
            if (kind <= 1) {
                return w.write(data) ? "written free " + w.free() : "no room free " + w.free();
            }
            UserRingBufferWriter.Reservation res = w.reserve(data.length);
            res.buffer().put(data);
            if (kind == 2) {
                res.submit();
            } else {
                res.discard();
            }
            return "reserved free " + w.free();
        } catch (BpfException e) {
            return "E" + e.errno() + " free " + w.free();
        }
    }

    private static String drain(ProgramView p, long flags) {
        StringBuilder sb = new StringBuilder();
        try {
            int n = p.userRingbufDrain(s -> sb.append(Bytes.hex(s)).append(';'), flags);
            return "drained " + n + " " + sb;
        } catch (BpfException e) {
            return "E" + e.errno() + " " + sb;
        }
    }
}
