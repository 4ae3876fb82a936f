/**
 * Persisted simulator state: the files a {@link org.bpfmaps.simulator.SimulatedKernel} built with
 * {@link org.bpfmaps.simulator.SimulatedKernel.Builder#stateDirectory(java.nio.file.Path)} keeps its pinned maps in,
 * so that one process can create and pin a map and a later process can open, update and dump it.
 *
 * <h2>Where</h2>
 * Any directory given to the builder, or with the provider option {@code state.dir} (the value {@code default}
 * means {@link org.bpfmaps.simulator.state.StateDirectory#defaultLocation()}: {@code $XDG_STATE_HOME/bpfmaps}, else
 * {@code ~/.local/state/bpfmaps}). It holds two files: {@value org.bpfmaps.simulator.state.StateDirectory#JOURNAL_FILE}
 * and {@value org.bpfmaps.simulator.state.StateDirectory#LOCK_FILE} (plus {@code journal.tmp} for a moment during
 * compaction). Nothing else is ever created there: pins are records in the journal, not files.
 *
 * <h2>What is stored</h2>
 * A journal of every call that changed the kernel (map create with the random seed it drew, pin, unpin, mkdir,
 * update, delete, lookup-and-delete, freeze, write batches, program-view writes, and for LRU types the lookups that
 * move their lists), each with the CPU it ran on and the errno it returned. Loading replays the journal: the
 * simulator is deterministic given its seeds, so this rebuilds contents and the internal state that decides what
 * later calls do (hash seeds and bucket order, ids, frozen, flags, LRU lists, bloom filter bits, queue and stack
 * order). Ring buffers ({@code RINGBUF}, {@code USER_RINGBUF}) are stored as their memory instead: each producer or
 * consumer step records the positions and the bytes it wrote, so a pinned ring comes back byte for byte, with its
 * unconsumed records, its consumer and producer positions and its BUSY and DISCARD bits. Replay checks each call's
 * errno against the recorded one and refuses a journal that does not replay.
 * Descriptors are not stored: a map that no pin holds when its kernel closes (or its process ends) is gone in the
 * next kernel. Compaction rewrites the journal to what recreates the maps that exist (snapshots for hash and
 * array maps, whole histories for other types); see the {@code Persistence} class in the simulator package for the
 * record layout and the compaction rules.
 *
 * <h2>Crash safety</h2>
 * A call is applied in memory, then its record is appended with one write and {@code fsync}ed before the call
 * returns (ring consumers write one record per record consumed and {@code fsync} once per consume, poll or drain
 * call; a killed consumer gets again at most the record whose handler was running, as on the kernel) ({@code stateSync(false)} / {@code state.sync=false} skips the {@code fsync}, which still survives a killed
 * process but not a power loss). Records are length-prefixed and carry CRC32C checksums of their length and of
 * their payload ({@link org.bpfmaps.simulator.state.Journal}). A process killed while writing leaves at most one
 * incomplete record at the end: loading ignores it and cuts it off, so the call it belonged to never happened. Any
 * other damage (a flipped bit anywhere in a complete record, a bad magic) is refused with
 * {@link org.bpfmaps.simulator.state.CorruptStateException}, which names the file and the byte offset; nothing is
 * repaired or deleted automatically. Compaction writes a temporary file, {@code fsync}s it, renames it over the
 * journal and {@code fsync}s the directory, so a crash leaves either the old journal or the new one. The tests kill
 * a writer process with {@code SIGKILL} at random moments, over and over, and check after each kill that the state
 * loads and holds a prefix of the writer's updates.
 *
 * <h2>Ring buffers</h2>
 * Producers (program {@code ringbufOutput}, {@code ringbufReserveSubmit}, {@code ringbufReserveDiscard}; the user
 * ring writer's {@code write}, {@code reserve}, submit and discard) record each call and {@code fsync} it before it
 * returns: nothing a producer saw succeed is lost, and a call killed before its record was complete never
 * happened. Consumers (the ring reader, {@code userRingbufDrain}) record each {@code consumer_pos} move after the
 * record's handler returned (one write, which survives a killed process) and {@code fsync} before the call returns:
 * a consumer killed inside a handler, or just after it, leaves that record for the next consumer, as on the kernel,
 * where the store follows the handler; nothing else is delivered twice. A {@code RINGBUF} reservation never
 * outlives the program-view call that makes it (the verifier makes programs release theirs). A {@code USER_RINGBUF}
 * reservation that its process never submitted (killed) stays BUSY in the next kernel, as the kernel keeps it:
 * every drain stops there, and nothing clears it; recreate the map to recover.
 *
 * <h2>Processes</h2>
 * A kernel holds the directory's lock from {@code build()} to {@code close()}: an exclusive
 * {@link java.nio.channels.FileChannel#lock() file lock} on the lock file between processes, and a lock per
 * directory inside one JVM. A second kernel on the same directory waits (up to
 * {@link org.bpfmaps.simulator.SimulatedKernel.Builder#stateLockTimeout(java.time.Duration)}, default one minute)
 * until the first is closed, so kernels on one directory run one after the other and each sees all of its
 * predecessors' changes. Close kernels promptly (the CLI opens one per command or batch).
 *
 * <h2>Who may use it</h2>
 * The directory is created {@code 0700} and its files {@code 0600}, whatever the umask. An existing directory or
 * file is refused with an {@link java.lang.IllegalStateException} naming the path and the problem when it is owned
 * by another user or writable by its group or by others; files are opened without following symbolic links and a
 * link in place of a file is refused. Pin paths are normalised like a path walk ({@code //}, {@code .},
 * {@code ..}) and must lie under the kernel's virtual bpffs root ({@code EPERM} otherwise); they are journal
 * records, never host paths, so no pin can reach outside the virtual bpffs or the state directory.
 *
 * <h2>Not persisted</h2>
 * Open descriptors and their access modes; ring buffer wake-up counts and the ring changes made after a kernel is
 * closed; fault-injection rules; calls refused before they reach a map (descriptor
 * permissions, injected faults), which change nothing. A state directory fixes the CPU count and bpffs root of the
 * kernels that use it.
 *
 * <h2>Map-in-map</h2>
 * An {@code ARRAY_OF_MAPS} or {@code HASH_OF_MAPS} update names an inner map by a descriptor number of the writing
 * process, which means nothing to a later one; the journal therefore records the inner map's id instead (or the
 * errno the number resolved to), and a replay resolves ids. Inner maps that slots of surviving outer maps refer
 * to survive with them (with their contents and ids), even when no pin or descriptor held them; a compacted
 * journal writes map-in-map snapshots after the maps their slots name.
 */
package org.bpfmaps.simulator.state;
