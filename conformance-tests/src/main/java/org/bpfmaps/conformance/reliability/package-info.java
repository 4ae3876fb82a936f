/**
 * Reliability kit: bad input, concurrency, resources and access modes, run on both backends.
 *
 * <ul>
 *   <li>{@link org.bpfmaps.conformance.reliability.BadInputFuzzKit} (jqwik): random specs and random operations
 *       with wrong buffers, flags, counts, closed handles and commands the type lacks; every call must end in a
 *       normal result or a documented {@code BpfException} ({@link org.bpfmaps.conformance.reliability.Outcome}),
 *       buffer mistakes in {@code EINVAL} before the kernel ({@link org.bpfmaps.conformance.reliability.FuzzRunner}),
 *       and the simulator must give the kernel's outcome for every call. Ring buffers get their own specs (every
 *       size class) and calls: reader, user ring writer and the ring helpers of program views ({@code RingCalls}).
 *       Distinct disagreements are collected and listed after the run, each with its first reproduction.</li>
 *   <li>{@link org.bpfmaps.conformance.reliability.ConcurrencyStress}: threads x operations per map type (hash,
 *       array and per-CPU maps, both LRU types, LPM, queue, stack, bloom filter) with an invariant checker that
 *       demands only what the kernel guarantees.</li>
 *   <li>{@link org.bpfmaps.conformance.reliability.AccessModeScenarios}: descriptor access, program access flags,
 *       frozen maps and pins, labelled call by call for comparison.</li>
 *   <li>{@link org.bpfmaps.conformance.reliability.FdCount}: open descriptors, for leak checks.</li>
 * </ul>
 * The runs against each backend live in the test sources of this module, in the same package.
 */
package org.bpfmaps.conformance.reliability;
