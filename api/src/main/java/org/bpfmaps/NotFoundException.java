package org.bpfmaps;

/** A key, element or object does not exist ({@code ENOENT}). */
public final class NotFoundException extends BpfException {
    private static final long serialVersionUID = 1L;

    NotFoundException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
