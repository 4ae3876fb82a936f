package org.bpfmaps.simulator;

import java.nio.ByteBuffer;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.simulator.bloom.BloomFilterMap;
import org.bpfmaps.simulator.lpm.LpmTrieMap;
import org.bpfmaps.simulator.queue.QueueStackMap;
import org.bpfmaps.simulator.ringbuf.RingBufMap;

/**
 * {@code LPM_TRIE}, {@code QUEUE}, {@code STACK}, {@code BLOOM_FILTER}, {@code RINGBUF}, {@code USER_RINGBUF} and
 * the {@link EmulatedOps} types: a {@link MapObject} over the public per-type adapters of the {@code lpm},
 * {@code queue}, {@code bloom} and {@code ringbuf} packages, or over this package's per-type classes (devices,
 * CPUs, stack traces, cgroup storage, descriptors), which hold the elements, the type's create checks and its
 * command matrix. The adapters
 * share the operation set below as public methods; an empty subclass per adapter attaches this package's interface
 * to them. A ring buffer's ring is reached through {@link #ringBuffer()} by the kernel's reader/writer factories
 * and by {@link SimProgramView}.
 */
final class DelegatedMapObject extends MapObject {

    /** The public operations every adapter has. */
    interface Ops {
        long memlock();

        int lookup(ByteBuffer key, ByteBuffer value);

        int update(ByteBuffer key, ByteBuffer value, long flags);

        int delete(ByteBuffer key);

        int nextKey(ByteBuffer key, ByteBuffer nextKey);

        int lookupAndDelete(ByteBuffer key, ByteBuffer value);

        int batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                  long elemFlags, int[] countOut);

        int programLookup(ByteBuffer key, ByteBuffer value, int cpu);

