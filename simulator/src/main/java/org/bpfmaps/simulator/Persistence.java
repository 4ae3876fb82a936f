package org.bpfmaps.simulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.state.CorruptStateException;
import org.bpfmaps.simulator.state.Journal;
import org.bpfmaps.simulator.ringbuf.RingMemory;
import org.bpfmaps.simulator.state.StateDirectory;

/**
 * The persisted state of a {@link SimulatedKernel}: a journal of every call that changed it, replayed at start.
 *
 * <p>Exists because the simulator is deterministic given the random seeds it draws: replaying the same calls in
 * the same order, each on the CPU it ran on, rebuilds every map exactly, including state that no dump shows (hash
 * seeds and bucket order, frozen flags, ids, LRU lists, bloom filter bits, queue order). Records, one per command
 * (see {@link Journal} for the framing), in {@link DataOutputStream} encoding:
 * <pre>
 *   'H' version cpus root(UTF) lastId compactedBytes       header, always the first record
 *   'C' id seed cpu type(UTF) keySize valueSize maxEntries flags name(UTF) mapExtra numaNode
 *   'P' id path(UTF)          'U' id path(UTF)             pin, unpin (successful ones only)
 *   'D' 0 path(UTF)                                        mkdir
 *   'u' id cpu flags key value errno                       BPF_MAP_UPDATE_ELEM
 *   'd' id cpu key errno                                   BPF_MAP_DELETE_ELEM
 *   'x' id cpu key valueLength errno                       BPF_MAP_LOOKUP_AND_DELETE_ELEM
 *   'l' id cpu key valueLength errno                       BPF_MAP_LOOKUP_ELEM (LRU types only)
 *   'f' id cpu errno                                       BPF_MAP_FREEZE
 *   'b' id cpu command(UTF) inBatch outBatch keys values count elemFlags errno doneCount
 *   'L' 'W' 'E' 'S' 'O' id cpu ...                         program lookup (LRU only), update, delete, push, pop
 *   'R' id consumerPos producerPos pendingPos n (index bytes)*n   ring buffer memory (version 3)
 * </pre>
 * A map-in-map's create record ends with its inner-map template (type, key size, value size, max entries,
 * flags), and its update values (single or batch) are journalled as the inner map's id, or {@code -errno} for a
 * number that resolved to no map, never as the writer's descriptor numbers; a replay resolves them as ids.
 * Byte arrays are a length ({@code -1} for null) and the bytes. Calls that only read (lookups on types whose
 * lookups change nothing, get-next-key, peek, info) are not recorded, nor are calls refused by the descriptor's
 * own checks or by fault injection, which never reach the map. Every recorded call carries the errno it returned;
 * replay checks that it returns the same, so a replay that diverges fails loudly instead of loading a wrong state.
 *
 * <p><b>Ring buffers.</b> {@code RINGBUF} and {@code USER_RINGBUF} maps are not replayed call by call: their memory
 * is what user space and programs share, changed by the ring reader, the user ring writer and the program helpers,
 * each under this object's monitor ({@link RingMemory.Log}). Each change becomes one {@code 'R'} record holding
 * the three positions after it ({@code consumer_pos}, {@code producer_pos}, {@code pending_pos}) and the data
 * ranges it wrote (headers with their BUSY and DISCARD bits, payloads); replay stores them as they are, so the next
 * kernel's ring memory is byte for byte the memory after the last record. What a kill -9 can lose, per side:
 * <ul>
 *   <li>Producers (program {@code ringbufOutput}, {@code ringbufReserveSubmit}, {@code ringbufReserveDiscard};
 *       user ring writer {@code write}, {@code reserve}, submit, discard): each call is one record, written and
 *       {@code fsync}ed before the call returns. Nothing a producer saw succeed is lost; a call killed before its
 *       record is complete never happened (its record is a torn tail), one killed after it but before returning
 *       happened.</li>
 *   <li>Consumers (the ring reader, {@code userRingbufDrain}): each {@code consumer_pos} move is one record,
 *       written (which survives a killed process at once) when the record's handler or callback has returned,
 *       and {@code fsync}ed before the consume, poll or drain call returns (and by any later {@code fsync}ed
 *       record). A process killed inside a handler, or between its return and that write, leaves the record
 *       unconsumed, so the next consumer gets it again, as on the kernel (where the store follows the handler);
 *       no other record is delivered twice. After a power loss the consumer may also lose the progress of the
 *       call that was running.</li>
 *   <li>Reservations outstanding when the process dies: a {@code RINGBUF} record is reserved and committed inside
 *       one program-view call (on the kernel the verifier makes a program release every reservation before it
 *       exits), so none outlives its call. A {@code USER_RINGBUF} reservation is recorded when {@code reserve}
 *       returns (BUSY header, {@code producer_pos} past it) and comes back as the kernel keeps it when a producer
 *       dies holding one: {@code bpf_user_ringbuf_drain} stops at a BUSY sample ({@code -ENODATA} inside
 *       {@code __bpf_user_ringbuf_peek}), the ring's pages live as long as the map, and nothing clears the bit, so
 *       every later drain stops there. Its payload bytes are those the ring held at {@code reserve} (what the
 *       writer wrote into the buffer since is recorded only by submit or discard).</li>
 * </ul>
 * Changes made after the kernel is closed (by a reader or writer still open) are not recorded. Wake-up counts and
 * the drain's busy flag are not ring memory and are not kept.
 *
 * <p>Descriptors are not recorded: the loading process has none of the writer's descriptors, so after the replay
 * every map that no pin holds is dropped, as when a process exits and its descriptors close. Map ids are never
 * reused across processes (the header carries the last id handed out).
 *
 * <p><b>Atomicity.</b> A call is applied, then its record is appended with one write and {@code fsync}ed before
 * the call returns. A process killed before the write completes leaves a torn tail, which loading ignores: the
 * call never happened. All recorded calls of one kernel are serialised by this object's monitor, so the journal
 * order is the order the calls ran in.
 *
 * <p><b>Compaction.</b> {@link #compact(Set)} rewrites the journal (atomically, see
 * {@link Journal#rewrite(Path, List)}) with only what recreates the maps that still exist: {@code HASH},
 * {@code PERCPU_HASH}, {@code ARRAY} and {@code PERCPU_ARRAY} maps as a snapshot (their create record, then batch
 * updates that rebuild every bucket chain in order, or every non-zero array element, then freeze and pins);
 * ring buffers as a snapshot of their memory (their create record, one {@code 'R'} record with the positions and
 * one per 1 MiB of data that is not all zeros, then freeze and pins);
 * every other type (whose internal state cannot be rebuilt from its elements: LRU lists, bloom bits, queue ring
 * positions) with its whole history of records. Loading compacts when the records of maps that are gone are at
 * least half the journal or 1 MiB, or when the journal has grown by more than 1 MiB past twice its size after the
 * last compaction, or when the journal was written by an older version (version 2), whose header it upgrades.
 */
