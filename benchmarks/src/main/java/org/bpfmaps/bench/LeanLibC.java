package org.bpfmaps.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.util.Map;

/**
 * {@code syscall(2)} bound a second time with JNA direct mapping, with {@link Library#OPTION_ALLOW_OBJECTS} off
 * and no errno read at all: the leanest form JNA offers, to compare with the linux backend's {@code LibC}.
 *
 * <p>Reading JNA 5.19's {@code Native.register} and {@code dispatch.c}: with only primitive parameters every
 * argument is already {@code CVT_DEFAULT} (no conversion), whatever {@code OPTION_ALLOW_OBJECTS} says, and
 * {@code dispatch_direct} always stores errno in JNA's thread storage after the call ({@code
 * JNA_set_last_error}); {@code Native.getLastError()} only reads it back. So this binding is expected to cost
 * the same as {@code LibC.syscall}; {@link JnaFloorBenchmark} measures it.
 */
final class LeanLibC {
    static {
        Native.register(LeanLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME,
                Map.of(Library.OPTION_ALLOW_OBJECTS, Boolean.FALSE)));
    }

    private LeanLibC() {
    }

    static native long syscall(long number, long arg1, long arg2, long arg3);

    static native int sched_getcpu();
}
