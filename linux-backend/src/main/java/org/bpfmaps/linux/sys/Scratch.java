package org.bpfmaps.linux.sys;

/**
 * Per-thread native memory for system calls: one attr block and one growable data block.
 *
 * <p>Exists so that a lookup, update, delete or get-next-key allocates nothing once a thread has warmed up: the
 * attr and the key/value copies live in memory reused by every call on that thread. The data block grows (to the
 * next power of two) up to {@link #RETAINED_LIMIT} bytes and is kept; a call needing more gets a one-off block
 * that {@link #release(NativeBuffer)} frees right after the call, so no thread keeps more than
 * {@value #RETAINED_LIMIT} bytes of data memory. Calls on one thread must not nest (none of the wrappers do).
 */
public final class Scratch {
    /** Bytes of the attr block: larger than every {@code bpf_attr} prefix bpfmaps sends. */
    public static final int ATTR_SIZE = 128;
    /** Largest data block a thread keeps between calls (1 MiB). */
    public static final int RETAINED_LIMIT = 1 << 20;

    private static final int INITIAL_DATA_SIZE = 512;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final NativeBuffer attr = new NativeBuffer(ATTR_SIZE);
    private NativeBuffer data = new NativeBuffer(INITIAL_DATA_SIZE);

    private Scratch() {
    }

    /** This thread's scratch memory. */
    public static Scratch get() {
        return LOCAL.get();
    }

    /** The attr block ({@value #ATTR_SIZE} bytes); wrappers zero the prefix they send. */
    public NativeBuffer attr() {
        return attr;
    }

    /**
     * A data block of at least {@code size} bytes, to hand back with {@link #release} after the call.
     *
     * <p>It is the retained block (grown if needed), or a one-off block when {@code size} exceeds
     * {@link #RETAINED_LIMIT}.
     */
    public NativeBuffer data(long size) {
        if (size <= data.size()) {
            return data;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("a native block of " + size + " bytes is larger than bpfmaps supports");
        }
        if (size <= RETAINED_LIMIT) {
            int grown = Integer.highestOneBit((int) size - 1) << 1;
            NativeBuffer old = data;
            data = new NativeBuffer(Math.max(grown, INITIAL_DATA_SIZE));
            old.free();
            return data;
        }
        return new NativeBuffer((int) size);
    }

    /** Frees {@code block} when it was a one-off block from {@link #data(long)}; keeps the retained one. */
    public void release(NativeBuffer block) {
        if (block != data) {
            block.free();
        }
    }
}
