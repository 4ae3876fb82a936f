package org.bpfmaps;

/** The {@code bpf(2)} commands bpfmaps issues, with their kernel numbers ({@code enum bpf_cmd}). */
public enum BpfCommand {
    /** Create a map. */
    BPF_MAP_CREATE(0),
    /** Look up an element (queue/stack: peek; bloom filter: membership test). */
    BPF_MAP_LOOKUP_ELEM(1),
    /** Create or update an element (queue/stack/bloom filter: push). */
    BPF_MAP_UPDATE_ELEM(2),
    /** Delete an element. */
    BPF_MAP_DELETE_ELEM(3),
    /** Get the key following a key, or the first key. */
    BPF_MAP_GET_NEXT_KEY(4),
    /** Load a program. */
    BPF_PROG_LOAD(5),
    /** Pin an object to a bpf filesystem path. */
    BPF_OBJ_PIN(6),
    /** Open a pinned object. */
    BPF_OBJ_GET(7),
    /** Run a program once with a given context. */
    BPF_PROG_TEST_RUN(10),
    /** Iterate map ids. */
    BPF_MAP_GET_NEXT_ID(12),
    /** Open a map by id. */
    BPF_MAP_GET_FD_BY_ID(14),
    /** Read an object's info struct. */
    BPF_OBJ_GET_INFO_BY_FD(15),
    /** Look up and delete an element (queue/stack: pop). */
    BPF_MAP_LOOKUP_AND_DELETE_ELEM(21),
    /** Make a map read-only for system calls. */
    BPF_MAP_FREEZE(22),
    /** Look up many elements. */
    BPF_MAP_LOOKUP_BATCH(24),
    /** Look up and delete many elements. */
    BPF_MAP_LOOKUP_AND_DELETE_BATCH(25),
    /** Update many elements. */
    BPF_MAP_UPDATE_BATCH(26),
    /** Delete many elements. */
    BPF_MAP_DELETE_BATCH(27),
    /** Not a kernel command: a helper call made through a {@link ProgramView}. */
    PROGRAM_HELPER(-1),
    /** Not a kernel command: an operation of a ring buffer reader or writer in user space. */
    RINGBUF_USER(-2),
    /** Not a kernel command: running the calling thread on a chosen CPU ({@code sched_setaffinity}). */
    CPU_AFFINITY(-3);

    private final int number;

    BpfCommand(int number) {
        this.number = number;
    }

    /** The command's number in {@code enum bpf_cmd}, or a negative number for bpfmaps' own operations. */
    public int number() {
        return number;
    }
}
