package org.bpfmaps.simulator.state;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.NotFoundException;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.UserRingBufferWriter;
import org.bpfmaps.simulator.SimulatedKernel;

/**
 * A separate process for {@link RingStateCrossProcessTest}: {@code java -cp <test classpath>
 * org.bpfmaps.simulator.state.RingStateChild MODE DIR [ARGS]}. Every line is written to stdout (unbuffered) right after
 * what it reports has happened, so a parent that kills the process knows what the process saw succeed.
 *
 * <ul>
 *   <li>{@code produce DIR R U}: opens (or creates and pins) {@link #EVENTS} and {@link #COMMANDS}, prints
 *       {@code START}, then outputs records R, R+1, ... to the RINGBUF through the program view and writes records
 *       U, U+1, ... to the USER_RINGBUF through a writer, printing {@code R seq} / {@code U seq} after each success;
 *       a ring that is full gets no more; when both are full it prints {@code FULL} and waits to be killed.</li>
 *   <li>{@code consume DIR}: prints {@code START}, then reads the RINGBUF with a reader, printing {@code C seq} in
 *       the handler, and drains the USER_RINGBUF through the program view, printing {@code D seq} in the callback,
 *       a few records at a time, until both are empty; then prints {@code DONE}. A record whose payload is not
 *       {@link #record(int)} of its sequence number prints {@code BAD}.</li>
 * </ul>
 */
public final class RingStateChild {

    /** The RINGBUF's pin. */
    public static final String EVENTS = "/sys/fs/bpf/events";
    /** The USER_RINGBUF's pin. */
    public static final String COMMANDS = "/sys/fs/bpf/commands";
    /** Size of both rings. */
    public static final int RING_SIZE = 64 * 1024;

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    private RingStateChild() {
    }

    /** A record of {@code 4 + (seq % 37)} bytes: seq as u32 LE, then bytes derived from it. */
    public static byte[] record(int seq) {
        byte[] b = new byte[4 + seq % 37];
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(seq);
        for (int i = 4; i < b.length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** The sequence number of a record. */
    public static int seqOf(byte[] record) {
        return java.nio.ByteBuffer.wrap(record).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static BpfMap openOrCreate(SimulatedKernel kernel, String pin, MapType type) {
        try {
            return kernel.openPinned(pin);
        } catch (NotFoundException e) {
            BpfMap m = kernel.create(MapSpec.builder(type).maxEntries(RING_SIZE).build());
            m.pin(pin);
            return m;
        }
    }

    private static void say(String line) {
        OUT.println(line);
        OUT.flush();
    }

    private static void check(byte[] b) {
        if (!java.util.Arrays.equals(b, record(seqOf(b)))) {
            say("BAD " + seqOf(b) + " " + b.length);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        try (SimulatedKernel kernel = SimulatedKernel.builder().cpus(2).stateDirectory(dir)
                .stateLockTimeout(Duration.ofSeconds(60)).build()) {
            BpfMap events = openOrCreate(kernel, EVENTS, MapType.RINGBUF);
            BpfMap commands = openOrCreate(kernel, COMMANDS, MapType.USER_RINGBUF);
            if (mode.equals("produce")) {
                int r = Integer.parseInt(args[2]);
                int u = Integer.parseInt(args[3]);
                try (UserRingBufferWriter writer = kernel.userRingBufferWriter(commands)) {
                    say("START");
                    boolean rFull = false;
                    boolean uFull = false;
                    while (!rFull || !uFull) {
                        if (!rFull) {
                            if (events.programView(r & 1).ringbufOutput(record(r), 0)) {
                                say("R " + r++);
                            } else {
                                rFull = true;
                            }
                        }
                        if (!uFull) {
                            if (writer.write(record(u))) {
                                say("U " + u++);
                            } else {
                                uFull = true;
                            }
                        }
                    }
                    say("FULL");
                    Thread.sleep(Long.MAX_VALUE);
                }
            } else if (mode.equals("consume")) {
                try (RingBufferReader reader = kernel.ringBufferReader(events)) {
                    say("START");
                    for (;;) {
                        int c = reader.consume((map, rec) -> {
                            byte[] b = new byte[rec.remaining()];
                            rec.get(b);
                            say("C " + seqOf(b));
                            check(b);
                        }, 3);
                        int d = commands.programView(1).userRingbufDrain(b -> {
                            say("D " + seqOf(b));
                            check(b);
                        }, 0);
                        if (c == 0 && d == 0) {
                            break;
                        }
                    }
                    say("DONE");
                }
            } else {
                throw new IllegalArgumentException(mode);
            }
        }
    }
}
