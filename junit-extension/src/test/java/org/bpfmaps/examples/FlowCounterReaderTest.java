package org.bpfmaps.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.CodecException;
import org.bpfmaps.codec.Codecs;
import org.bpfmaps.examples.FlowCounterReader.FlowKey;
import org.bpfmaps.examples.FlowCounterReader.FlowStats;
import org.bpfmaps.examples.FlowCounterReader.FlowTotal;
import org.bpfmaps.junit.Backend;
import org.bpfmaps.junit.BpfMapDef;
import org.bpfmaps.junit.BpfMapsTest;

/**
 * The flow counter example against a kernel half played by program views: each CPU counts packets into its own
 * slot as the BPF program would, and the reader must sum them. Runs on the simulator and on the real kernel.
 */
class FlowCounterReaderTest {
    private static final Codec<FlowKey> KEY = Codecs.struct(FlowKey.class);
    private static final Codec<FlowStats> STATS = Codecs.struct(FlowStats.class);

    static MapSpec flowTable() {
        return FlowCounterReader.spec(64);
    }

    private static final FlowKey DNS = new FlowKey(0x0A000001, 0x08080808, (short) 53000, (short) 53, (byte) 17);
    private static final FlowKey HTTPS = new FlowKey(0x0A000001, 0x5DB8D822, (short) 40000, (short) 443, (byte) 6);
    private static final FlowKey SSH = new FlowKey(0xC0A80102, 0x0A000001, (short) 60000, (short) 22, (byte) 6);

    /** What the BPF program does for each packet: look its flow up on this CPU, add one packet, write it back. */
    private static void countPacket(ProgramView cpu, FlowKey flow, int length) {
        byte[] key = KEY.encode(flow);
        FlowStats now = cpu.lookup(key).map(STATS::decode).orElse(FlowStats.ZERO);
        cpu.update(key, STATS.encode(now.plus(new FlowStats(1, length))), UpdateFlags.ANY);
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void sumsTheCountersOfEveryCpu(MapBackend backend, @BpfMapDef(spec = "flowTable") BpfMap flows) {
        int cpus = backend.possibleCpus();
        for (int c = 0; c < cpus; c++) {
            try (ProgramView cpu = flows.programView(c)) {
                for (int i = 0; i < 10; i++) {
                    countPacket(cpu, HTTPS, 1500);
                }
                countPacket(cpu, DNS, 80 + c);
                if (c == cpus - 1) {
                    countPacket(cpu, SSH, 100);
                }
            }
        }
        FlowCounterReader reader = new FlowCounterReader(flows);
        Map<FlowKey, FlowStats> totals = reader.totals();
        assertEquals(3, totals.size());
        assertEquals(new FlowStats(10L * cpus, 15000L * cpus), totals.get(HTTPS));
        assertEquals(new FlowStats(cpus, 80L * cpus + (long) cpus * (cpus - 1) / 2), totals.get(DNS));
        assertEquals(new FlowStats(1, 100), totals.get(SSH));
        List<FlowTotal> top = reader.top(2);
        assertEquals(List.of(HTTPS, DNS), List.of(top.get(0).flow(), top.get(1).flow()));
        assertEquals("10.0.0.1:40000 -> 93.184.216.34:443 proto 6", top.get(0).flow().toString());
    }

    @BpfMapsTest(backends = {Backend.SIMULATOR, Backend.LINUX})
    void theKeyIsTheCStructWithZeroedPadding(@BpfMapDef(spec = "flowTable") BpfMap flows) {
        assertEquals(16, flows.keySize(), "13 bytes of fields, 3 of tail padding");
        try (ProgramView cpu = flows.programView(0)) {
            countPacket(cpu, SSH, 60);
        }
        byte[] key = new byte[16];
        assertTrue(flows.nextKey(null, key));
        assertEquals(0, key[13] | key[14] | key[15]);
        assertEquals(SSH, KEY.decode(key));
    }

    @BpfMapsTest
    void refusesAMapOfAnotherLayout(@BpfMapDef(type = MapType.PERCPU_HASH, keySize = 13, valueSize = 16) BpfMap packedKeys) {
        CodecException e = assertThrows(CodecException.class, () -> new FlowCounterReader(packedKeys));
        assertTrue(e.getMessage().startsWith("struct FlowKey is 16 bytes but map "), e.getMessage());
        assertTrue(e.getMessage().endsWith("has key_size 13"), e.getMessage());
    }
}
