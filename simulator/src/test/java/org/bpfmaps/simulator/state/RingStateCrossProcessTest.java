package org.bpfmaps.simulator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.BpfMap;
import org.bpfmaps.RingBufferReader;
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ring buffers shared by processes that are killed ({@code kill -9}) while they produce or consume
 * ({@link RingStateChild}): every record a producer saw succeed is read exactly once, in order, by the consumers
 * that come after it; the only extras allowed are the one record a producer may have written without getting to
 * report it, and the one record a consumer's handler may have reported without its consumer position being stored
 * (redelivered to the next consumer, as on the kernel).
 */
class RingStateCrossProcessTest {

    private static final int ROUNDS = 6;

    private Path base;
    private Path dir;
    private static ChildJvms jvms;

    @BeforeAll
    static void startJvms() throws IOException, InterruptedException {
        jvms = new ChildJvms("bpfmaps-ringstate-xproc-cp");
    }

    @AfterAll
    static void removeJvms() throws IOException, InterruptedException {
        jvms.close();
    }

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-ringstate-xproc");
        dir = base.resolve("state");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        jvms.killAll();
        PersistenceTest.deleteTree(base);
    }

    private Process child(String... args) throws IOException {
        return jvms.start(RingStateChild.class, args);
    }

    /**
     * Runs a child until it prints START and then a line starting with {@code progress} (when not null), lets it
     * work for a random while, kills it, and returns every line it printed after START (a child that finished
     * first just exits).
     */
    private List<String> runAndKill(Random random, String progress, String... args)
            throws IOException, InterruptedException {
        Process p = child(args);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String start = out.readLine();
        if (!"START".equals(start)) {
            p.waitFor(10, TimeUnit.SECONDS);
            fail("child " + List.of(args) + " did not start: " + start + " then " + out.lines().toList());
        }
        List<String> lines = new ArrayList<>();
        while (progress != null) {
            String line = out.readLine();
            assertTrue(line != null, "child " + List.of(args) + " ended after " + lines);
            lines.add(line);
            if (line.startsWith(progress)) {
                break;
            }
        }
        Thread.sleep(random.nextInt(200));
        p.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it leaves the pipe open to read
        lines.addAll(out.lines().toList()); // to EOF: everything it wrote before it died
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "killed child did not end");
        jvms.forget(p);
        for (String line : lines) {
            assertTrue(!line.startsWith("BAD") && (line.matches("[RUCD] \\d+") || line.equals("FULL")
                    || line.equals("DONE")), "child " + List.of(args) + " printed " + line);
        }
        return lines;
    }

    private static List<Integer> seqs(List<String> lines, char kind) {
        List<Integer> out = new ArrayList<>();
        for (String line : lines) {
            if (line.charAt(0) == kind && line.charAt(1) == ' ') {
                out.add(Integer.parseInt(line.substring(2)));
            }
        }
        return out;
    }

    /**
     * Checks one ring's round: the producer reported {@code acked} (consecutive from {@code next}), the killed
     * consumer reported {@code consumed}, this process then read {@code rest}. Returns the next sequence number.
     */
    private static int check(String ring, int next, List<Integer> acked, List<Integer> consumed, List<Integer> rest,
                             List<String> log) {
        for (int i = 0; i < acked.size(); i++) {
            assertEquals(next + i, acked.get(i), ring + ": the producer's own report is consecutive");
        }
        List<Integer> read = new ArrayList<>(consumed);
        boolean redelivered = !consumed.isEmpty() && !rest.isEmpty()
                && rest.get(0).equals(consumed.get(consumed.size() - 1));
        read.addAll(redelivered ? rest.subList(1, rest.size()) : rest);
        for (int i = 0; i < read.size(); i++) {
            assertEquals(next + i, read.get(i), ring + ": records read in order, each once, none missing: "
                    + "consumer " + consumed + ", then " + rest);
        }
        int produced = read.size();
        assertTrue(produced >= acked.size(), ring + ": a record the producer saw succeed was lost (acked "
                + acked.size() + ", read " + produced + ")");
        assertTrue(produced <= acked.size() + 1, ring + ": more records than the producer wrote (acked "
                + acked.size() + ", read " + produced + ")");
        log.add(ring.substring(ring.indexOf(") ") + 2) + ": acked " + acked.size() + (produced > acked.size() ? "+1" : "") + ", consumer "
                + consumed.size() + (redelivered ? " (1 redelivered)" : "") + ", rest " + rest.size());
        return next + produced;
    }

    @Test
    void killedProducersAndConsumersLoseAndDuplicateNothing() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int nextR = 0;
        int nextU = 0;
        List<String> log = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            // killed once it has written to both rings (so every round produces), at any moment after that
            List<String> produced = runAndKill(random, "U ", "produce", dir.toString(), Integer.toString(nextR),
                    Integer.toString(nextU));
            List<String> consumed = runAndKill(random, null, "consume", dir.toString());
            List<Integer> restR = new ArrayList<>();
            List<Integer> restU = new ArrayList<>();
            try (SimulatedKernel k = SimulatedKernel.builder().stateDirectory(dir)
                    .stateLockTimeout(Duration.ofSeconds(30)).build();
                 BpfMap events = k.openPinned(RingStateChild.EVENTS);
                 BpfMap commands = k.openPinned(RingStateChild.COMMANDS)) {
                if (round % 2 == 1) {
                    k.compactState();
                }
                try (RingBufferReader r = k.ringBufferReader(events)) {
                    r.consume((map, rec) -> {
                        byte[] b = new byte[rec.remaining()];
                        rec.get(b);
                        restR.add(RingStateChild.seqOf(b));
                        assertEquals(java.util.Arrays.toString(RingStateChild.record(restR.get(
                                restR.size() - 1))), java.util.Arrays.toString(b), "payload");
                    });
                }
                while (commands.programView(0).userRingbufDrain(b -> {
                    restU.add(RingStateChild.seqOf(b));
                    assertEquals(java.util.Arrays.toString(RingStateChild.record(restU.get(
                            restU.size() - 1))), java.util.Arrays.toString(b), "payload");
                }, 0) > 0) {
                    // drain calls visit a bounded number of samples each
                }
            }
            String name = "round " + round + " (seed " + seed + ") ";
            nextR = check(name + "RINGBUF", nextR, seqs(produced, 'R'), seqs(consumed, 'C'), restR, log);
            nextU = check(name + "USER_RINGBUF", nextU, seqs(produced, 'U'), seqs(consumed, 'D'), restU, log);
        }
        System.out.println("ring kill -9 rounds: " + log + " (seed " + seed + ")");
        assertTrue(nextR >= ROUNDS && nextU >= ROUNDS, "each producer wrote to both rings: " + log);
    }
}
