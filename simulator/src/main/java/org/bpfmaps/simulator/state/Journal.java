package org.bpfmaps.simulator.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only file of checksummed records: the simulator's persisted state.
 *
 * <p>Layout:
 * <pre>
 *   file   := MAGIC record*
 *   MAGIC  := "BPFMSJ" 0x00 0x01                      (8 bytes)
 *   record := +-----------------------------+ offset
 *             | length      u32 LE          | 0     payload bytes
 *             | lengthCrc   u32 LE          | 4     CRC32C of the 4 length bytes
 *             | payload     length bytes    | 8
 *             | payloadCrc  u32 LE          | 8 + length   CRC32C of the payload
 *             +-----------------------------+
 * </pre>
 *
 * <p><b>Torn tail.</b> One record is written with one positional write and then (by default) {@code fsync}ed,
 * so a process killed mid-write leaves at most one incomplete record at the end of the file. Reading stops there:
 * a tail shorter than a record header, a record whose payload runs past the end of the file, or a tail of zero
 * bytes (what a file system may show after a power loss) is a <em>torn tail</em>; it is ignored and cut off when
 * the journal is next opened for writing, so the command it belonged to never happened. Any other mismatch (a
 * complete header or payload whose checksum is wrong, a bad magic, a length over {@link #MAX_RECORD}) is damage
 * and fails with {@link CorruptStateException} naming the file and offset.
 *
 * <p><b>Rewrite.</b> {@link #rewrite(Path, List)} replaces a journal atomically: a temporary file in the same
 * directory is written and {@code fsync}ed, renamed over the journal, and the directory is {@code fsync}ed.
 *
 * <p>Files are created owner-only ({@code 0600}); existing files are opened without following symbolic links.
 * Not thread-safe: the caller serialises appends.
 */
public final class Journal implements AutoCloseable {

    /** The 8 bytes every journal starts with. */
    public static final byte[] MAGIC = {'B', 'P', 'F', 'M', 'S', 'J', 0, 1};
    /** Offset of {@code length} in a record. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of {@code lengthCrc} in a record. */
    public static final int LENGTH_CRC_OFFSET = 4;
    /** Offset of the payload in a record. */
    public static final int PAYLOAD_OFFSET = 8;
    /** Bytes a record adds to its payload (header and trailing checksum). */
    public static final int OVERHEAD = PAYLOAD_OFFSET + 4;
    /** Largest payload accepted (1 GiB). */
    public static final int MAX_RECORD = 1 << 30;

    /** What {@link #read(Path)} found: the records in order, where the good part ends, and the torn bytes after it. */
    public record Contents(List<byte[]> records, List<Long> offsets, long goodLength, long tornBytes) {
    }

    private final Path file;
    private final FileChannel channel;
    private final boolean sync;
    private long end;

    private Journal(Path file, FileChannel channel, long end, boolean sync) {
        this.file = file;
        this.channel = channel;
        this.end = end;
        this.sync = sync;
    }

    /**
     * Reads a whole journal, stopping at a torn tail.
     *
     * @throws CorruptStateException when the file is damaged
     */
    public static Contents read(Path file) {
        byte[] all;
        try {
            StateDirectory.checkRegularOwnedFile(file);
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read simulator state file " + file, e);
        }
        if (all.length < MAGIC.length || !java.util.Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptStateException(file, 0, "it does not start with the journal magic "
                    + "(not a bpfmaps simulator journal, or written by an incompatible version)");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        int off = MAGIC.length;
        while (off < all.length) {
            int remaining = all.length - off;
            if (allZero(all, off)) {
                break; // torn: zero-filled tail
            }
            if (remaining < PAYLOAD_OFFSET) {
                break; // torn: incomplete header
            }
            int length = b.getInt(off + LENGTH_OFFSET);
            int lengthCrc = b.getInt(off + LENGTH_CRC_OFFSET);
            if (crc(all, off + LENGTH_OFFSET, 4) != lengthCrc) {
                throw new CorruptStateException(file, off, "the record header checksum does not match");
            }
            if (length < 0 || length > MAX_RECORD) {
                throw new CorruptStateException(file, off, "record length " + Integer.toUnsignedString(length)
                        + " is over the limit of " + MAX_RECORD);
            }
            if ((long) remaining < (long) length + OVERHEAD) {
                break; // torn: incomplete payload
            }
            int payloadCrc = b.getInt(off + PAYLOAD_OFFSET + length);
            if (crc(all, off + PAYLOAD_OFFSET, length) != payloadCrc) {
                throw new CorruptStateException(file, off, "the checksum of the record's " + length
                        + "-byte payload does not match");
            }
            records.add(java.util.Arrays.copyOfRange(all, off + PAYLOAD_OFFSET, off + PAYLOAD_OFFSET + length));
            offsets.add((long) off);
            off += length + OVERHEAD;
        }
        return new Contents(records, offsets, off, all.length - off);
    }

    /**
     * Opens an existing journal for appending after {@code goodLength} (from {@link #read(Path)}); a torn tail after
     * it is cut off first.
     */
    public static Journal openForAppend(Path file, long goodLength, boolean sync) {
        try {
            StateDirectory.checkRegularOwnedFile(file);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            try {
                if (ch.size() > goodLength) {
                    ch.truncate(goodLength);
                    ch.force(true);
                }
                return new Journal(file, ch, goodLength, sync);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open simulator state file " + file + " for writing", e);
        }
    }

    /**
     * Atomically replaces (or creates) {@code file} with a journal holding {@code records}: temporary file,
     * {@code fsync}, rename, {@code fsync} of the directory.
     */
    public static void rewrite(Path file, List<byte[]> records) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(StateDirectory.FILE_PERMISSIONS))) {
                Files.setPosixFilePermissions(tmp, StateDirectory.FILE_PERMISSIONS); // whatever the umask
                writeFully(ch, ByteBuffer.wrap(MAGIC), 0);
                long pos = MAGIC.length;
                for (byte[] r : records) {
                    ByteBuffer frame = frame(r);
                    writeFully(ch, frame, pos);
                    pos += r.length + OVERHEAD;
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(file.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("cannot write simulator state file " + tmp, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write simulator state file " + file, e);
        }
    }

    /** Appends one record with one write, then {@code fsync}s it unless opened without sync. */
    public void append(byte[] payload) {
        append(payload, true);
    }

    /**
     * Appends one record with one write, then, when {@code force} is true and the journal was opened with sync,
     * {@code fsync}s it (and every record written before it). Without the {@code fsync} the record survives a
     * killed process (it is in the page cache once the write returns) but not a power loss until {@link #force()}.
     */
    public void append(byte[] payload, boolean force) {
        ByteBuffer frame = frame(payload);
        try {
            writeFully(channel, frame, end);
            if (force && sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to simulator state file " + file, e);
        }
        end += payload.length + OVERHEAD;
    }

    /** {@code fsync}s the records written so far (nothing when opened without sync). */
    public void force() {
        if (!sync) {
            return;
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync simulator state file " + file, e);
        }
    }

    /** The file's length after the last record written. */
    public long length() {
        return end;
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close simulator state file " + file, e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The record bytes for {@code payload}. */
    static ByteBuffer frame(byte[] payload) {
        if (payload.length > MAX_RECORD) {
            throw new IllegalArgumentException("journal record of " + payload.length + " bytes is over the limit of "
                    + MAX_RECORD);
        }
        ByteBuffer b = ByteBuffer.allocate(payload.length + OVERHEAD).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LENGTH_OFFSET, payload.length);
        b.putInt(LENGTH_CRC_OFFSET, crc(b.array(), LENGTH_OFFSET, 4));
        b.put(PAYLOAD_OFFSET, payload);
        b.putInt(PAYLOAD_OFFSET + payload.length, crc(payload, 0, payload.length));
        return b;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    private static boolean allZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    /** {@code fsync} of a directory, so that a rename in it is durable (best effort where not permitted). */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms refuse to open directories; the rename itself is still atomic there.
        }
    }
}
