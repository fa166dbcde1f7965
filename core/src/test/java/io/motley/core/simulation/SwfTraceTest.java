package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwfTraceTest {
    private static final String TRACE = """
            ; Version: 2.2
            ; Computer: Test machine
            ; Note: a note: with colons
            ; MaxNodes: 8
            ; MaxProcs: 16
            ;
                1      0   5  100   4 -1 -1   4  300 -1 1 3 1 -1 1 1 -1 -1
                2     10  -1   50   2 -1 -1  -1   -1 -1 1 3 1 -1 1 1 -1 -1
                3     20  -1   -1   2 -1 -1   2   60 -1 0 3 1 -1 1 1 -1 -1
                4     30  -1    0   2 -1 -1   2   60 -1 0 3 1 -1 1 1 -1 -1
                5     40  -1   10  -1 -1 -1  -1   60 -1 5 3 1 -1 1 1 -1 -1
                6   50.6  -1 12.4   1 1.5 -1  1   60 -1 1 3 1 -1 1 1 -1 -1
            """;

    @Test
    void readsTheHeaderAndTheFieldsTheSimulationNeeds() {
        SwfTrace t = SwfTrace.parse(TRACE);
        assertThat(t.maxProcs()).isEqualTo(16);
        assertThat(t.maxNodes()).isEqualTo(8);
        assertThat(t.header()).containsEntry("Computer", "Test machine").doesNotContainKey("Note: a note");
        assertThat(t.jobs())
                .containsExactly(
                        // field 12 is the user: fair share charges the job to "user3"
                        new WorkloadJob(1, 0, 4, -2, 100, 300, List.of(), "user3"),
                        // requested processors unknown: the allocated ones; requested time unknown: no limit given
                        new WorkloadJob(2, 10, 2, -2, 50, -2, List.of(), "user3"),
                        // fractional values, as some traces have, are rounded
                        new WorkloadJob(6, 51, 1, -2, 12, 60, List.of(), "user3"));
        // no run time (-1 or 0), no processors at all
        assertThat(t.skipped()).isEqualTo(3);
    }

    @Test
    void aTraceWithoutMaxProcsSaysSo() {
        SwfTrace t = SwfTrace.parse("1 0 -1 10 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1\n");
        assertThat(t.maxProcs()).isEqualTo(-1);
        assertThat(t.jobs()).hasSize(1);
    }

    @Test
    void aLineWithTheWrongNumberOfFieldsIsAnErrorNamingIt() {
        assertThatThrownBy(() -> SwfTrace.parse("; MaxProcs: 4\n1 0 -1 10 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1\n1 2 3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3: an SWF job line has 18 fields, this one has 3");
    }

    @Test
    void aFieldThatIsNotANumberIsAnErrorNamingTheLineAndField() {
        assertThatThrownBy(() -> SwfTrace.parse("1 0 -1 ten 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1\r\n"))
                .hasMessage("line 1: field 4 (run time) is not a number: 'ten'");
    }

    @Test
    void windowsLineEndingsAndBlankLinesAreFine() {
        SwfTrace t = SwfTrace.parse("; MaxProcs: 2\r\n\r\n1 0 -1 10 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1\r\n");
        assertThat(t.maxProcs()).isEqualTo(2);
        assertThat(t.jobs()).hasSize(1);
    }
}
