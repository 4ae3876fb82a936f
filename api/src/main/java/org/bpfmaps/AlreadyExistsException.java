package org.bpfmaps;

/** A key or pin path already exists ({@code EEXIST}). */
public final class AlreadyExistsException extends BpfException {
    private static final long serialVersionUID = 1L;

    AlreadyExistsException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
