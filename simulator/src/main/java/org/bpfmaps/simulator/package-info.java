/**
 * The simulator backend: an in-JVM kernel that emulates eBPF maps with the semantics of Linux 6.18.
 *
 * <p>Entry points are {@link org.bpfmaps.simulator.SimulatorProvider} (backend name {@code simulator}) and
 * {@link org.bpfmaps.simulator.SimulatedKernel#builder()}. The emulated types are listed in the
 * {@link org.bpfmaps.simulator.SimulatedKernel} class documentation; every other type is refused at create with
 * {@code EINVAL}.
 *
 * <p><b>Persistence.</b> A kernel built with a state directory keeps its pinned maps across kernels and processes
 * in a checksummed, crash-safe journal; see {@link org.bpfmaps.simulator.state}.
 *
 * <p><b>Fault injection.</b> {@link org.bpfmaps.simulator.SimulatedKernel#faults()} makes the next calls of a
 * command fail with a chosen errno (for example the next 3 {@code BPF_MAP_UPDATE_ELEM} with {@code ENOMEM}), before
 * they reach the map, so that error paths can be tested:
 * <pre>{@code
 * kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 3);
 * kernel.faults().failNext(BpfCommand.BPF_MAP_LOOKUP_ELEM, Errno.EINTR, 1, map -> map.name().equals("flows"));
 * kernel.faults().clear();
 * }</pre>
 * See {@link org.bpfmaps.simulator.FaultInjector} for the commands covered and how failures surface.
 *
 * <p>Where the simulator knowingly differs from the kernel:
 * <ul>
 *   <li>An array element (a per-CPU array's element: all CPUs' slots) of 2 GiB or more, or an array needing more
 *       than 16 GiB, is refused with {@code ENOMEM}; the kernel may accept it.</li>
 *   <li>A program-view write to a per-CPU map stores {@code value_size} bytes and zeroes the rest of the CPU's
 *       {@code round_up(value_size, 8)} slot; the kernel copies the whole slot from the program's memory, whose
 *       tail is whatever the program had there.</li>
 *   <li>A program-view write that creates a per-CPU element leaves the other CPUs' slots zero, padding included;
 *       the kernel zeroes only their {@code value_size} bytes, and a preallocated element (every LRU map, and
 *       hash maps without {@code BPF_F_NO_PREALLOC}) keeps in its padding what its previous user left there.</li>
 *   <li>Program views answer as the linux backend's programs do where that is the kernel's answer to a program
 *       loaded for the call (see {@link org.bpfmaps.simulator.SimProgramView}). Two outcomes of the linux
 *       backend are not modelled: values over 4096 bytes (and values behind keys so large that the copy's
 *       offsets pass 32767, e.g. a 32 KiB key), which it copies with {@code bpf_probe_read_kernel},
 *       so the verifier neither refuses reading a {@code BPF_F_WRONLY_PROG} map's value nor folds a frozen
 *       {@code BPF_F_RDONLY_PROG} array's (the simulator answers {@code EACCES} / {@code ENOTSUPP} whatever the
 *       size).</li>
 *   <li>{@code memlock} follows the kernel's {@code htab_map_mem_usage} and {@code array_map_mem_usage} with
 *       the x86_64 6.18 struct sizes ({@code bpf_htab} 832, {@code htab_elem} 48, {@code bucket} 16,
 *       {@code bpf_array} 312); it matched the kernel for every map compared.</li>
 *   <li>The simulated host has one network device (loopback, ifindex 1), no programs, perf events, cgroups or
 *       sockets, so device maps hold only the loopback device, and the maps whose values are such objects
 *       (program, perf event, cgroup and socket maps, cgroup storage, stack traces) stay empty; each refuses
 *       what user space can give it with the kernel's errno. A {@code cpumap} entry with a program descriptor
 *       fails with {@code ENOMEM} (its program does not load); {@code NR_CPUS} is 256, as on the measured
 *       kernel.</li>
 *   <li>The virtual bpffs has no files other than pins and the directories made with
 *       {@link org.bpfmaps.simulator.SimulatedKernel#makeDirectory(String)}.</li>
 * </ul>
 */
package org.bpfmaps.simulator;
