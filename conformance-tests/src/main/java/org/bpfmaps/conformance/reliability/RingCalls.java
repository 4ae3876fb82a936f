package org.bpfmaps.conformance.reliability;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bpfmaps.Access;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.ProgramView;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.reliability.FuzzCase.Kind;
import org.bpfmaps.conformance.reliability.FuzzCase.Op;

/**
 * The ring-buffer calls of one bad-input case on one backend: the reader ({@link RingBufferReader}), the user ring
 * writer ({@link UserRingBufferWriter}) and the ring helpers of a program view, with the state they carry between
 * calls (an open reader or writer, outstanding reservations, extra descriptors).
 *
 * <p>Exists so {@link FuzzRunner} can send the same ring calls to both backends and compare the lines. The
 * arguments come from an {@link Op}'s fields:
 * <ul>
 *   <li><b>descriptor</b> ({@code keyIndex}): 0..4 the created map, 5 a read-only and 6 a write-only descriptor
 *       opened by id (when the created map is still open), 7 the created map listed twice (reader) or itself;</li>
 *   <li><b>record size</b> ({@code value} length class, relative to the ring's size {@code S}): exact
 *       {@code 1 + 7 x count}, short {@code S - 8 - delta}, long {@code S - 8 + delta}, empty 0, null
 *       {@code count} itself (negative, huge), so sizes sit on both sides of "fits an empty ring" (a RINGBUF
 *       record of {@code round_up(size + 8, 8) > S - 8} never fits; a USER_RINGBUF one {@code > S});</li>
 *   <li><b>max records</b> of a consume: {@code count} (negative is EINVAL); descriptor 7: the handler throws on
 *       the second record, which must stay unconsumed;</li>
 *   <li><b>flags</b> of output/submit/discard/query/drain as generated (unknown bits included);</li>
 *   <li><b>CPU</b> of a program view as generated (impossible CPUs included).</li>
 * </ul>
 * A reservation's buffer is written right after the reserve and never after a submit, discard or close (its
 * memory is unmapped then). Polls use a zero timeout, 1 ms (descriptor 0, long size class) or a negative one.
 */
