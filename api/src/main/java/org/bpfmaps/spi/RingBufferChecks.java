package org.bpfmaps.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfException;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;
import org.bpfmaps.RingBufferReader;

/**
 * The argument checks and thread rule every backend's ring-buffer reader and user-ring writer share, so that both
 * backends refuse the same mistakes with the same exception, errno and message.
 */
public final class RingBufferChecks {
    private RingBufferChecks() {
    }

    /** The subject of a reader over {@code maps}, as its exceptions name it. */
    public static String readerSubject(BpfMap[] maps) {
        StringBuilder sb = new StringBuilder("ring buffer reader over ");
        if (maps == null || maps.length == 0) {
            return sb.append("no map").toString();
        }
        for (int i = 0; i < maps.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(maps[i]);
        }
        return sb.toString();
    }

    /** An {@code EINVAL} refusal of a ring-buffer call on {@code subject}. */
    public static BpfException invalid(String subject, String detail) {
        return BpfException.of(BpfCommand.RINGBUF_USER, Errno.EINVAL.number(), subject, detail);
    }

    /** The arguments of {@code consume(handler, maxRecords)}. */
    public static void checkConsume(RingBufferReader.RecordHandler handler, int maxRecords, String subject) {
        Objects.requireNonNull(handler, "handler");
        if (maxRecords < 0) {
            throw invalid(subject, "negative maxRecords " + maxRecords);
        }
    }

    /** The arguments of {@code poll(handler, timeout)}. */
    public static void checkPoll(RingBufferReader.RecordHandler handler, Duration timeout, String subject) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw invalid(subject, "negative timeout " + timeout);
        }
    }

    /**
     * A user-ring record of {@code size} payload bytes, {@code total} bytes with header and alignment: refused
     * unless positive, at most {@code maxSample} (the largest sample {@code bpf_user_ringbuf_drain} accepts) and
     * able to fit in a ring of {@code ringSize} data bytes.
     */
    public static void checkUserRecord(int size, long total, int maxSample, long ringSize, String subject) {
        if (size <= 0) {
            throw invalid(subject, "record size " + size + " is not positive");
        }
        if (size > maxSample) {
            throw invalid(subject, "record size " + size + " is above " + maxSample
                    + ", the largest sample bpf_user_ringbuf_drain accepts");
        }
        if (total > ringSize) {
            throw invalid(subject, "record size " + size + " (" + total + " bytes with header) can never fit in "
                    + "a ring of " + ringSize + " bytes");
        }
    }

    /** One thread at a time: the reader's consumer or the writer's producer. */
    public static final class OneThread {
        private final AtomicReference<Thread> owner = new AtomicReference<>();

        /** Takes the claim for the calling thread; {@link IllegalStateException} when a consumer holds it. */
        public void enterConsumer(String subject) {
            Thread self = Thread.currentThread();
            Thread other = owner.compareAndExchange(null, self);
            if (other != null) {
                throw new IllegalStateException(other == self
                        ? "consume or poll called from a record handler of the same reader (" + subject + ")"
                        : "another thread (" + other.getName() + ") is consuming " + subject
                        + "; one thread consumes at a time");
            }
        }

        /** Takes the claim for the calling thread; {@link IllegalStateException} when a producer holds it. */
        public void enterProducer(String subject) {
            Thread other = owner.compareAndExchange(null, Thread.currentThread());
            if (other != null) {
                throw new IllegalStateException("another thread (" + other.getName() + ") is producing into "
                        + subject + "; one thread produces at a time");
            }
        }

        /** Gives the claim back. */
        public void exit() {
            owner.setRelease(null);
        }
    }
}
