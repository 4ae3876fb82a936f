package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walkthrough on the simulator: in one batch, and as separate commands on one simulated kernel. */
class SimulatorWalkthroughTest {
    private static final String SCRIPT = ""
            + "map create /sys/fs/bpf/stats_map type hash key 2 value 2 entries 8 name stats_map\n"
            + "map show\n"
            + "map update name stats_map key 0xc1 0xc2 value 0xa1 0xa2\n"
            + "map dump name stats_map\n";

    @Test
    void walkthroughAsBatch() {
        CliRun.Result r = CliRun.batch(SCRIPT, "--backend", "simulator");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        String[] lines = r.out().split("\n", -1);
        assertTrue(lines[0].matches("\\d+: hash  name stats_map  flags 0x0"), r::toString);
        assertTrue(lines[1].matches("\tkey 2B  value 2B  max_entries 8  memlock \\d+B"), r::toString);
        assertEquals("key: c1 c2  value: a1 a2", lines[2]);
        assertEquals("Found 1 element", lines[3]);
        assertEquals("processed 4 commands", lines[4]);
        assertEquals("", lines[5]);
        assertEquals(6, lines.length, r::toString);
    }

    /** Separate processes, as a user types them: the simulator keeps its pinned maps in a state directory. */
    @Test
    void walkthroughAsSeparateRunsWithAStateDirectory(@TempDir Path state) {
        String[] sim = {"--backend", "simulator", "--backend-option", "state.dir=" + state};
        assertEquals(new CliRun.Result("", "", 0), CliRun.run(cat(sim, "map", "create", "/sys/fs/bpf/stats_map",
                "type", "hash", "key", "2", "value", "2", "entries", "8", "name", "stats_map")));
        CliRun.Result show = CliRun.run(cat(sim, "map", "show"));
        assertTrue(show.out().matches("\\d+: hash  name stats_map  flags 0x0\n"
                + "\tkey 2B  value 2B  max_entries 8  memlock \\d+B\n"), show::toString);
        assertEquals(new CliRun.Result("", "", 0), CliRun.run(cat(sim, "map", "update", "name", "stats_map", "key",
                "0xc1", "0xc2", "value", "0xa1", "0xa2")));
        assertEquals(new CliRun.Result("key: c1 c2  value: a1 a2\nFound 1 element\n", "", 0),
                CliRun.run(cat(sim, "map", "dump", "name", "stats_map")));
        assertEquals(new CliRun.Result("", "", 0), CliRun.run(cat(sim, "map", "unpin", "/sys/fs/bpf/stats_map")));
        assertEquals(new CliRun.Result("", "", 0), CliRun.run(cat(sim, "map", "show")));
    }

    /** Map-in-map across separate runs: the pinned outer map's slot still names the inner map, by id. */
    @Test
    void mapInMapAcrossRunsWithAStateDirectory(@TempDir Path state) {
        String[] sim = {"--backend", "simulator", "--backend-option", "state.dir=" + state};
        CliRun.Result ok = new CliRun.Result("", "", 0);
        assertEquals(ok, CliRun.run(cat(sim, "map", "create", "/sys/fs/bpf/in", "type", "array", "key", "4", "value",
                "4", "entries", "2", "name", "in")));
        assertEquals(ok, CliRun.run(cat(sim, "map", "update", "pinned", "/sys/fs/bpf/in", "key", "1", "0", "0", "0",
                "value", "7", "0", "0", "0")));
        assertEquals(ok, CliRun.run(cat(sim, "map", "create", "/sys/fs/bpf/hom", "type", "hash_of_maps", "key",
                "4", "value", "4", "entries", "2", "name", "hom", "inner_map", "pinned", "/sys/fs/bpf/in")));
        assertEquals(ok, CliRun.run(cat(sim, "map", "update", "pinned", "/sys/fs/bpf/hom", "key", "3", "0", "0",
                "0", "value", "pinned", "/sys/fs/bpf/in")));
        String show = CliRun.run(cat(sim, "-j", "map", "show", "pinned", "/sys/fs/bpf/in")).out();
        int id = Integer.parseInt(show.substring(show.indexOf("\"id\":") + 5, show.indexOf(',')));
        // the inner map's only pin goes: the slot alone keeps it, in the next run too
        assertEquals(ok, CliRun.run(cat(sim, "map", "unpin", "/sys/fs/bpf/in")));
        String idBytes = String.format("%02x %02x %02x %02x", id & 0xff, (id >>> 8) & 0xff, (id >>> 16) & 0xff,
                id >>> 24);
        assertEquals(new CliRun.Result("key: 03 00 00 00  value: " + idBytes + "\nFound 1 element\n", "", 0),
                CliRun.run(cat(sim, "map", "dump", "pinned", "/sys/fs/bpf/hom")));
        assertEquals(new CliRun.Result("key: 01 00 00 00  value: 07 00 00 00\n", "", 0),
                CliRun.run(cat(sim, "map", "lookup", "id", String.valueOf(id), "key", "1", "0", "0", "0")));
        assertEquals(ok, CliRun.run(cat(sim, "map", "delete", "pinned", "/sys/fs/bpf/hom", "key", "3", "0", "0",
                "0")));
        assertEquals(new CliRun.Result("", "Error: get map by id (" + id + "): No such file or directory\n", 255),
                CliRun.run(cat(sim, "map", "lookup", "id", String.valueOf(id), "key", "1", "0", "0", "0")));
        assertEquals(ok, CliRun.run(cat(sim, "map", "unpin", "/sys/fs/bpf/hom")));
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void walkthroughAsSeparateCommandsOnOneKernel() {
        try (MapBackend sim = BpfMaps.open("simulator", Map.of())) {
            CliRun.Result create = CliRun.on(sim, "map", "create", "/sys/fs/bpf/stats_map", "type", "hash", "key", "2",
                    "value", "2", "entries", "8", "name", "stats_map");
            assertEquals(new CliRun.Result("", "", 0), create);

            CliRun.Result show = CliRun.on(sim, "map", "show");
            assertEquals(0, show.code());
            assertTrue(show.out().matches("\\d+: hash  name stats_map  flags 0x0\n"
                    + "\tkey 2B  value 2B  max_entries 8  memlock \\d+B\n"), show::toString);

            assertEquals(new CliRun.Result("", "", 0),
                    CliRun.on(sim, "map", "update", "name", "stats_map", "key", "0xc1", "0xc2", "value", "0xa1", "0xa2"));
            assertEquals(new CliRun.Result("key: c1 c2  value: a1 a2\nFound 1 element\n", "", 0),
                    CliRun.on(sim, "map", "dump", "name", "stats_map"));
            assertEquals(new CliRun.Result("[{\"key\":[\"0xc1\",\"0xc2\"],\"value\":[\"0xa1\",\"0xa2\"]}]\n", "", 0),
                    CliRun.on(sim, "-j", "map", "dump", "pinned", "/sys/fs/bpf/stats_map"));
            assertEquals(new CliRun.Result("", "Error: update failed: File exists\n", 239),
                    CliRun.on(sim, "map", "update", "name", "stats_map", "key", "0xc1", "0xc2", "value", "1", "2",
                            "noexist"));
        }
    }
}
