package org.bpfmaps;

/** A write found the map full: {@code E2BIG} (hash, array index, queue) or {@code ENOSPC} (LPM trie). */
public final class MapFullException extends BpfException {
    private static final long serialVersionUID = 1L;

    MapFullException(BpfCommand command, int errno, String subject, String detail, int batchCount) {
        super(command, errno, subject, detail, batchCount);
    }
}
