package org.bpfmaps.simulator.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.bpfmaps.simulator.SimulatedKernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Persisted state shared by separate processes ({@link StateChild}), including processes killed mid-write. */
class CrossProcessTest {

    private Path base;
    private Path dir;
    private static ChildJvms jvms;

    @BeforeAll
    static void startJvms() throws IOException, InterruptedException {
        jvms = new ChildJvms("bpfmaps-state-xproc-cp");
    }

    @AfterAll
    static void removeJvms() throws IOException, InterruptedException {
        jvms.close();
    }

    @BeforeEach
    void makeDir() throws IOException {
        base = Files.createTempDirectory("bpfmaps-state-xproc");
        dir = base.resolve("state");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        jvms.killAll();
        PersistenceTest.deleteTree(base);
    }

    private Process child(String... args) throws IOException {
        return jvms.start(StateChild.class, args);
    }

    private static List<String> finish(Process p) throws InterruptedException, IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, p.exitValue(), "child failed: " + lines);
        return lines;
    }

    private SimulatedKernel kernel() {
        return SimulatedKernel.builder().stateDirectory(dir).stateLockTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void oneProcessWritesAnotherDumps() throws Exception {
        finish(child("write", dir.toString(), "25"));
        List<String> lines = finish(child("dump", dir.toString()));
        assertEquals(26, lines.size(), lines.toString());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(i + "=" + i);
        }
        assertEquals(expected, lines.subList(0, 25).stream().sorted((a, b) -> Integer.compare(
                Integer.parseInt(a.split("=")[0]), Integer.parseInt(b.split("=")[0]))).toList());
        assertEquals("id=1 frozen=false", lines.get(25));
        // the same order as this process sees: the hash seed and bucket order were persisted
        List<String> here = new ArrayList<>();
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned(StateChild.PIN)) {
            byte[] key = null;
            byte[] next = new byte[4];
            while (m.nextKey(key, next)) {
                here.add(StateChild.keyOf(next) + "=" + StateChild.keyOf(m.lookup(next).orElseThrow()));
                key = next.clone();
            }
        }
        assertEquals(lines.subList(0, 25), here);
    }

    @Test
    void processesAreSerialisedByTheLock() throws Exception {
        finish(child("write", dir.toString(), "3"));
        // The holder keeps the lock until told to go (no sleeps: a loaded machine can stall either process).
        Process holder = child("hold", dir.toString());
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("LOCKED", out.readLine());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SimulatedKernel.builder()
                .stateDirectory(dir).stateLockTimeout(Duration.ofMillis(300)).build());
        assertTrue(e.getMessage().contains("locked by another process"), e.getMessage());
        holder.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        holder.getOutputStream().close();
        // Opening now waits (up to 30 s) for the holder to write its last key and close.
        try (SimulatedKernel k = kernel(); BpfMap m = k.openPinned(StateChild.PIN)) {
            assertArrayEquals(StateChild.value(1000), m.lookup(StateChild.key(1000)).orElseThrow(),
                    "the holder's last write (made just before it closed) is visible: the kernels ran in turn");
        }
        assertEquals(0, holder.waitFor(30, TimeUnit.SECONDS) ? holder.exitValue() : -1);
    }

    /**
     * Kills a writer at random moments ({@code kill -9}), 20+ times on one state directory. After each kill the
     * state must load and hold exactly keys 0..n-1 (each with its value) for some n not smaller than before: a
     * prefix of the writer's updates, whatever the moment of the kill.
     */
    @Test
    void killedWritersLeaveAPrefixOfTheirUpdates() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        // 20 rounds are the test; more (up to 40) while the soft budget lasts. Each round starts a JVM, which on
        // a loaded 2-core CI machine can take well over a second, so only the hard limit fails the test.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(28);
        long hardDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        int rounds = 0;
        int tornTails = 0;
        int tornByKill = 0;
        int compactions = 0;
        int earlyKills = 0;
        int previous = 0;
        List<String> log = new ArrayList<>();
        while (rounds < 20 || (rounds < 40 && System.nanoTime() < deadline - TimeUnit.SECONDS.toNanos(5))) {
            if (System.nanoTime() > hardDeadline) {
                fail("only " + rounds + " rounds in 150 s (seed " + seed + "): " + log);
            }
            Process p = child("loop", dir.toString());
            long journalAtStart = Long.MAX_VALUE;
            if (random.nextInt(4) == 0) {
                // kill at any moment: JVM start, lock, load (and the compaction it may do), or writing
                Thread.sleep(random.nextInt(600));
                earlyKills++;
            } else {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                String start = out.readLine();
                if (start == null || !start.startsWith("START ")) {
                    p.waitFor(10, TimeUnit.SECONDS);
                    fail("child did not start: " + start + " then " + out.lines().toList());
                }
                String[] started = start.split(" ");
                assertEquals(previous, Integer.parseInt(started[1]), "the child saw what the parent loaded");
                journalAtStart = Long.parseLong(started[2]); // after the child's load (which may compact)
                Thread.sleep(random.nextInt(250));
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            jvms.forget(p);
            rounds++;

            Path journal = dir.resolve(StateDirectory.JOURNAL_FILE);
            if (!Files.exists(journal)) {
                assertEquals(0, previous, "the journal vanished");
                log.add("none");
                continue; // killed before the first kernel was built
            }
            Journal.Contents c = Journal.read(journal);
            if (c.tornBytes() > 0) {
                tornByKill++;
            }
            // A kill lands between write(2) calls far more often than inside one, so half of the rounds also tear
            // the last record at a random byte, as a crash in the middle of writing it would (only a record
            // written in this round: the parent already saw the older ones committed).
            long lastOffset = c.offsets().get(c.offsets().size() - 1);
            if (random.nextBoolean() && lastOffset >= journalAtStart && c.tornBytes() == 0) {
                long cut = lastOffset + 1 + (long) (random.nextDouble() * (c.goodLength() - lastOffset - 1));
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(journal,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(cut);
                }
                tornTails++;
                c = Journal.read(journal);
                assertEquals(cut - lastOffset, c.tornBytes());
            }
            int n;
            try (SimulatedKernel k = kernel()) {
                if (!k.pinnedPaths().contains(StateChild.PIN)) {
                    assertEquals(0, previous, "round " + rounds + ": the pinned map was lost");
                    log.add("no pin yet");
                    continue; // killed before the first child pinned its map
                }
                BpfMap m = k.openPinned(StateChild.PIN);
                List<Integer> keys = new ArrayList<>();
                byte[] key = null;
                byte[] next = new byte[4];
                while (m.nextKey(key, next)) {
                    keys.add(StateChild.keyOf(next));
                    key = next.clone();
                }
                keys.sort(null);
                n = keys.size();
                for (int i = 0; i < n; i++) {
                    assertEquals(i, keys.get(i), "round " + rounds + ": keys are not a prefix 0.." + (n - 1)
                            + " (seed " + seed + ")");
                    assertArrayEquals(StateChild.value(i), m.lookup(StateChild.key(i)).orElseThrow(),
                            "round " + rounds + ": value of key " + i);
                }
            }
            if (Files.size(journal) < c.goodLength()) {
                compactions++; // the load rewrote the journal as snapshots
            }
            assertTrue(n >= previous, "round " + rounds + ": committed updates were lost: " + n + " < " + previous);
            log.add(n + (c.tornBytes() > 0 ? "(torn " + c.tornBytes() + ")" : ""));
            assertEquals(0, Journal.read(journal).tornBytes(), "loading cut the torn tail off");
            previous = n;
        }
        System.out.println("kill -9 rounds: " + rounds + ", torn tails left by the kill: " + tornByKill
                + ", torn tails made by the test: " + tornTails + ", compactions at load by this process: "
                + compactions + ", kills at any moment: " + earlyKills + ", keys after each: " + log + " (seed "
                + seed + ")");
        assertTrue(rounds >= 20);
        assertTrue(previous > 0, "the writers never got to write: " + log);
    }
}
