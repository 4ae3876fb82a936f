package org.bpfmaps.simulator.queue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The element store of {@code BPF_MAP_TYPE_QUEUE} (FIFO) and {@code BPF_MAP_TYPE_STACK} (LIFO), as the kernel
 * keeps it ({@code kernel/bpf/queue_stack_maps.c}): a ring of {@code max_entries + 1} value slots with a
 * {@code head} (next slot to write) and a {@code tail} (oldest element). Empty when {@code head == tail}, full when
 * advancing {@code head} would reach {@code tail}.
 *
 * <ul>
 *   <li>push: flags 0 or {@code BPF_EXIST}, anything else EINVAL. Full without {@code BPF_EXIST}: E2BIG. Full
 *       with it: the oldest element is dropped (tail advances) and the value is written at head. This drops the
 *       queue's front and the stack's bottom.</li>
 *   <li>queue pop/peek read at tail (pop advances it); stack pop/peek read the slot before head (pop moves head
 *       back). Empty: ENOENT and the output is zero-filled, as the kernel does.</li>
 * </ul>
 *
 * Slots are held in one flat array when the ring is at most {@value #FLAT_LIMIT} bytes, else in a sparse map
 * keyed by slot index, so that a large {@code max_entries} costs memory only for the slots in use; the ring
 * arithmetic is the same either way. Operations are atomic ({@code synchronized}), as under the kernel's lock.
 */
public final class QueueStack {

    /** {@code BPF_EXIST}: make room by dropping the oldest element when full. */
    public static final long EXIST = 2;
    /** {@code BPF_NOEXIST}, rejected by push. */
    public static final long NOEXIST = 1;
    /** Rings up to this many bytes are backed by a single array. */
    static final long FLAT_LIMIT = 1L << 24;

    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EINVAL = 22;

    private final boolean lifo;
    private final int valueSize;
    /** {@code max_entries + 1}, as a non-negative long (max_entries is a u32). */
    private final long size;
    private final byte[] flat;
    private final Map<Long, byte[]> sparse;
    private long head;
    private long tail;

    /**
     * @param lifo       true for a STACK, false for a QUEUE
     * @param valueSize  the map's value size, at least 1
     * @param maxEntries the map's max_entries, read as an unsigned 32-bit number; at least 1
     */
    public QueueStack(boolean lifo, int valueSize, int maxEntries) {
        this(lifo, valueSize, maxEntries, FLAT_LIMIT);
    }

    /** As the public constructor, with the flat/sparse threshold given (tests use it to force each form). */
    QueueStack(boolean lifo, int valueSize, int maxEntries, long flatLimit) {
        if (valueSize < 1) {
            throw new IllegalArgumentException("valueSize=" + valueSize);
        }
        if (maxEntries == 0) {
            throw new IllegalArgumentException("maxEntries=0");
        }
        this.lifo = lifo;
        this.valueSize = valueSize;
        this.size = Integer.toUnsignedLong(maxEntries) + 1;
        if (size * valueSize <= flatLimit) {
            flat = new byte[(int) (size * valueSize)];
            sparse = null;
        } else {
            flat = null;
            sparse = new HashMap<>();
        }
    }

    /** True for a STACK. */
    public boolean lifo() {
        return lifo;
    }

    /** The value size. */
    public int valueSize() {
        return valueSize;
    }

    /** Number of ring slots, {@code max_entries + 1} (the kernel's {@code size}). */
    public long slots() {
        return size;
    }

    /** Number of elements held. */
    public synchronized long count() {
        return head >= tail ? head - tail : head + size - tail;
    }

    /** Pushes {@code value} (valueSize bytes from {@code offset}); returns 0, EINVAL or E2BIG. */
    public synchronized int push(byte[] value, int offset, long flags) {
        if ((flags & NOEXIST) != 0 || Long.compareUnsigned(flags, EXIST) > 0) {
            return EINVAL;
        }
        if (full()) {
            if ((flags & EXIST) == 0) {
                return E2BIG;
            }
            release(tail);
            tail = advance(tail);
        }
        write(head, value, offset);
        head = advance(head);
        return 0;
    }

    /** {@link #push(byte[], int, long)} from offset 0. */
    public int push(byte[] value, long flags) {
        return push(value, 0, flags);
    }

    /** Removes the next element (queue: oldest; stack: newest) into {@code out}; returns 0 or ENOENT. */
    public synchronized int pop(byte[] out, int offset) {
        return get(out, offset, true);
    }

    /** Copies the next element into {@code out} without removing it; returns 0 or ENOENT. */
    public synchronized int peek(byte[] out, int offset) {
        return get(out, offset, false);
    }

    /** {@link #pop(byte[], int)} into a new array; {@code null} when empty. */
    public byte[] pop() {
        byte[] out = new byte[valueSize];
        return pop(out, 0) == 0 ? out : null;
    }

    /** {@link #peek(byte[], int)} into a new array; {@code null} when empty. */
    public byte[] peek() {
        byte[] out = new byte[valueSize];
        return peek(out, 0) == 0 ? out : null;
    }

    private int get(byte[] out, int offset, boolean remove) {
        if (head == tail) {
            Arrays.fill(out, offset, offset + valueSize, (byte) 0);
            return ENOENT;
        }
        if (lifo) {
            long index = head == 0 ? size - 1 : head - 1;
            read(index, out, offset);
            if (remove) {
                release(index);
                head = index;
            }
        } else {
            read(tail, out, offset);
            if (remove) {
                release(tail);
                tail = advance(tail);
            }
        }
        return 0;
    }

    private boolean full() {
        return advance(head) == tail;
    }

    private long advance(long index) {
        long next = index + 1;
        return next >= size ? 0 : next;
    }

    private void write(long slot, byte[] value, int offset) {
        if (flat != null) {
            System.arraycopy(value, offset, flat, (int) (slot * valueSize), valueSize);
        } else {
            sparse.put(slot, Arrays.copyOfRange(value, offset, offset + valueSize));
        }
    }

    private void read(long slot, byte[] out, int offset) {
        if (flat != null) {
            System.arraycopy(flat, (int) (slot * valueSize), out, offset, valueSize);
        } else {
            System.arraycopy(sparse.get(slot), 0, out, offset, valueSize);
        }
    }

    private void release(long slot) {
        // The kernel leaves popped bytes in place; they are never readable again, so the sparse form drops them.
        if (sparse != null) {
            sparse.remove(slot);
        }
    }
}
