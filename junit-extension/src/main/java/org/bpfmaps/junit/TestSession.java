package org.bpfmaps.junit;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.codec.Codec;
import org.bpfmaps.codec.Codecs;
import org.bpfmaps.spi.MapBackendProvider;
import org.bpfmaps.typed.BloomFilter;
import org.bpfmaps.typed.BpfQueue;
import org.bpfmaps.typed.BpfStack;
import org.bpfmaps.typed.LpmTrie;
import org.bpfmaps.typed.PerCpuMap;
import org.bpfmaps.typed.TypedMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * Everything one test invocation owns: its backend and the maps made for it, closed together at the end.
 *
 * <p>Exists so that parameter resolution, field injection and cleanup share one place and one order: maps are
 * closed newest first, then the backend, and every close is attempted even when one fails.
 */
final class TestSession implements AutoCloseable {
    private final Backend backend;
    private final int cpus;
    private TrackingBackend opened;
    private boolean closed;

    TestSession(Backend backend, int cpus) {
        this.backend = backend;
        this.cpus = cpus;
    }

    Backend backendKind() {
        return backend;
    }

    /** Skips (or, when the kernel is required, fails) the test when the backend cannot run here. */
    void checkAvailable() {
        unavailabilityReason().ifPresent(this::skipOrFail);
    }

    /** Aborts the test with {@code reason}; fails it instead when it runs on linux and the kernel is required. */
    private void skipOrFail(String reason) {
        if (backend == Backend.LINUX && BpfMapsExtension.kernelRequired()) {
            Assertions.fail(reason + " (and " + BpfMapsExtension.REQUIRE_KERNEL_ENV + "=1 requires it)");
        }
        Assumptions.abort(reason);
    }

    Optional<String> unavailabilityReason() {
        List<MapBackendProvider> installed = providersForTests;
        return reasonUnavailable(backend, installed != null ? installed : BpfMaps.providers());
    }

    /** Tests of the extension replace the installed providers here; null means the real ones. */
    static volatile List<MapBackendProvider> providersForTests;

    /** Why {@code backend} cannot run with these providers installed, or empty when it can. */
    static Optional<String> reasonUnavailable(Backend backend, List<MapBackendProvider> installed) {
        if (backend == Backend.SIMULATOR) {
            return Optional.empty();
        }
        for (MapBackendProvider p : installed) {
            if (p.name().equals(backend.providerName())) {
                if (p.isAvailable()) {
                    return Optional.empty();
                }
                return Optional.of("the " + backend.providerName() + " backend is not available: "
                        + p.unavailabilityCause().map(Throwable::getMessage).orElse("no reason given"));
            }
        }
        return Optional.of("the " + backend.providerName() + " backend is not installed (add its artifact to the "
                + "test class path)");
    }

    /** The backend of this invocation, opened on first use. */
    synchronized MapBackend backend() {
        if (closed) {
            throw new IllegalStateException("the test's backend is already closed");
        }
        if (opened == null) {
            checkAvailable();
            MapBackend real = backend == Backend.SIMULATOR
                    ? BpfMaps.open("simulator", Map.of("cpus", String.valueOf(cpus)))
                    : BpfMaps.open(backend.providerName());
            opened = new TrackingBackend(real);
        }
        return opened;
    }

    /**
     * Skips (or fails) the test before it starts when the backend cannot create a map a parameter declares:
     * an abort thrown while resolving a parameter would be reported as an error instead.
     */
    void checkDeclaredTypes(Method testMethod, Class<?> testClass) {
        for (java.lang.reflect.Parameter p : testMethod.getParameters()) {
            BpfMapDef def = p.getAnnotation(BpfMapDef.class);
            if (def == null) {
                continue;
            }
            String where = describe(p, testMethod);
            MapType type = def.spec().isEmpty() ? def.type() : specFromMethod(def.spec(), testClass, where).type();
            if (type != MapType.UNSPEC && !backend().isSupported(type)) {
                skipOrFail("the " + backend().name() + " backend does not support " + type.bpftoolName()
                        + " maps (" + where + ")");
            }
        }
    }

    /** How messages name a parameter: by name when compiled with {@code -parameters}, else by position. */
    static String describe(java.lang.reflect.Parameter p, java.lang.reflect.Executable method) {
        String name = p.isNamePresent() ? p.getName()
                : "#" + java.util.Arrays.asList(method.getParameters()).indexOf(p);
        return "parameter " + name + " (" + p.getType().getSimpleName() + ") of " + method.getName();
    }

