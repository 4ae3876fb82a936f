package org.bpfmaps.conformance.reliability;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bpfmaps.Access;
import org.bpfmaps.BpfMap;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapFlag;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.ProgramView;
import org.bpfmaps.conformance.Bytes;

/**
 * Access-mode scenarios, each a labelled list of calls whose outcomes ({@link Outcome}) a test compares between
 * backends and against the documented errnos (SEMANTICS §2.1, §2.3, §5).
 *
 * <p>Every call on a descriptor that may not make it must fail, and no other path may widen the access: a
 * program view, a batch command or {@code lookupAndDelete} through a read-only handle must not write either.
 * Every scenario closes what it opens, even when a call fails.
 */
public final class AccessModeScenarios {
    private final MapBackend backend;
    private final String bpffs;
    private final Map<String, String> out = new LinkedHashMap<>();

    private AccessModeScenarios(MapBackend backend, String bpffs) {
        this.backend = backend;
        this.bpffs = bpffs;
    }

    /** Runs every scenario on {@code backend}, pinning under {@code bpffs} (a mounted bpffs / the simulator's root). */
    public static Map<String, String> run(MapBackend backend, String bpffs) {
        AccessModeScenarios s = new AccessModeScenarios(backend, bpffs);
        s.createdReadOnly();
        s.createdWriteOnly();
        s.openedWithAccess("byId", m -> a -> backend.openById(m.id(), a));
        s.openedWithAccess("pinned", m -> a -> backend.openPinned(bpffs + "/m_" + a, a));
        s.programAccessFlags();
        s.frozen();
        s.pinErrors();
        return s.out;
    }

    private static MapSpec hash(int flags) {
        return MapSpec.builder(MapType.HASH).keySize(4).valueSize(8).maxEntries(8).flags(flags).name("acc").build();
    }

    private void put(String label, Supplier<String> call) {
        out.put(label, Outcome.of(label, call));
    }

    private void run(String label, Runnable call) {
        out.put(label, Outcome.run(label, call));
    }

    private static byte[] k(int i) {
        return Bytes.u32(i);
    }

    private static byte[] v(long x) {
        return Bytes.u64(x);
    }

    /** Every syscall path that reads or writes, on {@code m}, labelled {@code prefix.*}. */
    private void syscallPaths(String prefix, BpfMap m) {
        put(prefix + ".access", () -> m.access().name());
        put(prefix + ".lookup", () -> m.lookup(k(1)).map(Bytes::hex).orElse("missing"));
        put(prefix + ".nextKey", () -> String.valueOf(m.nextKey(null, new byte[4])));
        put(prefix + ".lookupBatch", () -> String.valueOf(m.lookupBatch(null, new byte[4], new byte[32], new byte[64],
                8, 0).count()));
        run(prefix + ".update", () -> m.update(k(2), v(2), 0));
        put(prefix + ".delete", () -> String.valueOf(m.delete(k(3))));
        put(prefix + ".lookupAndDelete", () -> String.valueOf(m.lookupAndDelete(k(1), new byte[8])));
        put(prefix + ".lookupAndDeleteBatch", () -> String.valueOf(m.lookupAndDeleteBatch(null, new byte[4],
                new byte[32], new byte[64], 8, 0).count()));
        put(prefix + ".updateBatch", () -> String.valueOf(m.updateBatch(k(4), v(4), 1, 0)));
        put(prefix + ".deleteBatch", () -> String.valueOf(m.deleteBatch(k(3), 1, 0)));
        // a wrong size is refused before the kernel: EINVAL, not the EPERM the kernel would give
        run(prefix + ".updateWrongKeySize", () -> m.update(new byte[5], v(2), 0));
        put(prefix + ".lookupWrongValueSize", () -> String.valueOf(m.lookup(k(1), new byte[7])));
        // a program view must not widen the descriptor's access
        try (ProgramView view = m.programView(0)) {
            run(prefix + ".programUpdate", () -> view.update(k(6), v(6), 0));
            put(prefix + ".programDelete", () -> String.valueOf(view.delete(k(1))));
            put(prefix + ".programLookup", () -> view.lookup(k(1)).map(Bytes::hex).orElse("missing"));
        } catch (RuntimeException e) {
            out.put(prefix + ".programView", Outcome.of(prefix + ".programView", () -> {
                throw e;
            }));
        }
        run(prefix + ".freeze", m::freeze);
    }

    /** The contents of the map with id {@code id}, read through a fresh read-write descriptor. */
    private String contents(int id) {
        try (BpfMap rw = backend.openById(id)) {
            StringBuilder sb = new StringBuilder();
            byte[] cur = null;
            byte[] next = new byte[4];
            java.util.TreeMap<Integer, String> all = new java.util.TreeMap<>();
            while (rw.nextKey(cur, next)) {
                all.put(Bytes.u32At(next, 0), Bytes.hex(rw.lookup(next).orElse(new byte[0])));
                cur = next.clone();
            }
            all.forEach((key, val) -> sb.append(key).append('=').append(val).append(' '));
            return sb.toString().trim() + " frozen=" + rw.info().frozen();
        }
    }

    private void createdReadOnly() {
        try (BpfMap m = backend.create(hash(MapFlag.RDONLY.bit()))) {
            put("createRdonly.infoFlags", () -> "0x" + Integer.toHexString(m.info().flags()));
            try (BpfMap rw = backend.openById(m.id())) {
                put("createRdonly.secondFd.access", () -> rw.access().name());
                run("createRdonly.secondFd.update", () -> rw.update(k(1), v(11), 0));
            }
            syscallPaths("createRdonly", m);
            put("createRdonly.contentsAfter", () -> contents(m.id()));
        }
    }

