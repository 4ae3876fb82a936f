package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.Map;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@code map} command on a simulated kernel with 2 CPUs, with the exact text, JSON and exit codes bpftool
 * v7.1 gives for the same commands on Linux (checked against the real tool while writing these).
 */
class SimulatorCommandsTest {
    private static final String P = "/sys/fs/bpf/";
    private MapBackend sim;

    @BeforeEach
    void open() {
        sim = BpfMaps.open("simulator", Map.of("cpus", "2"));
    }

    @AfterEach
    void close() {
        sim.close();
    }

    private CliRun.Result run(String line) {
        return CliRun.on(sim, line.split(" "));
    }

    private void ok(String line) {
        expect(line, "", "", 0);
    }

    private void expect(String line, String out, String err, int code) {
        assertEquals(new CliRun.Result(out, err, code), run(line), line);
    }

    private int idOf(String path) {
        CliRun.Result r = run("-j map show pinned " + path);
        String s = r.out();
        int i = s.indexOf("\"id\":") + 5;
        return Integer.parseInt(s.substring(i, s.indexOf(',', i)));
    }

    @Test
    void hashShowLookupUpdateDelete() {
        // ZERO_SEED (flags 64) makes the order the kernel's: key 2 before key 1 (checked on 6.18).
        ok("map create " + P + "h type hash key 4 value 8 entries 4 name demo_h flags 64");
        ok("map update pinned " + P + "h key 1 0 0 0 value 0x11 0x22 0 0 0 0 0 0");
        ok("map update pinned " + P + "h key hex 02 00 00 00 value hex aa bb cc dd ee ff 00 01");
        int id = idOf(P + "h");
        CliRun.Result show = run("map show pinned " + P + "h");
        assertTrue(show.out().matches(id + ": hash  name demo_h  flags 0x40\n"
                + "\tkey 4B  value 8B  max_entries 4  memlock \\d+B\n"), show::toString);
        CliRun.Result json = run("-j map show id " + id);
        assertTrue(json.out().matches("\\{\"id\":" + id + ",\"type\":\"hash\",\"name\":\"demo_h\",\"flags\":64,"
                + "\"bytes_key\":4,\"bytes_value\":8,\"max_entries\":4,\"bytes_memlock\":\\d+,\"frozen\":0}\n"),
                json::toString);
        CliRun.Result pretty = run("-p map show name demo_h");
        assertTrue(pretty.out().matches("\\{\n    \"id\": " + id + ",\n    \"type\": \"hash\",\n"
                + "    \"name\": \"demo_h\",\n    \"flags\": 64,\n    \"bytes_key\": 4,\n    \"bytes_value\": 8,\n"
                + "    \"max_entries\": 4,\n    \"bytes_memlock\": \\d+,\n    \"frozen\": 0\n}\n"), pretty::toString);

        expect("map lookup pinned " + P + "h key 1 0 0 0", "key: 01 00 00 00  value: 11 22 00 00 00 00 00 00\n", "", 0);
        expect("map lookup pinned " + P + "h key 9 0 0 0", "key:\n09 00 00 00\n\nNot found\n", "", 254);
        expect("-j map lookup pinned " + P + "h key 9 0 0 0", "null\n", "", 254);
        expect("-p map lookup pinned " + P + "h key 1 0 0 0", "{\n    \"key\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"\n"
                + "    ],\n    \"value\": [\"0x11\",\"0x22\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"\n"
                + "    ]\n}\n", "", 0);
        expect("map update pinned " + P + "h key 1 0 0 0 value 1 2 3 4 5 6 7 8 noexist", "",
                "Error: update failed: File exists\n", 239);
        expect("-j map update pinned " + P + "h key 1 0 0 0 value 1 2 3 4 5 6 7 8 noexist",
                "{\"error\":\"update failed: File exists\"}\n", "", 239);
        expect("map update pinned " + P + "h key 7 0 0 0 value 1 2 3 4 5 6 7 8 exist", "",
                "Error: update failed: No such file or directory\n", 254);
        expect("-j map update pinned " + P + "h key 1 0 0 0 value 1 2 3 4 5 6 7 8 exist", "null\n", "", 0);
        expect("map delete pinned " + P + "h key 7 0 0 0", "", "Error: delete failed: No such file or directory\n",
                254);
        expect("-j map delete pinned " + P + "h key 7 0 0 0",
                "{\"error\":\"delete failed: No such file or directory\"}\n", "", 254);
        expect("map getnext pinned " + P + "h", "key: None\nnext key:\n02 00 00 00\n", "", 0);
        expect("-j map getnext pinned " + P + "h key 2 0 0 0",
                "{\"key\":[\"0x02\",\"0x00\",\"0x00\",\"0x00\"],\"next_key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}\n",
                "", 0);
        expect("map getnext pinned " + P + "h key 1 0 0 0", "",
                "Error: can't get next key: No such file or directory\n", 254);
        expect("map dump pinned " + P + "h", "key: 02 00 00 00  value: aa bb cc dd ee ff 00 01\n"
                + "key: 01 00 00 00  value: 01 02 03 04 05 06 07 08\nFound 2 elements\n", "", 0);
        ok("map delete pinned " + P + "h key 1 0 0 0");
        ok("map delete pinned " + P + "h key 2 0 0 0");
        expect("map dump pinned " + P + "h", "Found 0 elements\n", "", 0);
        expect("-j map dump pinned " + P + "h", "[]\n", "", 0);
    }