final class RingCalls implements AutoCloseable {
    /** Thrown by a handler that stops a consume on purpose. */
    private static final class HandlerStop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerStop() {
            super("handler stops on purpose", null, false, false);
        }
    }

    private final MapBackend backend;
    private final BpfMap map;
    private final int id;
    private BpfMap readOnly;
    private BpfMap writeOnly;
    private RingBufferReader reader;
    private UserRingBufferWriter writer;
    private final Deque<UserRingBufferWriter.Reservation> outstanding = new ArrayDeque<>();
    private UserRingBufferWriter.Reservation finished;
    private final Map<Long, ProgramView> views = new TreeMap<>();

    RingCalls(MapBackend backend, BpfMap map) {
        this.backend = backend;
        this.map = map;
        this.id = map.id();
    }

    /** The ring size sizes are relative to: the map's max_entries when it is a ring, else one page. */
    private long ringSize() {
        return map.type().isRingBuffer() ? Integer.toUnsignedLong(map.maxEntries()) : 4096;
    }

    static int recordSize(Op op, long ringSize) {
        long n = switch (op.value().length()) {
            case EXACT -> 1L + 7L * op.count();
            case SHORT -> ringSize - 8 - op.value().delta();
            case LONG -> ringSize - 8 + op.value().delta();
            case EMPTY -> 0;
            case NULL -> op.count();
        };
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }

    /**
     * Data of {@code size} bytes, capped at the ring's size + 64: any record that long already never fits (the
     * same refusal as a longer one), and huge sizes would only cost allocation.
     */
    private byte[] data(int size, int seed) {
        int n = (int) Math.min(Math.max(size, 0), ringSize() + 64);
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (seed + i * 31);
        }
        return d;
    }

    private BpfMap handle(int variant) {
        if (variant == 5 || variant == 6) {
            if (variant == 5 && readOnly == null && !map.isClosed()) {
                readOnly = backend.openById(id, Access.READ_ONLY);
            }
            if (variant == 6 && writeOnly == null && !map.isClosed()) {
                writeOnly = backend.openById(id, Access.WRITE_ONLY);
            }
            BpfMap h = variant == 5 ? readOnly : writeOnly;
            return h != null ? h : map;
        }
        return map;
    }

    private RingBufferReader reader() {
        if (reader == null) {
            reader = backend.ringBufferReader(map);
        }
        return reader;
    }

    private UserRingBufferWriter writer() {
        if (writer == null) {
            writer = backend.userRingBufferWriter(map);
        }
        return writer;
    }

    private ProgramView view(Op op) {
        long key = ((long) op.keyIndex() << 32) | (op.cpu() & 0xffffffffL);
        ProgramView v = views.get(key);
        if (v == null) {
            v = handle(op.keyIndex()).programView(op.cpu());
            views.put(key, v);
        }
        return v;
    }

    /** Makes the call {@code op} names and renders its result. */
    String call(Op op) {
        int size = recordSize(op, ringSize());
        int seed = op.keyIndex() * 37 + op.count();
        switch (op.kind()) {
            case RING_READER_OPEN: {
                if (reader != null) {
                    reader.close();
                    reader = null;
                }
                BpfMap h = handle(op.keyIndex());
                reader = op.keyIndex() == 7 ? backend.ringBufferReader(h, h) : backend.ringBufferReader(h);
                return "";
            }
            case RING_CONSUME: {
                RingBufferReader r = reader();
                List<String> records = new ArrayList<>();
                boolean stop = op.keyIndex() == 7;
                try {
                    int n = r.consume((ring, rec) -> {
                        if (stop && records.size() == 1) {
                            throw new HandlerStop();
                        }
                        records.add(hex(rec));
                    }, op.count());
                    return n + " " + records;
                } catch (HandlerStop e) {
                    return "stopped after " + records;
                }
            }
            case RING_POLL: {
                Duration timeout = switch (op.value().length()) {
                    case SHORT -> Duration.ofMillis(-1);
                    case LONG -> op.keyIndex() == 0 ? Duration.ofMillis(1) : Duration.ZERO;
                    default -> Duration.ZERO;
                };
                List<String> records = new ArrayList<>();
                int n = reader().poll((ring, rec) -> records.add(hex(rec)), timeout);
                return n + " " + records;
            }
            case RING_AVAILABLE:
                return String.valueOf(reader().available(op.keyIndex() == 6 ? handle(5) : map));
            case RING_WAKEUP:
                reader().wakeup();
                return "";
            case RING_READER_CLOSE:
                reader().close();
                return "";
            case RING_WRITER_OPEN: {
                if (writer != null) {
                    writer.close();
                    outstanding.clear();
                    writer = null;
                }
                writer = backend.userRingBufferWriter(handle(op.keyIndex()));
                return "";
            }
            case RING_WRITE:
                return writer().write(data(size, seed)) ? "written" : "no room";
            case RING_RESERVE: {
                UserRingBufferWriter.Reservation res = writer().reserve(size);
                ByteBuffer b = res.buffer();
                byte[] d = data(size, seed);
                if (b.remaining() != d.length) {
                    throw new AssertionError("reservation of " + size + " bytes has a buffer of " + b.remaining());
                }
                b.duplicate().put(d);
                outstanding.addLast(res);
                return "reserved";
            }
            case RING_SUBMIT, RING_DISCARD: {
                UserRingBufferWriter.Reservation res;
                if (op.keyIndex() == 7 && finished != null) {
                    res = finished; // a second submit or discard of the same reservation
                } else if (outstanding.isEmpty()) {
                    return "nothing outstanding";
                } else {
                    res = op.keyIndex() % 2 == 0 ? outstanding.pollFirst() : outstanding.pollLast();
                }
                finished = res;
                try {
                    if (op.kind() == Kind.RING_SUBMIT) {
                        res.submit();
                    } else {
                        res.discard();
                    }
                } catch (IllegalStateException e) {
                    return "IllegalStateException (finished twice)";
                }
                return "";
            }
            case RING_FREE:
                return String.valueOf(writer().free());
            case RING_WRITER_CLOSE:
                writer().close();
                return "";
            case RING_OUTPUT:
                return view(op).ringbufOutput(data(size, seed), op.flags()) ? "written" : "no room";
            case RING_RESERVE_SUBMIT:
                return view(op).ringbufReserveSubmit(data(size, seed), op.flags()) ? "written" : "no room";
            case RING_RESERVE_DISCARD:
                return view(op).ringbufReserveDiscard(size, op.flags()) ? "discarded" : "no room";
            case RING_QUERY:
                return String.valueOf(view(op).ringbufQuery(op.flags()));
            case RING_DRAIN: {
                List<String> samples = new ArrayList<>();
                int n = view(op).userRingbufDrain(s -> samples.add(Bytes.hex(s)), op.flags());
                return n + " " + samples;
            }
            default:
                throw new IllegalArgumentException(op.kind() + " is not a ring call");
        }
    }

    private static String hex(ByteBuffer rec) {
        byte[] b = new byte[rec.remaining()];
        rec.duplicate().get(b);
        return Bytes.hex(b);
    }

    /** Closes what the calls opened: writer (discarding outstanding reservations), reader, views, descriptors. */
    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        if (writer != null) {
            all.add(writer);
        }
        if (reader != null) {
            all.add(reader);
        }
        all.addAll(views.values());
        if (readOnly != null) {
            all.add(readOnly);
        }
        if (writeOnly != null) {
            all.add(writeOnly);
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (BpfException ignored) {
                // a view of a closed map may refuse; closing the descriptors below releases what it holds
            } catch (Exception e) {
                throw new AssertionError("closing " + c + " failed", e);
            }
        }
    }
}
