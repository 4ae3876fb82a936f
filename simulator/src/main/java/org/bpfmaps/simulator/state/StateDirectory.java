package org.bpfmaps.simulator.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A simulator state directory, checked and locked: the one place that decides whether a directory may hold
 * persisted simulator state.
 *
 * <p>{@link #open(Path, Duration)}:
 * <ol>
 *   <li>creates the directory when missing (parents as usual, the directory itself {@code 0700} whatever the
 *       umask);</li>
 *   <li>refuses, with an {@link IllegalStateException} naming the path and the problem, a path that is not a
 *       directory, a directory owned by another user, or one that is writable by its group or by others;</li>
 *   <li>takes the directory's lock: first a lock per directory inside this JVM, then an exclusive
 *       {@link FileChannel#lock() file lock} on {@value #LOCK_FILE}, waiting up to the timeout. The lock is held
 *       until {@link #close()}, so two kernels (in one process or in two) using the same directory run one after
 *       the other, never interleaved.</li>
 * </ol>
 *
 * <p>Files in the directory are created {@code 0600}, opened without following symbolic links, and refused when
 * they are not regular files owned by this user or are writable by group or others.
 */
public final class StateDirectory implements AutoCloseable {

    /** Name of the lock file inside the directory. */
    public static final String LOCK_FILE = "lock";
    /** Name of the journal inside the directory. */
    public static final String JOURNAL_FILE = "journal";
    /** Permissions of the directory: {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    /** Permissions of files in the directory: {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private static final Set<PosixFilePermission> FOREIGN_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path directory;
    private final Semaphore inProcess;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private StateDirectory(Path directory, Semaphore inProcess, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.inProcess = inProcess;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * The default state directory: {@code $XDG_STATE_HOME/bpfmaps} when {@code XDG_STATE_HOME} is set to an
     * absolute path, else {@code ~/.local/state/bpfmaps}.
     */
    public static Path defaultLocation() {
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "bpfmaps");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "bpfmaps");
    }

    /**
     * Creates or checks {@code directory} and takes its lock, waiting at most {@code lockTimeout}.
     *
     * @throws IllegalStateException when the directory is refused or the lock is not obtained in time
     */
    public static StateDirectory open(Path directory, Duration lockTimeout) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (dir.getParent() != null) {
                    Files.createDirectories(dir.getParent());
                }
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
                    Files.setPosixFilePermissions(dir, DIRECTORY_PERMISSIONS);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // made by someone else meanwhile: checked below like any existing directory
                }
            }
            dir = dir.toRealPath(); // a symbolic link naming the directory is checked as the real directory
            checkDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create simulator state directory " + dir, e);
        }
        Semaphore sem = IN_PROCESS.computeIfAbsent(dir, d -> new Semaphore(1));
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        try {
            if (!sem.tryAcquire(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("simulator state directory " + dir + " is in use by another "
                        + "simulated kernel in this process (waited " + lockTimeout.toMillis() + " ms)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for simulator state directory " + dir, e);
        }
        FileChannel ch = null;
        boolean ok = false;
        try {
            Path lockFile = dir.resolve(LOCK_FILE);
            ch = openOwnerOnly(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            while ((lock = ch.tryLock()) == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("simulator state directory " + dir + " is locked by another "
                            + "process (" + lockFile + "; waited " + lockTimeout.toMillis() + " ms)");
                }
                Thread.sleep(10);
            }
            StateDirectory sd = new StateDirectory(dir, sem, ch, lock);
            ok = true;
            return sd;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock simulator state directory " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for simulator state directory " + dir, e);
        } finally {
            if (!ok) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // the failure being thrown says more
                    }
                }
                sem.release();
            }
        }
    }

    /** The (real, absolute) directory. */
    public Path path() {
        return directory;
    }

    /** The journal file in the directory. */
    public Path journal() {
        return directory.resolve(JOURNAL_FILE);
    }

    /** Releases the lock. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of simulator state directory " + directory, e);
        } finally {
            inProcess.release();
        }
    }

    // ---- checks ---------------------------------------------------------------------------------------------

    /** Refuses a directory that is not ours alone to write. */
    static void checkDirectory(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IllegalStateException("simulator state directory " + dir + " is not a directory");
        }
        checkOwnerAndMode(dir, a, "directory");
    }

    /** Refuses a file in a state directory that is a symbolic link, not regular, foreign or writable by others. */
    static void checkRegularOwnedFile(Path file) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        }
        if (!a.isRegularFile()) {
            throw new IllegalStateException("simulator state file " + file + " is not a regular file"
                    + (a.isSymbolicLink() ? " (it is a symbolic link, which is never followed)" : ""));
        }
        checkOwnerAndMode(file, a, "file");
    }

    private static void checkOwnerAndMode(Path p, PosixFileAttributes a, String what) throws IOException {
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (me >= 0 && uid instanceof Integer u && u != me) {
            throw new IllegalStateException("simulator state " + what + " " + p + " is owned by uid " + u + " ("
                    + a.owner().getName() + "), not by this user (uid " + me + "); refusing to use it");
        }
        Set<PosixFilePermission> bad = EnumSet.copyOf(FOREIGN_WRITE);
        bad.retainAll(a.permissions());
        if (!bad.isEmpty()) {
            throw new IllegalStateException("simulator state " + what + " " + p + " is writable by "
                    + (bad.size() == 2 ? "its group and by others" : bad.contains(PosixFilePermission.GROUP_WRITE)
                    ? "its group" : "others") + " (mode " + PosixFilePermissions.toString(a.permissions())
                    + "); refusing to use it (chmod go-w, or 700 for a directory)");
        }
    }

    /** The effective uid of this process (the owner of {@code /proc/self}), or -1 when unknown. */
    private static int currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer u ? u : -1;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** Opens (creating {@code 0600} when missing) a file in a state directory, never following a link. */
    static FileChannel openOwnerOnly(Path file, StandardOpenOption... options) throws IOException {
        Set<java.nio.file.OpenOption> opts = new java.util.HashSet<>(java.util.List.of(options));
        opts.add(LinkOption.NOFOLLOW_LINKS);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            opts.add(StandardOpenOption.CREATE);
            FileChannel ch = FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS));
            Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
            return ch;
        }
        checkRegularOwnedFile(file);
        return FileChannel.open(file, opts);
    }
}
