package org.bpfmaps.linux.prog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The verifier-log excerpt quoted in load failures (no kernel needed). */
class BpfProgramTest {

    @Test
    void complaintIsTheLastTwoLinesBeforeTheStatistics() {
        String log = "0: R1=ctx() R10=fp0\n"
                + "0: (bf) r7 = r1\n"
                + "16: (85) call helper#87\n"
                + "cannot pass map_type 1 into func helper#87\n"
                + "processed 13 insns (limit 1000000) max_states_per_insn 0\n"
                + "\n";
        assertEquals("16: (85) call helper#87 / cannot pass map_type 1 into func helper#87",
                BpfProgram.complaint(log));
    }

    @Test
    void shortAndLongLogs() {
        assertEquals("only line", BpfProgram.complaint("only line\n"));
        String longLine = "x".repeat(5000);
        String c = BpfProgram.complaint(longLine);
        assertTrue(c.startsWith("...") && c.length() < 1300, c.length() + "");
    }
}
