package org.bpfmaps.simulator.ringbuf;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;

/** Stand-ins for simulator map descriptors: a {@link BpfMap} proxy answering type, id, isClosed and close. */
final class FakeMaps {

    private final Map<BpfMap, RingBufMap> adapters = new HashMap<>();
    private int nextId = 1;

    /** A map of {@code type} with a ring of {@code size} bytes. */
    BpfMap create(MapType type, int size) {
        RingBufMap adapter = new RingBufMap(MapSpec.builder(type).maxEntries(size).build());
        BpfMap map = proxy(type, nextId++);
        adapters.put(map, adapter);
        return map;
    }

    /** A map of another type, unknown to {@link #ringOf(BpfMap)}. */
    BpfMap foreign(MapType type) {
        return proxy(type, nextId++);
    }

    RingBufMap ringOf(BpfMap map) {
        return adapters.get(map);
    }

    SimRingBuffer ring(BpfMap map) {
        return adapters.get(map).ring();
    }

    SimUserRingBuffer userRing(BpfMap map) {
        return adapters.get(map).userRing();
    }

    private static BpfMap proxy(MapType type, int id) {
        AtomicBoolean closed = new AtomicBoolean();
        return (BpfMap) Proxy.newProxyInstance(FakeMaps.class.getClassLoader(), new Class<?>[] {BpfMap.class},
                (self, method, args) -> {
                    switch (method.getName()) {
                        case "type":
                            return type;
                        case "id":
                            return id;
                        case "maxEntries":
                            return 0;
                        case "isClosed":
                            return closed.get();
                        case "close":
                            closed.set(true);
                            return null;
                        case "toString":
                            return "fake " + type.bpftoolName() + " id " + id;
                        case "hashCode":
                            return System.identityHashCode(self);
                        case "equals":
                            return self == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