final class Persistence extends MapCalls {

    /** The journal version written; version 2 (no ring records) is read too, and rewritten as 3 when loaded. */
    static final int VERSION = 3;
    /** The oldest journal version read. */
    static final int OLDEST_VERSION = 2;

    static final byte HEADER = 'H';
    static final byte CREATE = 'C';
    static final byte PIN = 'P';
    static final byte UNPIN = 'U';
    static final byte MKDIR = 'D';
    static final byte UPDATE = 'u';
    static final byte DELETE = 'd';
    static final byte LOOKUP_AND_DELETE = 'x';
    static final byte LOOKUP = 'l';
    static final byte FREEZE = 'f';
    static final byte BATCH = 'b';
    static final byte PROG_LOOKUP = 'L';
    static final byte PROG_UPDATE = 'W';
    static final byte PROG_DELETE = 'E';
    static final byte PROG_PUSH = 'S';
    static final byte PROG_POP = 'O';
    static final byte RING = 'R';

    private static final long COMPACT_AT_BYTES = 1 << 20;
    /** Data bytes per {@code 'R'} record of a ring snapshot. */
    private static final int RING_SNAPSHOT_CHUNK = 1 << 20;

    /** The header of a journal. */
    record Header(int version, int cpus, String root, int lastId, long compactedBytes) {
    }

    /** A locked state directory and what its journal held, before a kernel is built from it. */
    static final class Prepared {
        final StateDirectory directory;
        final Journal.Contents contents;
        final Header header;

        Prepared(StateDirectory directory, Journal.Contents contents, Header header) {
            this.directory = directory;
            this.contents = contents;
            this.header = header;
        }
    }

