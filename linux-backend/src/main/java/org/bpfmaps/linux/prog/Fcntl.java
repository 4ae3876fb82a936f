package org.bpfmaps.linux.prog;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@code fcntl(2)}, bound with JNA direct mapping; the program view duplicates its map's descriptor with it.
 * (Kept apart from {@code LibC}, which another part of the backend owns.)
 */
final class Fcntl {
    /** {@code F_DUPFD_CLOEXEC}: duplicate to the lowest free fd at or above {@code arg}, close-on-exec. */
    static final int F_DUPFD_CLOEXEC = 1030;

    static {
        Native.register(Fcntl.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Fcntl() {
    }

    /** {@code fcntl(fd, cmd, arg)}; {@code -1} and errno on failure. */
    static native int fcntl(int fd, int cmd, int arg);

    /** A close-on-exec duplicate of {@code fd}, or {@code -errno}. */
    static int dupCloexec(int fd) {
        int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        return r < 0 ? -Native.getLastError() : r;
    }
}