    /** Creates the map (and view) a parameter or field of {@code type} declares. */
    Object create(BpfMapDef def, Type type, Class<?> testClass, String where) {
        Class<?> raw = rawClass(type);
        Codec<?> keyCodec = null;
        Codec<?> valueCodec = null;
        if (raw == TypedMap.class || raw == PerCpuMap.class) {
            keyCodec = codec(type, 0, where);
            valueCodec = codec(type, 1, where);
        } else if (raw == LpmTrie.class || raw == BpfQueue.class || raw == BpfStack.class
                || raw == BloomFilter.class) {
            valueCodec = codec(type, 0, where);
        } else if (raw != BpfMap.class) {
            throw new ParameterResolutionException(where + ": @BpfMapDef goes on BpfMap, TypedMap, PerCpuMap, "
                    + "LpmTrie, BpfQueue, BpfStack or BloomFilter, not " + type.getTypeName());
        }
        MapSpec spec = spec(def, raw, keyCodec, valueCodec, testClass, where);
        MapBackend b = backend();
        if (!b.isSupported(spec.type())) {
            skipOrFail("the " + b.name() + " backend does not support " + spec.type().bpftoolName() + " maps ("
                    + where + ")");
        }
        BpfMap map = b.create(spec);
        if (raw == TypedMap.class) {
            return TypedMap.of(map, keyCodec, valueCodec);
        } else if (raw == PerCpuMap.class) {
            return PerCpuMap.of(map, keyCodec, valueCodec);
        } else if (raw == LpmTrie.class) {
            return LpmTrie.of(map, valueCodec);
        } else if (raw == BpfQueue.class) {
            return BpfQueue.of(map, valueCodec);
        } else if (raw == BpfStack.class) {
            return BpfStack.of(map, valueCodec);
        } else if (raw == BloomFilter.class) {
            return BloomFilter.of(map, valueCodec);
        }
        return map;
    }

    private MapSpec spec(BpfMapDef def, Class<?> raw, Codec<?> keyCodec, Codec<?> valueCodec, Class<?> testClass,
                         String where) {
        if (!def.spec().isEmpty()) {
            return specFromMethod(def.spec(), testClass, where);
        }
        if (def.type() == MapType.UNSPEC) {
            throw new ParameterResolutionException(where + ": @BpfMapDef needs a type or a spec method");
        }
        int keySize = def.keySize();
        if (keySize < 0) {
            if (keyCodec != null) {
                keySize = keyCodec.size();
            } else if (raw == LpmTrie.class) {
                keySize = 8;
            } else if (def.type().isKeyless()) {
                keySize = 0;
            } else {
                throw new ParameterResolutionException(where + ": give keySize for a raw " + def.type() + " map");
            }
        }
        int valueSize = def.valueSize();
        if (valueSize < 0) {
            if (valueCodec == null) {
                throw new ParameterResolutionException(where + ": give valueSize for a raw " + def.type() + " map");
            }
            valueSize = valueCodec.size();
        }
        return MapSpec.builder(def.type()).keySize(keySize).valueSize(valueSize).maxEntries(def.maxEntries())
                .flags(MapFlag.mask(def.flags())).name(def.name()).mapExtra(def.mapExtra()).build();
    }

    private static MapSpec specFromMethod(String name, Class<?> testClass, String where) {
        for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    if (!Modifier.isStatic(m.getModifiers()) || !MapSpec.class.isAssignableFrom(m.getReturnType())) {
                        throw new ParameterResolutionException(where + ": spec method " + name
                                + " must be static and return MapSpec");
                    }
                    try {
                        m.setAccessible(true);
                        return (MapSpec) m.invoke(null);
                    } catch (ReflectiveOperationException e) {
                        throw new ParameterResolutionException(where + ": spec method " + name + " failed", e);
                    }
                }
            }
        }
        throw new ParameterResolutionException(where + ": no static method " + name + "() in "
                + testClass.getName());
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) type).getRawType();
        }
        return Object.class;
    }

    private static Codec<?> codec(Type type, int index, String where) {
        if (!(type instanceof ParameterizedType)) {
            throw new ParameterResolutionException(where + ": give the type arguments of " + type.getTypeName()
                    + " so the codecs can be chosen");
        }
        Type arg = ((ParameterizedType) type).getActualTypeArguments()[index];
        if (!(arg instanceof Class)) {
            throw new ParameterResolutionException(where + ": type argument " + arg.getTypeName()
                    + " is not a class with a default codec");
        }
        try {
            return Codecs.forType((Class<?>) arg);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(where + ": " + e.getMessage(), e);
        }
    }

    /** Closes the maps (newest first), whatever the backend opened for the test, then the backend. */
    @Override
    public void close() {
        List<AutoCloseable> toClose = new ArrayList<>();
        TrackingBackend b;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            b = opened;
        }
        if (b != null) {
            toClose.addAll(b.opened());
            Collections.reverse(toClose);
            toClose.add(b);
        }
        RuntimeException first = null;
        for (AutoCloseable r : toClose) {
            try {
                r.close();
            } catch (Exception e) {
                RuntimeException unchecked = e instanceof RuntimeException ? (RuntimeException) e
                        : new IllegalStateException("closing " + r + " failed", e);
                if (first == null) {
                    first = unchecked;
                } else {
                    first.addSuppressed(unchecked);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Whether {@link #close()} ran. */
    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return backend == Backend.SIMULATOR ? "simulator, " + cpus + " CPUs" : backend.providerName();
    }
}
