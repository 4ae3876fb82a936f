package org.bpfmaps.simulator.bloom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Lookup3Test {

    @Test
    void publishedLookup3Vectors() {
        // lookup3.c's self-test values for hashlittle, which jhash equals on little-endian machines.
        byte[] text = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x17770551, Lookup3.jhash(text, 0, 30, 0));
        assertEquals(0xcd628161, Lookup3.jhash(text, 0, 30, 1));
        assertEquals(0xdeadbeef, Lookup3.jhash(new byte[0], 0, 0, 0));
        assertEquals(0xdeadbeef, Lookup3.jhash2(new byte[0], 0, 0, 0));
    }

    @Test
    void wordAndByteFormsAgreeOnWholeWords() {
        Random rnd = new Random(3);
        for (int words = 0; words <= 20; words++) {
            byte[] data = new byte[words * 4 + 3];
            rnd.nextBytes(data);
            int seed = rnd.nextInt();
            assertEquals(Lookup3.jhash(data, 3, words * 4, seed), Lookup3.jhash2(data, 3, words * 4, seed),
                    "words=" + words);
        }
    }

    @Test
    void agreesWithTheSimulatorsJHash() throws Exception {
        // The hash maps' implementation is package-private; reach it reflectively so the two cannot drift apart.
        Class<?> jhash = Class.forName("org.bpfmaps.simulator.JHash");
        Method bytes = jhash.getDeclaredMethod("jhash", ByteBuffer.class, int.class, int.class, int.class);
        Method words = jhash.getDeclaredMethod("jhash2", ByteBuffer.class, int.class, int.class, int.class);
        bytes.setAccessible(true);
        words.setAccessible(true);
        Random rnd = new Random(5);
        for (int len = 0; len <= 40; len++) {
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            int seed = rnd.nextInt();
            ByteBuffer buf = ByteBuffer.wrap(data);
            assertEquals((int) bytes.invoke(null, buf, 0, len, seed), Lookup3.jhash(data, 0, len, seed), "len=" + len);
            if (len % 4 == 0) {
                assertEquals((int) words.invoke(null, buf, 0, len, seed), Lookup3.jhash2(data, 0, len, seed),
                        "words len=" + len);
            }
        }
    }
}