    /** Locks {@code dir} (creating it when missing) and reads its journal, if any. */
    static Prepared prepare(Path dir, Duration lockTimeout) {
        StateDirectory sd = StateDirectory.open(dir, lockTimeout);
        try {
            Path file = sd.journal();
            // left by a process that died while compacting: the rename never happened, the journal is whole
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return new Prepared(sd, null, null);
            }
            Journal.Contents c = Journal.read(file);
            if (c.records().isEmpty()) {
                throw new CorruptStateException(file, Journal.MAGIC.length, "the journal has no header record");
            }
            Header h;
            try {
                DataInputStream in = input(c.records().get(0));
                if (in.readByte() != HEADER) {
                    throw new CorruptStateException(file, c.offsets().get(0), "the first record is not a header");
                }
                int version = in.readInt();
                if (version < OLDEST_VERSION || version > VERSION) {
                    throw new CorruptStateException(file, c.offsets().get(0), "journal version " + version
                            + " is not one of the supported versions " + OLDEST_VERSION + " to " + VERSION);
                }
                h = new Header(version, in.readInt(), in.readUTF(), in.readInt(), in.readLong());
            } catch (IOException e) {
                throw new CorruptStateException(file, c.offsets().get(0), "the header record is truncated");
            }
            return new Prepared(sd, c, h);
        } catch (IOException e) {
            sd.close();
            throw new java.io.UncheckedIOException("cannot clean up simulator state directory " + sd.path(), e);
        } catch (RuntimeException | Error e) {
            sd.close();
            throw e;
        }
    }

    private final SimulatedKernel kernel;
    private final StateDirectory directory;
    private final boolean sync;
    // Guarded by this.
    private Journal journal;
    private IOException broken;
    /** Whether records were written without {@code fsync} since the last one (ring consumer steps). */
    private boolean unsynced;

    Persistence(SimulatedKernel kernel, StateDirectory directory, boolean sync) {
        this.kernel = kernel;
        this.directory = directory;
        this.sync = sync;
    }

    /** The state directory. */
    Path directory() {
        return directory.path();
    }

    // ---- load -----------------------------------------------------------------------------------------------

    /** Replays {@code p}'s journal into the (empty) kernel, then opens the journal for appending. */
    synchronized void load(Prepared p) {
        Path file = directory.journal();
        if (p.contents == null) {
            Journal.rewrite(file, List.of(header(0)));
            journal = Journal.openForAppend(file, Journal.read(file).goodLength(), sync);
            return;
        }
        List<byte[]> records = p.contents.records();
        List<Long> offsets = p.contents.offsets();
        Map<Integer, MapObject> objects = new HashMap<>();
        kernel.replaySetLastId(p.header.lastId());
        kernel.setReplaying(true);
        try {
            for (int i = 1; i < records.size(); i++) {
                try {
                    replay(records.get(i), objects);
                } catch (IOException e) {
                    throw new CorruptStateException(file, offsets.get(i), "record is truncated (" + e + ")");
                } catch (ReplayException e) {
                    throw new CorruptStateException(file, offsets.get(i), e.getMessage());
                }
            }
        } finally {
            kernel.setReplaying(false);
        }
        for (MapObject o : objects.values()) {
            kernel.dropReference(o); // the writer's descriptors are closed
        }
        Set<Integer> live = kernel.liveIds();
        long dead = 0;
        long total = 0;
        for (int i = 1; i < records.size(); i++) {
            int id = mapIdOf(records.get(i));
            total += records.get(i).length;
            if (id != 0 && !live.contains(id)) {
                dead += records.get(i).length;
            }
        }
        boolean grown = p.contents.goodLength() > 2 * p.header.compactedBytes() + COMPACT_AT_BYTES;
        boolean old = p.header.version() < VERSION; // rewritten with this version's header before records of it
        if ((dead > 0 && (2 * dead >= total || dead >= COMPACT_AT_BYTES)) || grown || old) {
            rewrite(records, live);
        } else {
            journal = Journal.openForAppend(file, p.contents.goodLength(), sync);
        }
    }

    private static final class ReplayException extends Exception {
        private static final long serialVersionUID = 1L;

        ReplayException(String message) {
            super(message);
        }
    }

    private void replay(byte[] record, Map<Integer, MapObject> objects) throws IOException, ReplayException {
        DataInputStream in = input(record);
        byte op = in.readByte();
        int id = in.readInt();
        if (op == MKDIR) {
            String path = in.readUTF();
            if (!kernel.replayMkdir(path)) {
                throw new ReplayException("mkdir " + path + " does not replay");
            }
            return;
        }
        if (op == CREATE) {
            int seed = in.readInt();
            in.readInt(); // cpu: creation does not depend on it
            MapType type;
            try {
                type = MapType.valueOf(in.readUTF());
            } catch (IllegalArgumentException e) {
                throw new ReplayException("unknown map type");
            }
            MapSpec spec = MapSpec.builder(type).keySize(in.readInt()).valueSize(in.readInt())
                    .maxEntries(in.readInt()).flags(in.readInt()).name(in.readUTF()).mapExtra(in.readLong())
                    .numaNode(in.readInt()).build();
            InnerMaps meta = null;
            if (CreateChecks.isMapInMap(type)) {
                MapType innerType;
                try {
                    innerType = MapType.valueOf(in.readUTF());
                } catch (IllegalArgumentException e) {
                    throw new ReplayException("unknown inner map type");
                }
                meta = new InnerMaps(kernel, innerType, in.readInt(), in.readInt(), in.readInt(), in.readInt());
            }
            if (objects.containsKey(id)) {
                throw new ReplayException("map id " + id + " is created twice");
            }
            objects.put(id, kernel.replayCreate(spec, id, seed, meta));
            return;
        }
        MapObject o = objects.get(id);
        if (o == null) {
            throw new ReplayException("record (type '" + (char) op + "') names map id " + id
                    + ", which no earlier record creates");
        }
        if (op == RING) {
            replayRing(o, in);
            return;
        }
        if (op == PIN || op == UNPIN) {
            String path = in.readUTF();
            boolean ok = op == PIN ? kernel.replayPin(o, path) : kernel.replayUnpin(o, path);
            if (!ok) {
                throw new ReplayException((op == PIN ? "pin of map id " : "unpin of map id ") + id + " at " + path
                        + " does not replay");
            }
            return;
        }
        int cpu = in.readInt();
        if (cpu < 0 || cpu >= kernel.possibleCpus()) {
            throw new ReplayException("CPU " + cpu + " is not one of the " + kernel.possibleCpus() + " CPUs");
        }
        int got;
        int expected;
        switch (op) {
            case UPDATE: {
                long flags = in.readLong();
                byte[] k = readBytes(in);
                byte[] v = readBytes(in);
                got = kernel.onCpu(cpu, () -> o.update(w(k), w(v), flags));
                break;
            }
            case DELETE: {
                byte[] k = readBytes(in);
                got = kernel.onCpu(cpu, () -> o.delete(w(k)));
                break;
            }
            case LOOKUP_AND_DELETE: {
                byte[] k = readBytes(in);
                byte[] v = new byte[in.readInt()];
                got = kernel.onCpu(cpu, () -> o.lookupAndDelete(w(k), w(v)));
                break;
            }
            case LOOKUP: {
                byte[] k = readBytes(in);
                byte[] v = new byte[in.readInt()];
                got = kernel.onCpu(cpu, () -> o.lookup(w(k), w(v)));
                break;
            }
            case FREEZE:
                got = o.freeze();
                break;
            case BATCH: {
                BpfCommand command;
                try {
                    command = BpfCommand.valueOf(in.readUTF());
                } catch (IllegalArgumentException e) {
                    throw new ReplayException("unknown batch command");
                }
                byte[] inBatch = readBytes(in);
                byte[] outBatch = readBytes(in);
                byte[] keys = readBytes(in);
                byte[] values = readBytes(in);
                int count = in.readInt();
                long elemFlags = in.readLong();
                MapObject.Batch b = kernel.onCpu(cpu,
                        () -> o.batch(command, inBatch, outBatch, keys, values, count, elemFlags));
                got = b.errno();
                expected = in.readInt();
                int done = in.readInt();
                if (got != expected || b.count() != done) {
                    throw new ReplayException(command + " on map id " + id + " replays as errno " + got + ", count "
                            + b.count() + " where the journal says errno " + expected + ", count " + done);
                }
                return;
            }
            case PROG_LOOKUP: {
                byte[] k = readBytes(in);
                byte[] v = new byte[in.readInt()];
                got = kernel.onCpu(cpu, () -> o.programLookup(w(k), w(v), cpu));
                break;
            }
            case PROG_UPDATE: {
                long flags = in.readLong();
                byte[] k = readBytes(in);
                byte[] v = readBytes(in);
                got = kernel.onCpu(cpu, () -> o.programUpdate(w(k), w(v), flags, cpu));
                break;
            }
            case PROG_DELETE: {
                byte[] k = readBytes(in);
                got = kernel.onCpu(cpu, () -> o.programDelete(w(k)));
                break;
            }
            case PROG_PUSH:
            case PROG_POP: {
                if (!(o instanceof DelegatedMapObject d)) {
                    throw new ReplayException("push/pop on map id " + id + ", a " + o.type);
                }
                if (op == PROG_PUSH) {
                    long flags = in.readLong();
                    byte[] v = readBytes(in);
                    got = kernel.onCpu(cpu, () -> d.programPush(w(v), flags));
                } else {
                    byte[] v = new byte[in.readInt()];
                    got = kernel.onCpu(cpu, () -> d.programPop(w(v)));
                }
                break;
            }
            default:
                throw new ReplayException("unknown record type '" + (char) op + "'");
        }
        expected = in.readInt();
        if (got != expected) {
            throw new ReplayException("record type '" + (char) op + "' on map id " + id + " replays as errno " + got
                    + " where the journal says " + expected + " (was the state written by a different simulator?)");
        }
    }

    /** Sets a ring's memory as an {@code 'R'} record says (positions, then each data range). */
    private static void replayRing(MapObject o, DataInputStream in) throws IOException, ReplayException {
        if (!(o instanceof DelegatedMapObject d) || d.ringBuffer() == null) {
            throw new ReplayException("ring record on map id " + o.id + ", a " + o.type);
        }
        RingMemory m = d.ringBuffer().memory();
        long cons = in.readLong();
        long prod = in.readLong();
        long pend = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new ReplayException("ring record on map id " + o.id + " has " + n + " ranges");
        }
        m.restore(cons, prod, pend, 0, null);
        for (int k = 0; k < n; k++) {
            int index = in.readInt();
            byte[] bytes = readBytes(in);
            if (bytes == null) {
                throw new ReplayException("ring record on map id " + o.id + " has a range without bytes");
            }
            try {
                m.restore(cons, prod, pend, index, bytes);
            } catch (IllegalArgumentException e) {
                throw new ReplayException("ring record on map id " + o.id + ": " + e.getMessage());
            }
        }
    }

    // ---- ring buffers -------------------------------------------------------------------------------------

    /** Gives a ring buffer map's memory a log that records its changes in this journal; other maps need none. */
    void attach(MapObject o) {
        if (o instanceof DelegatedMapObject d && d.ringBuffer() != null) {
            RingMemory m = d.ringBuffer().memory();
            m.log(new RingLog(o.id, m));
        }
    }

    /**
     * The log of one ring's memory: each change runs under this object's monitor (so the journal's order is the
     * order of the ring's changes, producers' and consumers' alike) and becomes one {@code 'R'} record with the
     * positions after it and the data bytes it wrote.
     */
    private final class RingLog implements RingMemory.Log {
        private final int id;
        private final RingMemory memory;

        RingLog(int id, RingMemory memory) {
            this.id = id;
            this.memory = memory;
        }

        @Override
        public <T> T change(boolean durable, java.util.function.Supplier<T> op) {
            synchronized (Persistence.this) {
                if (journal == null && broken == null) {
                    return op.get(); // the kernel was closed: its state directory is released, its state final
                }
                checkUsable();
                try {
                    return op.get();
                } finally {
                    RingMemory.Changes c = memory.takeChanges();
                    if (c != null) {
                        appendRing(ringRecord(id, c, memory), durable);
                    } else if (durable && unsynced) {
                        forceJournal();
                    }
                }
            }
        }

        @Override
        public void sync() {
            synchronized (Persistence.this) {
                if (unsynced && journal != null) {
                    forceJournal();
                }
            }
        }
    }

    /** An {@code 'R'} record: the positions, then each changed data range. */
    private static byte[] ringRecord(int id, RingMemory.Changes c, RingMemory m) {
        Out o = new Out(RING, id).l(c.consumerPos()).l(c.producerPos()).l(c.pendingPos()).i(c.rangeCount());
        int[] r = c.ranges();
        for (int k = 0; k < r.length; k += 2) {
            o.i(r[k]).b(m.dataBytes(r[k], r[k + 1]));
        }
        return o.bytes();
    }

    private void appendRing(byte[] record, boolean durable) {
        checkUsable();
        try {
            journal.append(record, durable);
        } catch (UncheckedIOException e) {
            broken = e.getCause();
            throw e;
        }
        unsynced = !durable;
    }

    private void forceJournal() {
        try {
            journal.force();
        } catch (UncheckedIOException e) {
            broken = e.getCause();
            throw e;
        }
        unsynced = false;
    }

    /** Records that rebuild a ring's memory: its positions and every data chunk that is not all zeros. */
    private static void ringSnapshot(MapObject o, RingMemory m, List<byte[]> out) {
        long cons = m.consumerPos();
        long prod = m.producerPos();
        long pend = m.pendingPos();
        out.add(new Out(RING, o.id).l(cons).l(prod).l(pend).i(0).bytes());
        int chunk = Math.min(m.size(), RING_SNAPSHOT_CHUNK);
        for (int index = 0; index < m.size(); index += chunk) {
            byte[] bytes = m.dataBytes(index, chunk);
            boolean zero = true;
            for (byte b : bytes) {
                if (b != 0) {
                    zero = false;
                    break;
                }
            }
            if (!zero) {
                out.add(new Out(RING, o.id).l(cons).l(prod).l(pend).i(1).i(index).b(bytes).bytes());
            }
        }
    }

    // ---- kernel calls -------------------------------------------------------------------------------------

    synchronized void logCreate(MapSpec spec, int id, int seed, InnerMaps meta) {
        Out o = new Out(CREATE, id);
        o.i(seed).i(kernel.currentCpu()).s(spec.type().name()).i(spec.keySize()).i(spec.valueSize())
                .i(spec.maxEntries()).i(spec.flags()).s(spec.name()).l(spec.mapExtra()).i(spec.numaNode());
        if (meta != null) {
            o.s(meta.type().name()).i(meta.keySize()).i(meta.valueSize()).i(meta.maxEntries()).i(meta.flags());
        }
        append(o);
    }

    synchronized void logPin(MapObject object, String path) {
        append(new Out(PIN, object.id).s(path));
    }

    synchronized void logUnpin(MapObject object, String path) {
        append(new Out(UNPIN, object.id).s(path));
    }

    synchronized void logMkdir(String path) {
        append(new Out(MKDIR, 0).s(path));
    }

    /** Rewrites the journal with only the records of maps in {@code live} (and directories). */
    synchronized void compact(Set<Integer> live) {
        checkUsable();
        Journal.Contents c = Journal.read(directory.journal());
        List<byte[]> records = c.records();
        journal.close();
        journal = null;
        rewrite(records, live);
    }

    private void rewrite(List<byte[]> records, Set<Integer> live) {
        Map<Integer, MapObject> objects = kernel.liveObjects();
        Map<Integer, byte[]> creates = new java.util.TreeMap<>();
        for (MapObject o : objects.values()) {
            if (snapshots(o)) {
                creates.put(o.id, null);
            }
        }
        List<byte[]> kept = new ArrayList<>();
        kept.add(null); // the header, once the size is known
        for (int i = 1; i < records.size(); i++) {
            byte[] r = records.get(i);
            int id = mapIdOf(r);
            if (creates.containsKey(id)) {
                if (r[0] == CREATE) {
                    creates.put(id, r);
                }
            } else if (id == 0 || live.contains(id)) {
                kept.add(r);
            }
        }
        // map-in-map snapshots last: their slots name maps that the records before them create
        List<Map.Entry<Integer, byte[]>> order = new ArrayList<>(creates.entrySet());
        order.sort(java.util.Comparator.comparing(e -> mapInMap(objects.get(e.getKey()))));
        for (Map.Entry<Integer, byte[]> e : order) {
            if (e.getValue() == null) {
                throw new IllegalStateException("no create record for live map id " + e.getKey() + " in "
                        + directory.journal());
            }
            kept.add(e.getValue());
            snapshot(objects.get(e.getKey()), kept);
        }
        long size = Journal.MAGIC.length;
        for (int i = 1; i < kept.size(); i++) {
            size += kept.get(i).length + Journal.OVERHEAD;
        }
        kept.set(0, header(size));
        Path file = directory.journal();
        Journal.rewrite(file, kept);
        journal = Journal.openForAppend(file, Journal.read(file).goodLength(), sync);
    }

    /** Whether compaction writes {@code o} as a snapshot rather than its history. */
    private static boolean snapshots(MapObject o) {
        return o instanceof ArrayOfMaps || o instanceof HashOfMaps
                || (o instanceof DelegatedMapObject d && d.ringBuffer() != null)
                || (o.getClass() == HashTable.class && (o.type == MapType.HASH || o.type == MapType.PERCPU_HASH))
                || (o.getClass() == ArrayTable.class && (o.type == MapType.ARRAY || o.type == MapType.PERCPU_ARRAY));
    }

    /** Records (after the create record) that rebuild {@code o} in a new kernel: batch updates, freeze, pins. */
    private void snapshot(MapObject o, List<byte[]> out) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        if (o instanceof DelegatedMapObject d && d.ringBuffer() != null) {
            ringSnapshot(o, d.ringBuffer().memory(), out);
        } else if (o instanceof ArrayOfMaps a) {
            // a slot is journalled as an update by inner map id (what a replay resolves values as)
            a.forEachSlot((key, innerId) -> {
                keys.add(key);
                values.add(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(innerId).array());
            });
        } else if (o instanceof HashTable h) {
            for (HashTable.Element e : h.rebuildOrder()) {
                keys.add(e.key);
                values.add(e.value);
            }
        } else {
            ((ArrayTable) o).forEachNonZero((value, index) -> {
                keys.add(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(index).array());
                values.add(value);
            });
        }
        int perRecord = Math.max(1, Math.min(4096, (1 << 20) / (o.keySize + o.valueBufferSize + 1)));
        for (int start = 0; start < keys.size(); start += perRecord) {
            int n = Math.min(perRecord, keys.size() - start);
            byte[] k = new byte[n * o.keySize];
            byte[] v = new byte[n * o.valueBufferSize];
            for (int i = 0; i < n; i++) {
                System.arraycopy(keys.get(start + i), 0, k, i * o.keySize, o.keySize);
                System.arraycopy(values.get(start + i), 0, v, i * o.valueBufferSize, o.valueBufferSize);
            }
            out.add(new Out(BATCH, o.id).i(0).s(BpfCommand.BPF_MAP_UPDATE_BATCH.name()).b(null).b(null).b(k).b(v)
                    .i(n).l(0).i(0).i(n).bytes());
        }
        if (o.isFrozen()) {
            out.add(new Out(FREEZE, o.id).i(0).i(0).bytes());
        }
        for (String path : kernel.pinsOf(o)) {
            out.add(new Out(PIN, o.id).s(path).bytes());
        }
    }

    /** Closes the journal and releases the directory's lock. */
    synchronized void close() {
        try {
            if (journal != null) {
                if (unsynced && broken == null) {
                    forceJournal();
                }
                journal.close();
                journal = null;
            }
        } finally {
            directory.close();
        }
    }

    // ---- map calls ----------------------------------------------------------------------------------------

    /** Whether lookups change state that later calls see (LRU reference bits and lists). */
    static boolean readsChangeState(MapType type) {
        return type == MapType.LRU_HASH || type == MapType.LRU_PERCPU_HASH;
    }

    @Override
    int lookup(MapObject o, ByteBuffer key, ByteBuffer value) {
        if (!readsChangeState(o.type)) {
            return o.lookup(key, value);
        }
        synchronized (this) {
            checkUsable();
            byte[] k = copy(key, o.keySize);
            int err = o.lookup(key, value);
            append(new Out(LOOKUP, o.id).i(kernel.currentCpu()).b(k).i(o.valueBufferSize).i(err));
            return err;
        }
    }

    /**
     * Whether {@code o} is a map-in-map, whose calls take the kernel's monitor (slot references), so that the
     * journal's monitor must be taken after it (the kernel's order: create and pin hold the kernel's monitor when
     * they log).
     */
    private static boolean mapInMap(MapObject o) {
        return CreateChecks.isMapInMap(o.type);
    }

    @Override
    int update(MapObject o, ByteBuffer key, ByteBuffer value, long flags) {
        if (!mapInMap(o)) {
            return updateLogged(o, key, value, flags);
        }
        synchronized (kernel) {
            return updateLogged(o, key, value, flags);
        }
    }

    private synchronized int updateLogged(MapObject o, ByteBuffer key, ByteBuffer value, long flags) {
        checkUsable();
        byte[] k = copy(key, o.keySize);
        byte[] v = copy(value, o.valueBufferSize);
        if (mapInMap(o)) {
            MapObject.writeU32(v, 0, InnerMaps.journalValue(kernel, MapObject.readU32(v, 0)));
        }
        int err = o.update(key, value, flags);
        if (o.updatesDependOnDescriptors()) {
            return err; // never stores anything; its errno depends on this process's descriptor table
        }
        append(new Out(UPDATE, o.id).i(kernel.currentCpu()).l(flags).b(k).b(v).i(err));
        return err;
    }

    @Override
    int delete(MapObject o, ByteBuffer key) {
        if (!mapInMap(o)) {
            return deleteLogged(o, key);
        }
        synchronized (kernel) {
            return deleteLogged(o, key);
        }
    }

    private synchronized int deleteLogged(MapObject o, ByteBuffer key) {
        checkUsable();
        byte[] k = copy(key, o.keySize);
        int err = o.delete(key);
        append(new Out(DELETE, o.id).i(kernel.currentCpu()).b(k).i(err));
        return err;
    }

    @Override
    synchronized int lookupAndDelete(MapObject o, ByteBuffer key, ByteBuffer value) {
        checkUsable();
        byte[] k = copy(key, o.keySize);
        int err = o.lookupAndDelete(key, value);
        append(new Out(LOOKUP_AND_DELETE, o.id).i(kernel.currentCpu()).b(k).i(o.valueBufferSize).i(err));
        return err;
    }

    @Override
    synchronized int freeze(MapObject o) {
        checkUsable();
        int err = o.freeze();
        append(new Out(FREEZE, o.id).i(kernel.currentCpu()).i(err));
        return err;
    }

    @Override
    MapObject.Batch batch(MapObject o, BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys,
                          byte[] values, int count, long elemFlags) {
        if (command == BpfCommand.BPF_MAP_LOOKUP_BATCH && !readsChangeState(o.type)) {
            return o.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
        }
        if (!mapInMap(o)) {
            return batchLogged(o, command, inBatch, outBatch, keys, values, count, elemFlags);
        }
        synchronized (kernel) {
            return batchLogged(o, command, inBatch, outBatch, keys, values, count, elemFlags);
        }
    }

    private synchronized MapObject.Batch batchLogged(MapObject o, BpfCommand command, byte[] inBatch,
                                                     byte[] outBatch, byte[] keys, byte[] values, int count,
                                                     long elemFlags) {
        checkUsable();
        byte[] v = clone(values);
        if (mapInMap(o) && command == BpfCommand.BPF_MAP_UPDATE_BATCH && v != null) {
            for (int i = 0; i < count && (i + 1) * 4 <= v.length; i++) {
                MapObject.writeU32(v, i * 4, InnerMaps.journalValue(kernel, MapObject.readU32(v, i * 4)));
            }
        }
        Out rec = new Out(BATCH, o.id).i(kernel.currentCpu()).s(command.name()).b(clone(inBatch))
                .b(clone(outBatch)).b(clone(keys)).b(v).i(count).l(elemFlags);
        MapObject.Batch b = o.batch(command, inBatch, outBatch, keys, values, count, elemFlags);
        append(rec.i(b.errno()).i(b.count()));
        return b;
    }

    @Override
    int programLookup(MapObject o, ByteBuffer key, ByteBuffer value, int cpu) {
        if (!readsChangeState(o.type)) {
            return o.programLookup(key, value, cpu);
        }
        synchronized (this) {
            checkUsable();
            byte[] k = copy(key, o.keySize);
            int err = o.programLookup(key, value, cpu);
            append(new Out(PROG_LOOKUP, o.id).i(cpu).b(k).i(value == null ? 0 : value.remaining()).i(err));
            return err;
        }
    }

    @Override
    synchronized int programUpdate(MapObject o, ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        checkUsable();
        byte[] k = copy(key, o.keySize);
        byte[] v = copy(value, value == null ? 0 : value.remaining());
        int err = o.programUpdate(key, value, flags, cpu);
        append(new Out(PROG_UPDATE, o.id).i(cpu).l(flags).b(k).b(v).i(err));
        return err;
    }

    @Override
    synchronized int programDelete(MapObject o, ByteBuffer key, int cpu) {
        checkUsable();
        byte[] k = copy(key, o.keySize);
        int err = o.programDelete(key);
        append(new Out(PROG_DELETE, o.id).i(cpu).b(k).i(err));
        return err;
    }

    @Override
    synchronized int programPush(DelegatedMapObject o, ByteBuffer value, long flags, int cpu) {
        checkUsable();
        byte[] v = copy(value, value == null ? 0 : value.remaining());
        int err = o.programPush(value, flags);
        append(new Out(PROG_PUSH, o.id).i(cpu).l(flags).b(v).i(err));
        return err;
    }

    @Override
    synchronized int programPop(DelegatedMapObject o, ByteBuffer value, int cpu) {
        checkUsable();
        int n = value == null ? 0 : value.remaining();
        int err = o.programPop(value);
        append(new Out(PROG_POP, o.id).i(cpu).i(n).i(err));
        return err;
    }

    // ---- encoding -----------------------------------------------------------------------------------------

    private byte[] header(long compactedBytes) {
        Out o = new Out(HEADER, VERSION);
        o.i(kernel.possibleCpus()).s(kernel.bpffsRoot()).i(kernel.replayLastId()).l(compactedBytes);
        return o.bytes();
    }

    private void checkUsable() {
        if (broken != null) {
            throw new IllegalStateException("the simulator state in " + directory.path() + " could not be written "
                    + "earlier (" + broken + "); this kernel's later changes are not persisted", broken);
        }
        if (journal == null) {
            throw new IllegalStateException("the simulator state in " + directory.path() + " is closed");
        }
    }

    private void append(Out o) {
        checkUsable();
        try {
            journal.append(o.bytes());
        } catch (UncheckedIOException e) {
            broken = e.getCause();
            throw e;
        }
        unsynced = false; // the fsync covers the ring records written before it
    }

    /** The map id a record is about, 0 for the header and directories. */
    static int mapIdOf(byte[] record) {
        if (record[0] == HEADER || record[0] == MKDIR || record.length < 5) {
            return 0;
        }
        return (record[1] & 0xff) << 24 | (record[2] & 0xff) << 16 | (record[3] & 0xff) << 8 | (record[4] & 0xff);
    }

    private static DataInputStream input(byte[] record) {
        return new DataInputStream(new ByteArrayInputStream(record));
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static ByteBuffer w(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }

    private static byte[] copy(ByteBuffer b, int n) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[n];
        b.get(b.position(), out, 0, n);
        return out;
    }

    private static byte[] clone(byte[] b) {
        return b == null ? null : b.clone();
    }

    /** A record under construction. */
    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        private final DataOutputStream out = new DataOutputStream(bytes);

        Out(byte op, int id) {
            try {
                out.writeByte(op);
                out.writeInt(id);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        Out i(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return this;
        }

        Out l(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return this;
        }

        Out s(String v) {
            try {
                out.writeUTF(v);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return this;
        }

        Out b(byte[] v) {
            try {
                if (v == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(v.length);
                    out.write(v);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
