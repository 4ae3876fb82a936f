package org.bpfmaps.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.codec.StructCodecTest.Arrays1;
import org.bpfmaps.codec.StructCodecTest.FlowKey;
import org.bpfmaps.codec.StructCodecTest.HoldsPacked;
import org.bpfmaps.codec.StructCodecTest.Mid;
import org.bpfmaps.codec.StructCodecTest.Narrow;
import org.bpfmaps.codec.StructCodecTest.Network;
import org.bpfmaps.codec.StructCodecTest.Outer;
import org.bpfmaps.codec.StructCodecTest.PackedThing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the C twins of the test records with {@code cc} and compares sizeof, offsetof and the encoded
 * bytes of one value; skipped, with the reason, when no C compiler is on the PATH.
 */
class CCompilerLayoutTest {

    private static final String C_SOURCE = String.join("\n",
            "#include <stdio.h>",
            "#include <stddef.h>",
            "#include <stdint.h>",
            "#include <string.h>",
            "#include <stdbool.h>",
            "struct FlowKey { int32_t srcIp; int32_t dstIp; int16_t srcPort; int16_t dstPort; int8_t proto; };",
            "struct Mid { int8_t a; int64_t b; int16_t c; };",
            "struct Outer { int8_t tag; struct Mid inner; int16_t xs[3]; uint16_t c; };",
            "struct __attribute__((packed)) PackedThing { int8_t a; int32_t b; int64_t c; };",
            "struct HoldsPacked { int8_t x; struct PackedThing p; int32_t y; };",
            "struct Point { int16_t x; int32_t y; };",
            "struct Arrays1 { uint8_t mac[6]; int64_t v[2]; struct Point pts[2]; bool flag; };",
            "struct Narrow { uint16_t port; uint8_t proto; uint32_t x; double d; float f; int8_t small; };",
            "struct Network { uint32_t addr; uint32_t hostValue; uint16_t port; };",
            "#define S(T) printf(#T \" size %zu\\n\", sizeof(struct T))",
            "#define F(T, f) printf(#T \" \" #f \" %zu\\n\", offsetof(struct T, f))",
            "int main(void) {",
            "  S(FlowKey); F(FlowKey, srcIp); F(FlowKey, dstIp); F(FlowKey, srcPort); F(FlowKey, dstPort);",
            "  F(FlowKey, proto);",
            "  S(Mid); F(Mid, a); F(Mid, b); F(Mid, c);",
            "  S(Outer); F(Outer, tag); F(Outer, inner); F(Outer, xs); F(Outer, c);",
            "  S(PackedThing); F(PackedThing, a); F(PackedThing, b); F(PackedThing, c);",
            "  S(HoldsPacked); F(HoldsPacked, x); F(HoldsPacked, p); F(HoldsPacked, y);",
            "  S(Arrays1); F(Arrays1, mac); F(Arrays1, v); F(Arrays1, pts); F(Arrays1, flag);",
            "  S(Narrow); F(Narrow, port); F(Narrow, proto); F(Narrow, x); F(Narrow, d); F(Narrow, f);",
            "  F(Narrow, small);",
            "  S(Network); F(Network, addr); F(Network, hostValue); F(Network, port);",
            "  struct FlowKey k; memset(&k, 0, sizeof k);",
            "  k.srcIp = 0x0a000001; k.dstIp = -2; k.srcPort = 443; k.dstPort = -1; k.proto = 17;",
            "  printf(\"FlowKey bytes \");",
            "  for (size_t i = 0; i < sizeof k; i++) printf(\"%02x\", ((unsigned char *) &k)[i]);",
            "  printf(\"\\n\");",
            "  struct Outer o; memset(&o, 0, sizeof o);",
            "  o.tag = -1; o.inner.a = 2; o.inner.b = -3; o.inner.c = 4; o.xs[0] = 5; o.xs[1] = -6; o.xs[2] = 7;",
            "  o.c = 'z';",
            "  printf(\"Outer bytes \");",
            "  for (size_t i = 0; i < sizeof o; i++) printf(\"%02x\", ((unsigned char *) &o)[i]);",
            "  printf(\"\\n\");",
            "  return 0;",
            "}", "");

    @Test
    void layoutsMatchTheCCompiler(@TempDir Path dir) throws IOException, InterruptedException {
        String cc = findCompiler();
        assumeTrue(cc != null, "no C compiler (cc or gcc) on the PATH: the C comparison is skipped");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, C_SOURCE, StandardCharsets.UTF_8);
        Path binary = dir.resolve("layout");
        run(List.of(cc, "-std=c11", "-Wall", "-Werror", "-o", binary.toString(), source.toString()));
        Map<String, String> c = new LinkedHashMap<>();
        for (String line : run(List.of(binary.toString()))) {
            int space = line.lastIndexOf(' ');
            c.put(line.substring(0, space), line.substring(space + 1));
        }
        List<Class<? extends Record>> records = List.of(FlowKey.class, Mid.class, Outer.class, PackedThing.class,
                HoldsPacked.class, Arrays1.class, Narrow.class, Network.class);
        Map<String, String> java = new LinkedHashMap<>();
        for (Class<? extends Record> type : records) {
            StructCodec<?> codec = StructCodec.of(type);
            java.put(type.getSimpleName() + " size", String.valueOf(codec.size()));
            for (StructCodec.Field f : codec.fields()) {
                java.put(type.getSimpleName() + " " + f.name(), String.valueOf(f.offset()));
            }
        }
        java.put("FlowKey bytes", StructCodecTest.hex(StructCodec.of(FlowKey.class).encode(
                new FlowKey(0x0a000001, -2, (short) 443, (short) -1, (byte) 17))));
        java.put("Outer bytes", StructCodecTest.hex(StructCodec.of(Outer.class).encode(
                new Outer((byte) -1, new Mid((byte) 2, -3L, (short) 4), new short[] {5, -6, 7}, 'z'))));
        assertEquals(c, java, "sizeof/offsetof/bytes from " + cc + " vs StructCodec");
    }

    private static String findCompiler() {
        for (String name : new String[] {"cc", "gcc", "clang"}) {
            String path = System.getenv("PATH");
            if (path == null) {
                return null;
            }
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " timed out");
        }
        assertEquals(0, p.exitValue(), command + " failed:\n" + out);
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
