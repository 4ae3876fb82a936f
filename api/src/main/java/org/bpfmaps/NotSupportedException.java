package org.bpfmaps;

/** The map type does not implement the command ({@code ENOTSUPP} 524 or {@code EOPNOTSUPP}). */
public final class NotSupportedException extends BpfException {
    private static final long serialVersionUID = 1L;

    NotSupportedException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
