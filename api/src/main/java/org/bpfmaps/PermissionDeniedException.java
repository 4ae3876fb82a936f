package org.bpfmaps;

/** The map, descriptor or path does not allow the operation ({@code EPERM}, {@code EACCES}). */
public final class PermissionDeniedException extends BpfException {
    private static final long serialVersionUID = 1L;

    PermissionDeniedException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
