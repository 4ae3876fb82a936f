package org.bpfmaps.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small formats: strtoul, fprint_hex, the JSON writer's two layouts and the pin order. */
class FormatTest {

    @Test
    void strtoulAsBpftoolUsesIt() {
        assertEquals(10L, Numbers.strtoul("10", 0));
        assertEquals(8L, Numbers.strtoul("010", 0));
        assertEquals(31L, Numbers.strtoul("0x1f", 0));
        assertEquals(31L, Numbers.strtoul("0X1F", 0));
        assertEquals(31L, Numbers.strtoul("1f", 16));
        assertEquals(31L, Numbers.strtoul("0x1f", 16));
        assertEquals(-1L, Numbers.strtoul("-1", 0));
        assertEquals(3L, Numbers.strtoul(" +3", 0));
        assertEquals(0L, Numbers.strtoul("", 0));
        assertEquals(-1L, Numbers.strtoul("99999999999999999999999", 0));
        assertNull(Numbers.strtoul("0x", 0));
        assertNull(Numbers.strtoul("08", 0));
        assertNull(Numbers.strtoul("zz", 16));
        assertNull(Numbers.strtoul("1 ", 0));
        assertNull(Numbers.strtoul("value", 0));
    }

    @Test
    void hexBreaksEvery8And16Bytes() {
        byte[] b = new byte[20];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i + 1);
        }
        assertEquals("01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11 12 13 14",
                Numbers.hex(new StringBuilder(), b, 0, 20).toString());
        assertEquals("", Numbers.hex(new StringBuilder(), b, 0, 0).toString());
    }

    private static String json(boolean pretty, java.util.function.Consumer<JsonWriter> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        JsonWriter j = new JsonWriter(ps, pretty);
        body.accept(j);
        j.finish();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonLayouts() {
        java.util.function.Consumer<JsonWriter> doc = j -> {
            j.startArray().startObject();
            j.name("key").startArray().raw("\"0x01\"").raw("\"0x02\"").endArray();
            j.name("values").startArray().startObject().field("cpu", "0").name("value").startArray().endArray()
                    .endObject().endArray();
            j.stringField("s", "a\"b\\c\td");
            j.endObject().endArray();
        };
        assertEquals("[{\"key\":[\"0x01\",\"0x02\"],\"values\":[{\"cpu\":0,\"value\":[]}],\"s\":\"a\\\"b\\\\c\\td\"}]\n",
                json(false, doc));
        assertEquals("[{\n        \"key\": [\"0x01\",\"0x02\"\n        ],\n        \"values\": [{\n"
                + "                \"cpu\": 0,\n                \"value\": []\n            }\n        ],\n"
                + "        \"s\": \"a\\\"b\\\\c\\td\"\n    }\n]\n", json(true, doc));
        assertEquals("[]\n", json(true, j -> j.startArray().endArray()));
        assertEquals("null\n", json(true, JsonWriter::nullValue));
        assertEquals("\n", json(false, j -> { }));
        assertEquals("{\"error\":\"x \"y\"\"}\n", json(false, j -> j.startObject().name("error").unescaped("x \"y\"")
                .endObject()));
        assertEquals("[{\"command\":[\"map\"],\"output\":null}]\n",
                json(false, j -> {
                    j.startArray().startObject().name("command").startArray().string("map").endArray()
                            .name("output").nullValue();
                    j.closeAll();
                }));
    }

    @Test
    void pinOrderFollowsLibbpfHashmap() {
        // three pins of one id: the table grows at the first insert (to 4 buckets) and the third (to 8),
        // so the chain ends up in walk order reversed twice over its first two entries
        List<PinTable.Pin> pins = List.of(new PinTable.Pin(19, "c"), new PinTable.Pin(19, "b"),
                new PinTable.Pin(19, "a"));
        assertEquals(Map.of(19, List.of("a", "b", "c")), PinTable.order(pins));
        // a fourth insert grows the table (4 * 4 / 3 > 4), which re-inserts and so reverses the chain
        List<PinTable.Pin> four = new ArrayList<>(pins);
        four.add(new PinTable.Pin(19, "z"));
        assertEquals(Map.of(19, List.of("z", "c", "b", "a")), PinTable.order(four));
    }
}
