package org.bpfmaps;

/**
 * The outcome of {@code BPF_MAP_LOOKUP_BATCH} or {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}.
 *
 * @param count the number of elements copied into the key and value buffers
 * @param done  whether the walk reached the end of the map (the kernel's {@code ENOENT}); the elements
 *              counted by {@code count} are still valid
 */
public record BatchResult(int count, boolean done) {
}
