package org.bpfmaps.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codecs;
import org.bpfmaps.codec.Unsigned;
import org.bpfmaps.typed.PerCpuMap;

/**
 * Reads the flow table a BPF program fills (a per-CPU hash of flow counters) and reports the busiest flows.
 *
 * <p>The program side, in C:
 * <pre>
 * struct flow_key   { __u32 src_ip, dst_ip; __u16 src_port, dst_port; __u8 proto; }; // 13 bytes + 3 padding
 * struct flow_stats { __u64 packets, bytes; };
 * struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __type(key, struct flow_key);
 *          __type(value, struct flow_stats); __uint(max_entries, 65536); } flows SEC(".maps");
 * </pre>
 * Each CPU counts into its own slot without locks; the reader sums the slots. Addresses and ports are stored
 * as the program stores them (here: as host-order numbers).
 *
 * <p>Run: {@code java -Dbpfmaps.backend=linux ... FlowCounterReader /sys/fs/bpf/flows [top-n]}.
 */
public final class FlowCounterReader {

    /** The key, {@code struct flow_key}: 16 bytes, of which the last 3 are padding the codec writes as zeros. */
    public record FlowKey(@Unsigned int srcIp, @Unsigned int dstIp, @Unsigned short srcPort,
                          @Unsigned short dstPort, @Unsigned byte proto) {
        @Override
        public String toString() {
            return ip(srcIp) + ":" + Short.toUnsignedInt(srcPort) + " -> " + ip(dstIp) + ":"
                    + Short.toUnsignedInt(dstPort) + " proto " + Byte.toUnsignedInt(proto);
        }

        private static String ip(int a) {
            return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
        }
    }

    /** The value of one CPU's slot, {@code struct flow_stats}. */
    public record FlowStats(long packets, long bytes) {
        /** No traffic. */
        public static final FlowStats ZERO = new FlowStats(0, 0);

        /** The sum of two counters. */
        public FlowStats plus(FlowStats other) {
            return new FlowStats(packets + other.packets, bytes + other.bytes);
        }
    }

    /** One flow and its counters summed over every CPU. */
    public record FlowTotal(FlowKey flow, FlowStats stats) {
    }

    private final PerCpuMap<FlowKey, FlowStats> flows;

    /** A reader of {@code map}, a per-CPU hash of {@link FlowKey} to {@link FlowStats} (sizes are checked). */
    public FlowCounterReader(BpfMap map) {
        this.flows = PerCpuMap.of(map, Codecs.struct(FlowKey.class), Codecs.struct(FlowStats.class));
    }

    /** The spec of the flow table, as the BPF program declares it. */
    public static MapSpec spec(int maxEntries) {
        return MapSpec.builder(MapType.PERCPU_HASH).name("flows").maxEntries(maxEntries)
                .keySize(Codecs.struct(FlowKey.class).size()).valueSize(Codecs.struct(FlowStats.class).size())
                .build();
    }

    /** Every flow with its counters summed over CPUs. */
    public Map<FlowKey, FlowStats> totals() {
        return flows.reduceAll(FlowStats::plus);
    }

    /** The {@code n} flows with the most bytes, busiest first. */
    public List<FlowTotal> top(int n) {
        List<FlowTotal> all = new ArrayList<>();
        totals().forEach((flow, stats) -> all.add(new FlowTotal(flow, stats)));
        all.sort(Comparator.comparingLong((FlowTotal t) -> t.stats().bytes()).reversed());
        return all.subList(0, Math.min(n, all.size()));
    }

    /** Prints the busiest flows of the flow table pinned at {@code args[0]}. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: FlowCounterReader PINNED_PATH [TOP_N]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (MapBackend backend = BpfMaps.open(); BpfMap map = backend.openPinned(args[0])) {
            for (FlowTotal t : new FlowCounterReader(map).top(n)) {
                System.out.printf("%-50s %10d packets %14d bytes%n", t.flow(), t.stats().packets(), t.stats().bytes());
            }
        }
    }
}
