package org.bpfmaps;

/** An argument is invalid for this map or command ({@code EINVAL}), including wrong buffer sizes. */
public final class InvalidArgumentException extends BpfException {
    private static final long serialVersionUID = 1L;

    InvalidArgumentException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
