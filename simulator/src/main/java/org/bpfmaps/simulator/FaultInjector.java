package org.bpfmaps.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.bpfmaps.BpfCommand;
import org.bpfmaps.BpfMap;
import org.bpfmaps.Errno;

/**
 * Fault injection for one {@link SimulatedKernel}: makes the next calls of a command fail with a chosen errno, so
 * that error paths (retry on {@code EINTR}/{@code EAGAIN}, give up on {@code ENOMEM}) can be tested.
 *
 * <pre>{@code
 * kernel.faults().failNext(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM, 3);
 * map.update(k, v);   // throws BpfException: BPF_MAP_UPDATE_ELEM failed: ENOMEM ...; the map is unchanged
 * }</pre>
 *
 * <p>An injected failure is applied after the library's own argument checks (buffer sizes, closed descriptor) and
 * <em>before</em> the command reaches the map: nothing in the map changes, nothing is persisted, and the caller
 * sees exactly what a kernel failure with that errno looks like ({@code BpfException.of(command, errno, ...)}: an
 * {@code ENOENT} makes a lookup answer "absent", an {@code ENOMEM} is a plain {@code BpfException}, {@code EPERM}
 * a {@code PermissionDeniedException}, and so on). A failed batch command reports 0 elements done.
 *
 * <p>Commands that can fail this way: {@code BPF_MAP_CREATE}, {@code BPF_OBJ_GET} ({@code openPinned}),
 * {@code BPF_MAP_GET_FD_BY_ID}, {@code BPF_OBJ_PIN} ({@code pin}), {@code BPF_OBJ_GET_INFO_BY_FD}
 * ({@code info}), the element commands ({@code LOOKUP_ELEM}, {@code UPDATE_ELEM}, {@code DELETE_ELEM},
 * {@code GET_NEXT_KEY}, {@code LOOKUP_AND_DELETE_ELEM}), {@code BPF_MAP_FREEZE}, the four batch commands, and
 * {@code PROGRAM_HELPER} (every helper of a {@link org.bpfmaps.ProgramView}).
 *
 * <p>Rules are consumed in the order they were added: a call fails by the first rule whose command matches (and
 * whose map predicate, if any, accepts the descriptor making the call); that rule's count then goes down by one
 * and the rule is dropped at zero. Rules with a map predicate never match calls that have no map
 * ({@code BPF_MAP_CREATE}, {@code BPF_OBJ_GET}, {@code BPF_MAP_GET_FD_BY_ID}). Thread-safe.
 */
public final class FaultInjector {

    private static final class Rule {
        final BpfCommand command;
        final Errno errno;
        final Predicate<? super BpfMap> which;
        int remaining;

        Rule(BpfCommand command, Errno errno, int remaining, Predicate<? super BpfMap> which) {
            this.command = command;
            this.errno = errno;
            this.remaining = remaining;
            this.which = which;
        }
    }

    // Guarded by this.
    private final List<Rule> rules = new ArrayList<>();
    private long injected;
    private volatile boolean armed;

    FaultInjector() {
    }

    /**
     * Makes the next {@code times} calls of {@code command} fail with {@code errno}.
     *
     * @return this injector
     * @throws IllegalArgumentException when {@code times} is negative or {@code errno} is {@link Errno#UNKNOWN}
     */
    public FaultInjector failNext(BpfCommand command, Errno errno, int times) {
        return add(command, errno, times, null);
    }

    /**
     * Makes the next {@code times} calls of {@code command} on maps that {@code which} accepts (given the
     * descriptor the call is made on) fail with {@code errno}.
     */
    public FaultInjector failNext(BpfCommand command, Errno errno, int times, Predicate<? super BpfMap> which) {
        return add(command, errno, times, Objects.requireNonNull(which, "which"));
    }

    private synchronized FaultInjector add(BpfCommand command, Errno errno, int times,
                                           Predicate<? super BpfMap> which) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(errno, "errno");
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative, got " + times);
        }
        if (errno == Errno.UNKNOWN || errno.number() <= 0) {
            throw new IllegalArgumentException("errno must be a real errno, got " + errno);
        }
        if (times > 0) {
            rules.add(new Rule(command, errno, times, which));
            armed = true;
        }
        return this;
    }

    /** How many more calls of {@code command} the pending rules will fail (rules restricted to some maps included). */
    public synchronized int remaining(BpfCommand command) {
        int n = 0;
        for (Rule r : rules) {
            if (r.command == command) {
                n += r.remaining;
            }
        }
        return n;
    }

    /** How many calls have failed by injection since this kernel was built. */
    public synchronized long injected() {
        return injected;
    }

    /** Drops every pending rule. */
    public synchronized void clear() {
        rules.clear();
        armed = false;
    }

    /** 0, or the errno the call must fail with (consuming one count of the rule). */
    int check(BpfCommand command, BpfMap map) {
        if (!armed) {
            return 0;
        }
        synchronized (this) {
            for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
                Rule r = it.next();
                if (r.command != command || (r.which != null && (map == null || !r.which.test(map)))) {
                    continue;
                }
                if (--r.remaining == 0) {
                    it.remove();
                }
                armed = !rules.isEmpty();
                injected++;
                return r.errno.number();
            }
            return 0;
        }
    }
}
