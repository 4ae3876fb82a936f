package org.bpfmaps;

/**
 * A BPF operation failed; carries the command, the errno the kernel returned (or would return), and the map.
 *
 * <p>Both backends raise the same subclass with the same errno for the same mistake, chosen by
 * {@link #of(BpfCommand, int, String)}, the only errno-to-exception mapping in bpfmaps:
 * <ul>
 *   <li>{@code ENOENT}: {@link NotFoundException}</li>
 *   <li>{@code EEXIST}: {@link AlreadyExistsException}</li>
 *   <li>{@code E2BIG} or {@code ENOSPC} from an element write: {@link MapFullException}</li>
 *   <li>{@code EPERM}, {@code EACCES}: {@link PermissionDeniedException}</li>
 *   <li>{@code EINVAL}: {@link InvalidArgumentException}</li>
 *   <li>{@code ENOTSUPP} (524), {@code EOPNOTSUPP}: {@link NotSupportedException}</li>
 *   <li>anything else, including a kernel {@code EBADF}: {@code BpfException} itself</li>
 * </ul>
 * Use of a closed handle never reaches the kernel: it is a {@link MapClosedException} ({@code EBADF}).
 * A lookup miss is not an exception: lookups report it as a {@code false} or empty result.
 */
public sealed class BpfException extends RuntimeException
        permits NotFoundException, AlreadyExistsException, MapFullException, PermissionDeniedException,
        InvalidArgumentException, NotSupportedException, MapClosedException {

    private static final long serialVersionUID = 1L;

    private final BpfCommand command;
    private final int errno;
    private final String subject;
    private final int batchCount;

    /** Builds an exception; prefer {@link #of(BpfCommand, int, String)}, which picks the subclass. */
    BpfException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(message(command, errno, subject, detail));
        this.command = command;
        this.errno = errno;
        this.subject = subject;
        this.batchCount = batchCount;
    }

    private static String message(BpfCommand command, int errno, String subject, String detail) {
        Errno e = Errno.of(errno);
        String name = e == Errno.UNKNOWN ? "errno " + errno : e.name() + " (" + e.description() + ")";
        StringBuilder sb = new StringBuilder(command.name()).append(" failed: ").append(name);
        if (subject != null && !subject.isEmpty()) {
            sb.append(" on ").append(subject);
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** The exception for {@code errno} from {@code command}; {@code subject} names the map (may be null). */
    public static BpfException of(BpfCommand command, int errno, String subject) {
        return of(command, errno, subject, null, -1);
    }

    /** As {@link #of(BpfCommand, int, String)}, with a sentence saying what was wrong. */
    public static BpfException of(BpfCommand command, int errno, String subject, String detail) {
        return of(command, errno, subject, detail, -1);
    }

    /**
     * As {@link #of(BpfCommand, int, String, String)}, for a batch command that processed
     * {@code batchCount} elements before failing ({@code -1} when not a batch command).
     */
    public static BpfException of(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        Errno e = Errno.of(errno);
        switch (e) {
            case ENOENT:
                return new NotFoundException(command, errno, subject, detail, batchCount);
            case EEXIST:
                return new AlreadyExistsException(command, errno, subject, detail, batchCount);
            case E2BIG:
            case ENOSPC:
                if (isElementWrite(command)) {
                    return new MapFullException(command, errno, subject, detail, batchCount);
                }
                return new BpfException(command, errno, subject, detail, batchCount);
            case EPERM:
            case EACCES:
                return new PermissionDeniedException(command, errno, subject, detail, batchCount);
            case EINVAL:
                return new InvalidArgumentException(command, errno, subject, detail, batchCount);
            case ENOTSUPP:
            case EOPNOTSUPP:
                return new NotSupportedException(command, errno, subject, detail, batchCount);
            default:
                return new BpfException(command, errno, subject, detail, batchCount);
        }
    }

    private static boolean isElementWrite(BpfCommand command) {
        return command == BpfCommand.BPF_MAP_UPDATE_ELEM || command == BpfCommand.BPF_MAP_UPDATE_BATCH
                || command == BpfCommand.PROGRAM_HELPER || command == BpfCommand.RINGBUF_USER;
    }

    /** The command that failed. */
    public BpfCommand command() {
        return command;
    }

    /** The positive errno number the kernel returned (or would return). */
    public int errno() {
        return errno;
    }

    /** The errno as a constant ({@link Errno#UNKNOWN} for numbers the enum does not list). */
    public Errno error() {
        return Errno.of(errno);
    }

    /** A description of the map or object the command acted on, or {@code null}. */
    public String subject() {
        return subject;
    }

    /**
     * For the batch commands: the kernel's {@code count} after the call; {@code -1} for other commands.
     *
     * <p>For {@code BPF_MAP_UPDATE_BATCH} and {@code BPF_MAP_DELETE_BATCH} that failed on an element, it is the
     * number of elements processed before that element. When the kernel refuses the whole batch before
     * touching any element (no permission, command not supported, invalid flags), it leaves {@code count}
     * unwritten, so this is the count that was passed in; both backends report it the same way.
     */
    public int batchCount() {
        return batchCount;
    }
}