    @Test
    void arraysListEveryIndexAndPerCpuLayout() {
        ok("map create " + P + "a type array key 4 value 4 entries 3 name demo_a");
        ok("map update pinned " + P + "a key 1 0 0 0 value 7 0 0 0");
        expect("map dump pinned " + P + "a", "key: 00 00 00 00  value: 00 00 00 00\n"
                + "key: 01 00 00 00  value: 07 00 00 00\nkey: 02 00 00 00  value: 00 00 00 00\n"
                + "Found 3 elements\n", "", 0);
        expect("map update pinned " + P + "a key 3 0 0 0 value 1 0 0 0", "",
                "Error: update failed: Argument list too long\n", 249);
        expect("map delete pinned " + P + "a key 1 0 0 0", "", "Error: delete failed: Invalid argument\n", 234);

        ok("map create " + P + "pa type percpu_array key 4 value 4 entries 2 name demo_pa");
        ok("map update pinned " + P + "pa key 0 0 0 0 value 1 0 0 0");
        expect("map dump pinned " + P + "pa", "key:\n00 00 00 00\nvalue (CPU 00): 01 00 00 00\n"
                + "value (CPU 01): 01 00 00 00\nkey:\n01 00 00 00\nvalue (CPU 00): 00 00 00 00\n"
                + "value (CPU 01): 00 00 00 00\nFound 2 elements\n", "", 0);
        expect("-j map lookup pinned " + P + "pa key 0 0 0 0", "{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],"
                + "\"values\":[{\"cpu\":0,\"value\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]},{\"cpu\":1,\"value\":"
                + "[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}]}\n", "", 0);
        expect("-p map lookup pinned " + P + "pa key 1 0 0 0", "{\n    \"key\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"\n"
                + "    ],\n    \"values\": [{\n            \"cpu\": 0,\n"
                + "            \"value\": [\"0x00\",\"0x00\",\"0x00\",\"0x00\"\n            ]\n        },{\n"
                + "            \"cpu\": 1,\n            \"value\": [\"0x00\",\"0x00\",\"0x00\",\"0x00\"\n"
                + "            ]\n        }\n    ]\n}\n", "", 0);
        ok("map create " + P + "p2 type percpu_hash key 4 value 20 entries 4 name p2");
        ok("map update pinned " + P + "p2 key 1 2 3 4 value 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
        expect("map lookup pinned " + P + "p2 key 1 2 3 4", "key:\n01 02 03 04\nvalue (CPU 00):\n"
                + "01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11 12 13 14\nvalue (CPU 01):\n"
                + "01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11 12 13 14\n", "", 0);
    }

    @Test
    void oneLineOrSeveralByKeyAndValueSize() {
        ok("map create " + P + "m type hash key 8 value 16 entries 4 name m");
        ok("map update pinned " + P + "m key 1 2 3 4 5 6 7 8 value 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16");
        expect("map lookup pinned " + P + "m key 1 2 3 4 5 6 7 8",
                "key: 01 02 03 04 05 06 07 08  value: 01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n", "", 0);
        ok("map create " + P + "m2 type hash key 8 value 17 entries 4 name m2");
        ok("map update pinned " + P + "m2 key 1 2 3 4 5 6 7 8 value 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17");
        expect("map lookup pinned " + P + "m2 key 1 2 3 4 5 6 7 8", "key:\n01 02 03 04 05 06 07 08\nvalue:\n"
                + "01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11\n", "", 0);
        ok("map create " + P + "m3 type hash key 12 value 16 entries 4 name m3");
        ok("map update pinned " + P + "m3 key 1 2 3 4 5 6 7 8 9 10 11 12 value 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16");
        expect("map lookup pinned " + P + "m3 key 1 2 3 4 5 6 7 8 9 10 11 12",
                "key: 01 02 03 04 05 06 07 08  09 0a 0b 0c\nvalue: 01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n",
                "", 0);
    }

    @Test
    void queueAndStack() {
        assumeTrue(sim.isSupported(MapType.QUEUE) && sim.isSupported(MapType.STACK),
                "the simulator does not emulate queue/stack yet");
        ok("map create " + P + "q type queue key 0 value 4 entries 2 name demo_q");
        expect("map pop pinned " + P + "q", "Error: empty map\n", "", 254);
        expect("-j map dequeue pinned " + P + "q", "null\n", "", 254);
        ok("map push pinned " + P + "q value 1 0 0 0");
        ok("map enqueue pinned " + P + "q value 2 0 0 0");
        expect("map push pinned " + P + "q value 3 0 0 0", "", "Error: update failed: Argument list too long\n", 249);
        expect("map peek pinned " + P + "q", "value: 01 00 00 00\n", "", 0);
        expect("-j map peek pinned " + P + "q", "{\"key\":[],\"value\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}\n", "", 0);
        expect("-p map peek pinned " + P + "q", "{\n    \"key\": [],\n    \"value\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"\n"
                + "    ]\n}\n", "", 0);
        expect("map dump pinned " + P + "q", "Found 0 elements\n", "", 234);
        expect("map dequeue pinned " + P + "q", "value: 01 00 00 00\n", "", 0);
        expect("map pop pinned " + P + "q", "value: 02 00 00 00\n", "", 0);
        expect("map update pinned " + P + "q key 1 value 1 0 0 0", "", "Error: unnecessary key\n", 255);

        ok("map create " + P + "s type stack key 0 value 4 entries 2 name demo_s");
        ok("map push pinned " + P + "s value 1 0 0 0");
        ok("map push pinned " + P + "s value 2 0 0 0");
        expect("map pop pinned " + P + "s", "value: 02 00 00 00\n", "", 0);
    }

    @Test
    void freezePinUnpinAndCreateErrors() {
        ok("map create " + P + "f type array key 4 value 4 entries 3 name demo_f");
        ok("map freeze pinned " + P + "f");
        CliRun.Result show = run("map show pinned " + P + "f");
        assertTrue(show.out().endsWith("memlock " + show.out().replaceAll("(?s).*memlock (\\d+)B.*", "$1")
                + "B\n\tfrozen\n"), show::toString);
        assertTrue(run("-j map show pinned " + P + "f").out().endsWith(",\"frozen\":1}\n"));
        expect("map update pinned " + P + "f key 0 0 0 0 value 1 0 0 0", "",
                "Error: update failed: Operation not permitted\n", 255);
        expect("map freeze pinned " + P + "f", "", "Error: failed to freeze map: Operation not permitted\n", 255);

        ok("map pin pinned " + P + "f " + P + "f2");
        expect("map pin pinned " + P + "f " + P + "f2", "",
                "Error: can't pin the object (" + P + "f2): File exists\n", 239);
        expect("-j map pin pinned " + P + "f " + P + "f3", "null\n", "", 0);
        expect("map pin pinned " + P + "f", "", "Error: 'pin' needs at least 3 arguments, 2 found\n", 234);
        CliRun.Result pins = run("-f map show pinned " + P + "f");
        assertTrue(pins.out().contains("\n\tpinned " + P + "f\n") && pins.out().contains("\n\tpinned " + P + "f2\n")
                && pins.out().contains("\n\tpinned " + P + "f3\n") && pins.out().endsWith("\n\tfrozen\n"), pins::toString);
        assertTrue(run("-j -f map show pinned " + P + "f").out().contains(",\"frozen\":1,\"pinned\":[\""),
                "JSON pinned array");
        ok("map unpin " + P + "f2");
        expect("map show pinned " + P + "f2", "", "Error: bpf obj get (" + P + "f2): No such file or directory\n", 255);
        expect("map unpin " + P + "f2", "", "Error: can't unpin (" + P + "f2): No such file or directory\n", 254);

        expect("map create " + P + "f type hash key 4 value 4 entries 4 name dup", "",
                "Error: can't pin the object (" + P + "f): File exists\n", 239);
        expect("map create " + P + "x type hash key 0 value 4 entries 4 name x", "",
                "Error: map create failed: Invalid argument\n", 255);
        expect("map create " + P + "x type hashx key 4 value 4 entries 4 name x", "",
                "Error: unrecognized map type: hashx\n", 255);
        expect("map create " + P + "x type hash key 4 value 4 entries 4", "", "Error: map name not specified\n", 255);
        expect("map create " + P + "x type hash key 4 value 4 entries", "",
                "Error: '4' needs at least 2 arguments, 1 found\n", 255);
        expect("map create " + P + "x type hash key 4 value 4 entries 4 name x bogus 1", "",
                "Error: unknown arg bogus\n", 255);
        expect("map create " + P + "x type hash key 4 key 4 value 4 entries 4 name x", "",
                "Error: key size already specified\n", 255);
        expect("map create " + P + "x type hash key 4x value 4 entries 4 name x", "",
                "Error: can't parse 4x as key size\n", 255);
        expect("-j map create " + P + "x type hash key 0 value 4 entries 4 name x",
                "{\"error\":\"map create failed: Invalid argument\"}\n", "", 255);
        ok("map create " + P + "z type hash key 4 value 4 entries 4 name zs flags 64");
        assertTrue(run("map show pinned " + P + "z").out().contains("name zs  flags 0x40\n"));
    }

    @Test
    void grammarErrorsAndByteSyntax() {
        ok("map create " + P + "h type hash key 4 value 4 entries 4 name h");
        ok("map update pinned " + P + "h key 010 0x1f 300 0377 value hex ff 0x10 7 08 any");
        expect("map dump pinned " + P + "h", "key: 08 1f 2c ff  value: ff 10 07 08\nFound 1 element\n", "", 0);
        expect("map lookup pinned " + P + "h key 1", "", "Error: key expected 4 bytes got 1\n", 255);
        expect("map lookup pinned " + P + "h key 1 2 3 zz", "", "Error: error parsing byte: zz\n", 255);
        expect("map lookup pinned " + P + "h key 1 2 3 4 5", "", "Error: expected key or value, got: 5\n", 255);
        expect("map lookup pinned " + P + "h", "", "Error: did not find key\n", 255);
        expect("map lookup pinned " + P + "h key 1 2 3 4 value 1", "", "Error: unnecessary value\n", 255);
        expect("map update pinned " + P + "h key 1 2 3 4", "", "Error: did not find value\n", 255);
        expect("map update pinned " + P + "h key 1 2 3 4 key 1", "", "Error: duplicate key\n", 255);
        expect("map update pinned " + P + "h key 1 2 3 4 value 1 2 3 4 any exist", "",
                "Error: flags specified multiple times: exist\n", 255);
        expect("map lookup id 99999 key 1 2 3 4", "", "Error: get map by id (99999): No such file or directory\n",
                255);
        expect("map lookup id x1 key 1 2 3 4", "", "Error: can't parse x1 as ID\n", 255);
        expect("map lookup name nope key 1 2 3 4", "", "", 255);
        expect("-j map lookup name nope key 1 2 3 4", "\n", "", 255);
        expect("map lookup pinned " + P + "nope key 1 2 3 4", "",
                "Error: bpf obj get (" + P + "nope): No such file or directory\n", 255);
        expect("map lookup foo bar", "", "Error: expected 'id', 'name' or 'pinned', got: 'foo'?\n", 255);
        expect("map show name h extra", "", "Error: what is 'name'?\n", 255);
        ok("map create " + P + "h2 type hash key 4 value 4 entries 4 name h");
        expect("map lookup name h key 1 2 3 4", "", "Error: several maps match this handle\n", 255);
        // prefixes, as bpftool's is_prefix
        assertEquals(0, run("m s p " + P + "h").code());
        assertEquals(0, run("map lo pinned " + P + "h key 8 0x1f 44 255").code());
        // options anywhere, as getopt permutes
        assertTrue(run("map show pinned " + P + "h -j").out().startsWith("{\"id\":"));
        CliRun.Result unknown = run("-x map show");
        assertEquals(255, unknown.code());
        assertTrue(unknown.err().startsWith("Error: unrecognized option '-x'\nUsage: bpfmaps"), unknown::toString);
        expect("-j -x map show", "{\"error\":\"unrecognized option '-x'\"}\n", "", 255);
        CliRun.Result bogus = run("map bogus");
        assertEquals(255, bogus.code());
        assertTrue(bogus.err().startsWith("Usage: bpfmaps map { show | list }"), bogus::toString);
        expect("-j map dump", "null\n", "", 255);
    }

    @Test
    void namesOfManyMaps() {
        ok("map create " + P + "a1 type array key 4 value 4 entries 1 name twin");
        ok("map create " + P + "a2 type array key 4 value 4 entries 1 name twin");
        int id1 = idOf(P + "a1");
        int id2 = idOf(P + "a2");
        expect("map dump name twin", id1 + ": array  name twin  flags 0x0\nkey: 00 00 00 00  value: 00 00 00 00\n"
                + "Found 1 element\n\n" + id2 + ": array  name twin  flags 0x0\n"
                + "key: 00 00 00 00  value: 00 00 00 00\nFound 1 element\n", "", 0);
        expect("-j map dump name twin", "[{\"id\":" + id1 + ",\"type\":\"array\",\"name\":\"twin\",\"flags\":0,"
                + "\"elements\":[{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x00\",\"0x00\",\"0x00\","
                + "\"0x00\"]}]},{\"id\":" + id2 + ",\"type\":\"array\",\"name\":\"twin\",\"flags\":0,\"elements\":"
                + "[{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"]}]}]\n",
                "", 0);
        assertTrue(run("-j map show name twin").out().startsWith("[{\"id\":" + id1));
    }

    @Test
    void lpmTrie() {
        assumeTrue(sim.isSupported(MapType.LPM_TRIE), "the simulator does not emulate lpm_trie yet");
        ok("map create " + P + "l type lpm_trie key 8 value 4 entries 8 name demo_t flags 1");
        ok("map update pinned " + P + "l key 8 0 0 0 10 0 0 0 value 1 0 0 0");
        expect("map dump pinned " + P + "l", "key: 08 00 00 00 0a 00 00 00  value: 01 00 00 00\nFound 1 element\n",
                "", 0);
        expect("map lookup pinned " + P + "l key 32 0 0 0 10 1 2 3",
                "key: 20 00 00 00 0a 01 02 03  value: 01 00 00 00\n", "", 0);
    }

    @Test
    void batchWordsAreNotOptions() {
        CliRun.Result r = CliRun.batch("map create /sys/fs/bpf/h type hash key 4 value 4 entries 4 name h\n"
                + "map update pinned /sys/fs/bpf/h key -1 0 0 0 value 1 2 3 4\nmap dump pinned /sys/fs/bpf/h\n",
                "--backend", "simulator");
        assertEquals(new CliRun.Result("key: ff 00 00 00  value: 01 02 03 04\nFound 1 element\nprocessed 3 commands\n",
                "", 0), r);
    }

    @Test
    void batchModeQuotingCommentsContinuationAndStop() {
        String script = "# comment\n"
                + "map create /sys/fs/bpf/h type hash key 4 value 4 entries 4 name h   # trailing\n"
                + "map update pinned \"/sys/fs/bpf/h\" key \\\n  1 0 0 0 value 2 0 0 0\n"
                + "\n"
                + "map lookup pinned '/sys/fs/bpf/h' key 1 0 0 0\n"
                + "map delete pinned /sys/fs/bpf/h key 9 9 9 9\n"
                + "map dump pinned /sys/fs/bpf/h\n";
        CliRun.Result r = CliRun.batch(script, "--backend", "simulator");
        assertEquals(new CliRun.Result("key: 01 00 00 00  value: 02 00 00 00\n",
                "Error: delete failed: No such file or directory\n", 254), r);
        CliRun.Result j = CliRun.batch(script, "--backend", "simulator", "-j");
        assertEquals(new CliRun.Result("[{\"command\":[\"map\",\"create\",\"/sys/fs/bpf/h\",\"type\",\"hash\",\"key\",\"4\","
                + "\"value\",\"4\",\"entries\",\"4\",\"name\",\"h\"],\"output\":null},{\"command\":[\"map\",\"update\","
                + "\"pinned\",\"/sys/fs/bpf/h\",\"key\",\"1\",\"0\",\"0\",\"0\",\"value\",\"2\",\"0\",\"0\",\"0\"],"
                + "\"output\":null},{\"command\":[\"map\",\"lookup\",\"pinned\",\"/sys/fs/bpf/h\",\"key\",\"1\",\"0\","
                + "\"0\",\"0\"],\"output\":{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x02\",\"0x00\","
                + "\"0x00\",\"0x00\"]}},{\"command\":[\"map\",\"delete\",\"pinned\",\"/sys/fs/bpf/h\",\"key\",\"9\","
                + "\"9\",\"9\",\"9\"],\"output\":{\"error\":\"delete failed: No such file or directory\"}}]\n", "", 254),
                j);
        assertEquals(new CliRun.Result("processed 0 commands\n", "", 0), CliRun.batch("\n# nothing\n",
                "--backend", "simulator"));
        assertEquals(new CliRun.Result("[]\n", "", 0), CliRun.batch("", "--backend", "simulator", "-j"));
        assertEquals(new CliRun.Result("", "Error: unterminated quoted string in command 0\n", 255),
                CliRun.batch("map show pinned \"/x\n", "--backend", "simulator"));
        assertEquals(new CliRun.Result("", "Error: Can't open file (/nonexistent/b): No such file or directory\n", 255),
                CliRun.run("--backend", "simulator", "batch", "file", "/nonexistent/b"));
        assertEquals(new CliRun.Result("", "Error: too few parameters for batch\n", 255), CliRun.run("batch"));
        assertEquals(new CliRun.Result("", "Error: expected 'file', got: x\n", 255), CliRun.run("batch", "x", "y"));
        assertEquals(new CliRun.Result("", "Error: too many parameters for batch\n", 255),
                CliRun.run("batch", "file", "a", "b"));
    }

    @Test
    void backendChoice() {
        CliRun.Result env = CliRun.run(new HashMap<>(Map.of("BPFMAPS_BACKEND", "simulator")), null, "",
                "-j", "map", "show");
        assertEquals(new CliRun.Result("[]\n", "", 0), env);
        CliRun.Result unknown = CliRun.run("--backend", "nope", "map", "show");
        assertEquals(255, unknown.code());
        assertTrue(unknown.err().startsWith("Error: Backend 'nope'"), unknown::toString);
        CliRun.Result badOption = CliRun.run("--backend", "simulator", "--backend-option", "color=blue", "map", "show");
        assertEquals(255, badOption.code());
        assertTrue(badOption.err().contains("color"), badOption::toString);
        CliRun.Result cpu = CliRun.run("--backend", "simulator", "--backend-option", "cpus=2", "--cpu", "5", "map", "show");
        assertEquals(new CliRun.Result("", "Error: CPU 5 is not a possible CPU (the backend has 2)\n", 255), cpu);
        assertEquals(0, CliRun.run("--backend", "simulator", "--cpu", "1", "map", "show").code());
    }

    @Test
    void featureProbeMapSection() {
        CliRun.Result r = CliRun.run("--backend", "simulator", "feature", "probe", "kernel");
        assertEquals(0, r.code(), r::toString);
        String[] lines = r.out().split("\n");
        assertEquals("Scanning eBPF map types...", lines[0]);
        assertTrue(lines[1].matches("eBPF map_type hash is (NOT )?available"), r::toString);
        assertTrue(lines[31].matches("eBPF map_type user_ringbuf is (NOT )?available"), r::toString);
        assertEquals(32, lines.length);
        assertTrue(r.out().endsWith("available\n\n"));
        CliRun.Result j = CliRun.run("--backend", "simulator", "-j", "feature", "probe");
        assertTrue(j.out().matches("\\{\"map_types\":\\{\"have_hash_map_type\":(true|false),.*"
                + "\"have_user_ringbuf_map_type\":(true|false)}}\n"), j::toString);
    }

    /** Little-endian bytes of {@code v} as bpftool prints them. */
    private static String hexU32(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    }

    @Test
    void mapInMapValuesNameMapsByPinOrId() {
        ok("map create " + P + "in type array key 4 value 4 entries 2 name in");
        ok("map create " + P + "in2 type array key 4 value 4 entries 2 name in2");
        ok("map create " + P + "big type array key 4 value 4 entries 3 name big");
        ok("map create " + P + "aom type array_of_maps key 4 value 4 entries 2 name aom inner_map pinned " + P + "in");
        int in = idOf(P + "in");
        int in2 = idOf(P + "in2");
        ok("map update pinned " + P + "aom key 0 0 0 0 value pinned " + P + "in");
        ok("map update pinned " + P + "aom key 1 0 0 0 value id " + in2);
        expect("map lookup pinned " + P + "aom key 0 0 0 0", "key: 00 00 00 00  value: " + hexU32(in) + "\n", "", 0);
        expect("map dump pinned " + P + "aom", "key: 00 00 00 00  value: " + hexU32(in) + "\n"
                + "key: 01 00 00 00  value: " + hexU32(in2) + "\nFound 2 elements\n", "", 0);
        expect("map update pinned " + P + "aom key 0 0 0 0 value pinned " + P + "big", "",
                "Error: update failed: Invalid argument\n", 234);
        expect("map update pinned " + P + "aom key 0 0 0 0 value pinned " + P + "in noexist", "",
                "Error: update failed: Invalid argument\n", 234);
        ok("map create " + P + "hom type hash_of_maps key 4 value 4 entries 2 name hom inner_map pinned " + P + "in");
        ok("map update pinned " + P + "hom key 5 0 0 0 value id " + in);
        expect("map update pinned " + P + "hom key 5 0 0 0 value id " + in2 + " noexist", "",
                "Error: update failed: File exists\n", 239);
        expect("map dump pinned " + P + "hom", "key: 05 00 00 00  value: " + hexU32(in) + "\nFound 1 element\n",
                "", 0);
        ok("map delete pinned " + P + "hom key 5 0 0 0");
        expect("map dump pinned " + P + "hom", "Found 0 elements\n", "", 0);
    }
}
