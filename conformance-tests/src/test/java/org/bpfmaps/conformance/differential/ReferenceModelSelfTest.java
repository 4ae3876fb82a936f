package org.bpfmaps.conformance.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.bpfmaps.BpfMap;
import org.bpfmaps.BpfMaps;
import org.bpfmaps.MapBackend;
import org.bpfmaps.MapSpec;
import org.bpfmaps.MapType;
import org.bpfmaps.UpdateFlags;
import org.bpfmaps.conformance.Bytes;
import org.bpfmaps.conformance.ForwardingBpfMap;
import org.bpfmaps.conformance.HostCpus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Proves the reference model can disagree: a map that forgets NOEXIST is caught, a correct one is not. */
class ReferenceModelSelfTest {

    /** Treats NOEXIST as ANY. */
    static final class IgnoresNoexist extends ForwardingBpfMap {
        IgnoresNoexist(BpfMap d) {
            super(d);
        }

        @Override
        public void update(byte[] key, byte[] value, long flags) {
            d.update(key, value, flags == UpdateFlags.NOEXIST ? UpdateFlags.ANY : flags);
        }
    }

    @Test
    @DisplayName("the model predicts EEXIST where a broken map says ok, and agrees with the real one")
    void modelCatchesBrokenMap() {
        MapSpec spec = MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(4).build();
        Op put = new Op.Update(Bytes.u32(1), Bytes.u32(7), UpdateFlags.ANY);
        Op again = new Op.Update(Bytes.u32(1), Bytes.u32(8), UpdateFlags.NOEXIST);
        try (MapBackend b = BpfMaps.open("simulator", Map.of("cpus", String.valueOf(HostCpus.possible())))) {
            for (boolean broken : new boolean[] {false, true}) {
                try (Side side = new Side("s", b, broken ? IgnoresNoexist::new : m -> m)) {
                    side.create(spec, false);
                    ReferenceModel model = new ReferenceModel(spec, b.possibleCpus());
                    assertEquals(model.predict(put), put.apply(side));
                    String expected = model.predict(again);
                    assertEquals("ERR AlreadyExistsException errno=17", expected);
                    if (broken) {
                        assertNotEquals(expected, again.apply(side));
                    } else {
                        assertEquals(expected, again.apply(side));
                        assertEquals(model.walk(), side.walk());
                    }
                }
            }
        }
    }
}
