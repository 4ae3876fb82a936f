package org.bpfmaps.conformance.reliability;

import java.util.function.Supplier;
import org.bpfmaps.BpfException;
import org.bpfmaps.Errno;
import org.bpfmaps.MapClosedException;

/**
 * Runs one call and renders what it did as a line two backends can be compared on: {@code ok <result>} or
 * {@code <ExceptionClass>(<ERRNO>)}.
 *
 * <p>Exists so every reliability test applies the same rule: a call ends in a normal result or in a
 * {@link BpfException} whose class is the one {@link BpfException#of} maps its errno to (a closed handle:
 * {@link MapClosedException} with {@code EBADF}). Anything else (a {@code NullPointerException}, an
 * {@code IndexOutOfBoundsException}, an exception whose class and errno disagree) is an {@link Undocumented}
 * error that fails the test with the call's description.
 */
public final class Outcome {
    private Outcome() {
    }

    /** An exception outside the documented contract. */
    public static final class Undocumented extends AssertionError {
        private static final long serialVersionUID = 1L;

        Undocumented(String what, Throwable cause) {
            super(what, cause);
        }
    }

    /** The outcome of {@code call}; {@code what} describes it for failure messages. */
    public static String of(String what, Supplier<String> call) {
        try {
            String r = call.get();
            return r == null || r.isEmpty() ? "ok" : "ok " + r;
        } catch (BpfException e) {
            return describe(what, e);
        } catch (Undocumented e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new Undocumented(what + ": undocumented " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** The outcome of a call that returns nothing. */
    public static String run(String what, Runnable call) {
        return of(what, () -> {
            call.run();
            return null;
        });
    }

    /** {@code Class(ERRNO)} after checking that class and errno agree with the one documented mapping. */
    public static String describe(String what, BpfException e) {
        Class<?> expected = e instanceof MapClosedException ? MapClosedException.class
                : BpfException.of(e.command(), e.errno(), null).getClass();
        if (e instanceof MapClosedException && e.errno() != Errno.EBADF.number()) {
            throw new Undocumented(what + ": MapClosedException with errno " + e.errno() + " (documented: EBADF)", e);
        }
        if (e.getClass() != expected) {
            throw new Undocumented(what + ": " + e.getClass().getSimpleName() + " carries errno " + e.errno()
                    + ", which the documented mapping gives as " + expected.getSimpleName(), e);
        }
        return e.getClass().getSimpleName() + "(" + errnoName(e.errno()) + ")";
    }

    /** {@code EPERM}, or the number for errnos {@link Errno} does not list. */
    public static String errnoName(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.UNKNOWN ? String.valueOf(errno) : e.name();
    }

    /** The errno name in an outcome line, or {@code null} for a normal result. */
    public static String errnoOf(String outcome) {
        int open = outcome.indexOf('(');
        if (outcome.startsWith("ok") || open < 0) {
            return null;
        }
        return outcome.substring(open + 1, outcome.indexOf(')', open));
    }
}
