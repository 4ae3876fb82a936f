/**
 * Conformance of {@code LRU_HASH} and {@code LRU_PERCPU_HASH} (SEMANTICS.md §4.2, §5), on any backend and between
 * backends.
 *
 * <ul>
 *   <li>{@link org.bpfmaps.conformance.lru.LruSelftestKit}: the sanity scenarios 0–8 of the kernel selftest
 *       {@code test_lru_map.c}, each one's setup and expected surviving keys, written from their description for
 *       both map types, common LRU and {@code BPF_F_NO_COMMON_LRU} where the selftest runs them;</li>
 *   <li>{@link org.bpfmaps.conformance.lru.LruDifferential}: the differential property — random sequences of
 *       user-space operations (update ANY/NOEXIST/EXIST, lookup, delete, lookup-and-delete, the four batch
 *       commands) each issued from a named CPU, and program-view operations (lookup, update, delete) each run on a
 *       named CPU; after every step the result and the surviving keys in get_next_key order must be equal on both
 *       backends;</li>
 *   <li>{@link org.bpfmaps.conformance.lru.LruConcurrentInvariants}: what is checked where the kernel is not
 *       deterministic (below).</li>
 * </ul>
 *
 * <h2>Where the kernel is deterministic, and where it is not</h2>
 *
 * <p><b>Deterministic (compared exactly).</b> The LRU state of a map changes only inside the map's own calls:
 * which node an update takes, what a refill moves, what a shrink evicts and which CPU's list is stolen from depend
 * only on the sequence of calls and on the CPU each call runs on ({@code raw_smp_processor_id()} at node
 * acquisition). With one thread at a time, the thread pinned with {@code sched_setaffinity} for its system calls
 * and programs run with {@code BPF_F_TEST_RUN_ON_CPU} on a named CPU (on another CPU than the caller's, the kernel
 * runs the program there by IPI and waits for it), the sequence is fixed and so is everything observable: results,
 * errnos, evictions, and with {@code BPF_F_ZERO_SEED} the iteration order. The differential relies on this, and
 * {@code LruDifferentialSelfTest} checks it by running the same scenarios twice on the kernel.
 *
 * <p><b>Not deterministic (not compared; invariants instead).</b>
 * <ol>
 *   <li><i>Operations on several CPUs at the same time.</i> With the common LRU, concurrent updates race for the
 *       global list lock, the per-CPU local list locks and the bucket locks: which CPU refills first, which CPU's
 *       free or pending nodes get stolen ({@code next_steal} advances per call) and which keys a shrink evicts
 *       depend on the interleaving, so the surviving key set differs from run to run (the same holds for
 *       rotation of the shared lists). With {@code BPF_F_NO_COMMON_LRU} each CPU's lists are private, but the
 *       order in which two CPUs' updates of the <i>same</i> key reach its bucket still decides which node (and so
 *       which CPU's list) the surviving element owns. A further kernel-only outcome appears only
 *       under concurrency: an update of a small common-LRU map can fail with <b>ENOMEM</b> (seen on 6.18 with
 *       max_entries 1 and 2 CPUs updating at once, a handful per 40,000 operations), because every node is in
 *       flight on another CPU — popped from a free list but not yet linked into the table, so the shrink cannot
 *       delete it and the steal cannot take it. The simulator runs every call atomically under the map's lock, so
 *       it never has a node in flight and never answers ENOMEM; single-threaded, the kernel never did either (the
 *       differential would have flagged it). Also only under concurrency, a lookup can return
 *       <b>another key's value</b>: an evicted element is preallocated and reused at once (no RCU grace period),
 *       so a lookup that found key A and then copies the value, while another CPU evicts A and reuses the element
 *       for key B, copies B's value (seen on 6.18, max_entries 1, about one lookup in 40,000). Neither happens in
 *       the simulator, whose calls are atomic. Instead of comparing states,
 *       {@link org.bpfmaps.conformance.lru.LruConcurrentInvariants} checks, on both backends, with each thread
 *       owning its own keys: no update of an LRU map fails with E2BIG; ENOMEM is allowed (counted, zero required
 *       of the simulator) and leaves the key as it was; flag errors only as the flags dictate for the key as its
 *       thread alone manages it; a lookup finds a key only if its thread's last operation wrote it, with that
 *       write's value (every value names its key, writer and sequence number; per-CPU slots checked one by one)
 *       or, as a counted "recycled read" (zero required of the simulator), a value written for another key; after
 *       the threads join, a get_next_key walk visits every key once, at most max_entries of them (rounded for
 *       per-CPU LRU), each holding exactly its thread's last write.</li>
 *   <li><i>Maps without {@code BPF_F_ZERO_SEED}.</i> The hash seed is random per map, so get_next_key and batch
 *       order differ between any two maps; the LRU state itself does not depend on the seed, so surviving key
 *       sets would still compare equal. The differential always uses ZERO_SEED and compares the order.</li>
 *   <li><i>Unpinned callers.</i> Outside {@code onCpu} the kernel attributes a system call to whichever CPU the
 *       thread happens to run on (the scheduler decides), which changes which CPU's local lists an update uses.
 *       Every user-space operation of this package is issued inside {@code onCpu}.</li>
 * </ol>
 */
package org.bpfmaps.conformance.lru;
