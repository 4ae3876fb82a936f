package org.bpfmaps.linux.ringbuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's page size, read once from the process's auxiliary vector ({@code AT_PAGESZ} in
 * {@code /proc/self/auxv}).
 *
 * <p>Exists because ring buffer mappings are laid out in pages and the page size is not always 4096 (arm64
 * kernels may use 16 or 64 KiB); reading the auxiliary vector needs no native call.
 */
final class PageSize {
    /** {@code AT_PAGESZ} in {@code <elf.h>}. */
    private static final long AT_PAGESZ = 6;
    /** The page size when the auxiliary vector cannot be read. */
    private static final int FALLBACK = 4096;

    private static final int VALUE = read(Path.of("/proc/self/auxv"));

    private PageSize() {
    }

    /** The page size in bytes. */
    static int get() {
        return VALUE;
    }

    /** {@code AT_PAGESZ} from an auxiliary vector file of 64-bit native-order {type, value} pairs. */
    static int read(Path auxv) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(auxv)).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 16) {
                long type = b.getLong();
                long value = b.getLong();
                if (type == 0) {
                    break;
                }
                if (type == AT_PAGESZ && value > 0 && value <= (1 << 30) && Long.bitCount(value) == 1) {
                    return (int) value;
                }
            }
        } catch (IOException | SecurityException e) {
            // fall through to the common value
        }
        return FALLBACK;
    }
}
