package org.bpfmaps.conformance.differential;

import java.util.List;
import org.bpfmaps.MapSpec;

/**
 * A generated differential case: a map spec and the operations to run on it.
 *
 * @param ordered whether iteration order is reproducible (arrays, hash with ZERO_SEED) and so compared exactly
 */
public record Scenario(MapSpec spec, boolean ordered, List<Op> ops) {
    /** The same scenario with other operations (used when minimising a failure). */
    public Scenario withOps(List<Op> other) {
        return new Scenario(spec, ordered, other);
    }

    @Override
    public String toString() {
        return spec + (ordered ? " (ordered)" : " (unordered: random hash seed)") + ", " + ops.size() + " ops";
    }
}