    private void createdWriteOnly() {
        try (BpfMap m = backend.create(hash(MapFlag.WRONLY.bit()))) {
            put("createWronly.infoFlags", () -> "0x" + Integer.toHexString(m.info().flags()));
            try (BpfMap rw = backend.openById(m.id())) {
                put("createWronly.secondFd.access", () -> rw.access().name());
                run("createWronly.secondFd.update", () -> rw.update(k(1), v(11), 0));
                put("createWronly.secondFd.lookup", () -> rw.lookup(k(1)).map(Bytes::hex).orElse("missing"));
            }
            syscallPaths("createWronly", m);
            put("createWronly.contentsAfter", () -> contents(m.id()));
        }
    }

    /** A read-write map reopened read-only and write-only by {@code how}. */
    private void openedWithAccess(String how,
                                  java.util.function.Function<BpfMap, java.util.function.Function<Access, BpfMap>> open) {
        for (Access a : new Access[] {Access.READ_ONLY, Access.WRITE_ONLY}) {
            try (BpfMap m = backend.create(hash(0))) {
                m.update(k(1), v(11), 0);
                m.update(k(3), v(33), 0);
                if (how.equals("pinned")) {
                    run(how + "." + a + ".pin", () -> m.pin(bpffs + "/m_" + a));
                }
                String prefix = how + "." + a;
                try (BpfMap h = open.apply(m).apply(a)) {
                    syscallPaths(prefix, h);
                } catch (RuntimeException e) {
                    out.put(prefix + ".open", Outcome.of(prefix + ".open", () -> {
                        throw e;
                    }));
                }
                put(prefix + ".contentsAfter", () -> contents(m.id()));
            } finally {
                if (how.equals("pinned")) {
                    unpin(bpffs + "/m_" + a);
                }
            }
        }
    }

    /** Removes a pin: a file on the real bpffs; the simulator's pins go with its backend. */
    private void unpin(String path) {
        if (backend.name().equals("linux")) {
            try {
                java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void programAccessFlags() {
        for (MapFlag f : new MapFlag[] {MapFlag.RDONLY_PROG, MapFlag.WRONLY_PROG}) {
            String p = f.name();
            try (BpfMap m = backend.create(hash(f.bit()))) {
                run(p + ".syscallUpdate", () -> m.update(k(1), v(11), 0));
                put(p + ".syscallLookup", () -> m.lookup(k(1)).map(Bytes::hex).orElse("missing"));
                put(p + ".infoFlags", () -> "0x" + Integer.toHexString(m.info().flags()));
                try (ProgramView view = m.programView(0)) {
                    put(p + ".programLookup", () -> view.lookup(k(1)).map(Bytes::hex).orElse("missing"));
                    run(p + ".programUpdate", () -> view.update(k(2), v(22), 0));
                    put(p + ".programDelete", () -> String.valueOf(view.delete(k(1))));
                }
                put(p + ".contentsAfter", () -> contents(m.id()));
            }
        }
    }

    private void frozen() {
        for (MapType t : new MapType[] {MapType.HASH, MapType.ARRAY}) {
            String p = "frozen" + t;
            MapSpec spec = MapSpec.builder(t).keySize(4).valueSize(8).maxEntries(8).build();
            try (BpfMap m = backend.create(spec)) {
                m.update(k(1), v(11), 0);
                run(p + ".freeze", m::freeze);
                put(p + ".infoFrozen", () -> String.valueOf(m.info().frozen()));
                run(p + ".update", () -> m.update(k(2), v(22), 0));
                put(p + ".delete", () -> String.valueOf(m.delete(k(1))));
                put(p + ".lookupAndDelete", () -> String.valueOf(m.lookupAndDelete(k(1), new byte[8])));
                put(p + ".updateBatch", () -> String.valueOf(m.updateBatch(k(4), v(4), 1, 0)));
                put(p + ".deleteBatch", () -> String.valueOf(m.deleteBatch(k(1), 1, 0)));
                put(p + ".lookup", () -> m.lookup(k(1)).map(Bytes::hex).orElse("missing"));
                run(p + ".freezeAgain", m::freeze);
                run(p + ".updateWrongSize", () -> m.update(k(2), new byte[9], 0));
                try (BpfMap rw = backend.openById(m.id())) {
                    run(p + ".secondFd.update", () -> rw.update(k(2), v(22), 0));
                }
                try (ProgramView view = m.programView(0)) {
                    run(p + ".programUpdate", () -> view.update(k(3), v(33), 0));
                    put(p + ".programLookup", () -> view.lookup(k(3)).map(Bytes::hex).orElse("missing"));
                }
                put(p + ".syscallSeesProgramWrite", () -> m.lookup(k(3)).map(Bytes::hex).orElse("missing"));
            }
        }
    }

    private void pinErrors() {
        try (BpfMap m = backend.create(hash(0))) {
            try {
                run("pin.first", () -> m.pin(bpffs + "/p"));
                run("pin.again", () -> m.pin(bpffs + "/p"));
                run("pin.missingDir", () -> m.pin(bpffs + "/no/such/dir"));
                put("open.missing", () -> {
                    backend.openPinned(bpffs + "/missing").close();
                    return "";
                });
            } finally {
                unpin(bpffs + "/p");
            }
        }
    }
}