        int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu);

        int programDelete(ByteBuffer key);

        int programPush(ByteBuffer value, long flags);

        int programPop(ByteBuffer value);

        int programPeek(ByteBuffer value);
    }

    private static final class Lpm extends LpmTrieMap implements Ops {
        Lpm(MapSpec spec) {
            super(spec);
        }
    }

    private static final class Ring extends QueueStackMap implements Ops {
        Ring(MapSpec spec) {
            super(spec);
        }
    }

    private static final class Bloom extends BloomFilterMap implements Ops {
        Bloom(MapSpec spec, int seed) {
            super(spec, seed);
        }
    }

    private static final class RingBuffer extends RingBufMap implements Ops {
        RingBuffer(MapSpec spec) {
            super(spec);
        }
    }

    /** Whether this class creates maps of {@code type}. */
    static boolean handles(MapType type) {
        return type == MapType.LPM_TRIE || type == MapType.QUEUE || type == MapType.STACK
                || type == MapType.BLOOM_FILTER || RingBufMap.handles(type) || emulatedOps(type);
    }

    /** Whether {@code type} is one of this package's {@link EmulatedOps} types. */
    static boolean emulatedOps(MapType type) {
        switch (type) {
            case DEVMAP:
            case DEVMAP_HASH:
            case CPUMAP:
            case STACK_TRACE:
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
            case ARENA:
                return true;
            default:
                return DescriptorMap.handles(type);
        }
    }

    /** The type's own create checks (after the generic ones), or null when the spec is accepted. */
    static CreateChecks.Refusal check(MapSpec spec, int cpus) {
        switch (spec.type()) {
            case DEVMAP:
            case DEVMAP_HASH:
                return DevMap.check(spec);
            case CPUMAP:
                return CpuMap.check(spec, cpus);
            case STACK_TRACE:
                return StackTraceMap.check(spec);
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
                return CgroupStorageMap.check(spec);
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
            case SOCKMAP:
            case SOCKHASH:
            case XSKMAP:
            case REUSEPORT_SOCKARRAY:
                return DescriptorMap.check(spec);
            case ARENA:
                return ArenaMap.check(spec);
            case LPM_TRIE:
                return refusal(LpmTrieMap.checkCreate(spec), LpmTrieMap.explainCreate(spec));
            case QUEUE:
            case STACK:
                return refusal(QueueStackMap.checkCreate(spec), QueueStackMap.explainCreate(spec));
            case BLOOM_FILTER:
                return refusal(BloomFilterMap.checkCreate(spec), BloomFilterMap.explainCreate(spec));
            case RINGBUF:
            case USER_RINGBUF:
                return refusal(RingBufMap.checkCreate(spec), RingBufMap.explainCreate(spec));
            default:
                throw new IllegalArgumentException(spec.type().toString());
        }
    }

    private static CreateChecks.Refusal refusal(int errno, String detail) {
        return errno == 0 ? null : new CreateChecks.Refusal(errno, detail);
    }

    private final Ops ops;

    /** @param seed a random u32 for the bloom filter's hash seed (ignored with BPF_F_ZERO_SEED and other types) */
    DelegatedMapObject(SimulatedKernel kernel, MapSpec spec, int id, int seed) {
        super(kernel, spec, id);
        switch (spec.type()) {
            case LPM_TRIE:
                ops = new Lpm(spec);
                break;
            case QUEUE:
            case STACK:
                ops = new Ring(spec);
                break;
            case RINGBUF:
            case USER_RINGBUF:
                ops = new RingBuffer(spec);
                break;
            case DEVMAP:
            case DEVMAP_HASH:
                ops = new DevMap(spec);
                break;
            case CPUMAP:
                ops = new CpuMap(spec, kernel.possibleCpus());
                break;
            case STACK_TRACE:
                ops = new StackTraceMap(spec);
                break;
            case CGROUP_STORAGE:
            case PERCPU_CGROUP_STORAGE:
                ops = new CgroupStorageMap(spec);
                break;
            case PROG_ARRAY:
            case PERF_EVENT_ARRAY:
            case CGROUP_ARRAY:
            case SOCKMAP:
            case SOCKHASH:
            case XSKMAP:
            case REUSEPORT_SOCKARRAY:
                ops = new DescriptorMap(kernel, spec);
                break;
            case ARENA:
                ops = new ArenaMap(spec);
                break;
            default:
                ops = new Bloom(spec, seed);
                break;
        }
    }

    @Override
    boolean updatesDependOnDescriptors() {
        return ops instanceof DescriptorMap;
    }

    @Override
    int reportedFlags() {
        return ops instanceof EmulatedOps e ? flags | e.addedFlags() : flags;
    }

    /** The ring of a RINGBUF or USER_RINGBUF map, else null. */
    RingBufMap ringBuffer() {
        return ops instanceof RingBufMap r ? r : null;
    }

    /**
     * The ring of {@code map} when it is a ring buffer descriptor of {@code kernel}, else null (the resolver the
     * reader and writer factories take).
     */
    static RingBufMap ringBufferOf(SimulatedKernel kernel, BpfMap map) {
        if (map instanceof SimBpfMap s && s.object.kernel == kernel && s.object instanceof DelegatedMapObject d) {
            return d.ringBuffer();
        }
        return null;
    }

    @Override
    long memlock() {
        return ops.memlock();
    }

    @Override
    int lookup(ByteBuffer key, ByteBuffer value) {
        return ops.lookup(key, value);
    }

    @Override
    int update(ByteBuffer key, ByteBuffer value, long flags) {
        return ops.update(key, value, flags);
    }

    @Override
    int delete(ByteBuffer key) {
        return ops.delete(key);
    }

    @Override
    int nextKey(ByteBuffer key, ByteBuffer nextKey) {
        return ops.nextKey(key, nextKey);
    }

    @Override
    int lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        return ops.lookupAndDelete(key, value);
    }

    @Override
    Batch batch(BpfCommand command, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values, int count,
                long elemFlags) {
        int[] done = new int[1];
        int err = ops.batch(command, inBatch, outBatch, keys, values, count, elemFlags, done);
        return new Batch(err, done[0]);
    }

    @Override
    int programLookup(ByteBuffer key, ByteBuffer value, int cpu) {
        return ops.programLookup(key, value, cpu);
    }

    @Override
    int programUpdate(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        return ops.programUpdate(key, value, flags, cpu);
    }

    @Override
    int programDelete(ByteBuffer key) {
        return ops.programDelete(key);
    }

    int programPush(ByteBuffer value, long flags) {
        return ops.programPush(value, flags);
    }

    int programPop(ByteBuffer value) {
        return ops.programPop(value);
    }

    int programPeek(ByteBuffer value) {
        return ops.programPeek(value);
    }
}
