package io.motley.core.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GetOptTest {
    static final List<OptionSpec> SPECS = List.of(
            OptionSpec.value('J', "job-name"),
            OptionSpec.value('t', "time"),
            OptionSpec.flag('H', "hold"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('\0', "parsable"),
            OptionSpec.value('\0', "partition"),
            OptionSpec.optional('\0', "exclusive"));

    @Test
    void acceptsEveryGnuSpelling() {
        GetOpt.Parsed p = new GetOpt("x", SPECS, false)
                .parse(List.of(
                        "-Jone",
                        "-J",
                        "two",
                        "--job-name=three",
                        "--job-name",
                        "four",
                        "-Hvv",
                        "--pars",
                        "--excl",
                        "--exclusive=user",
                        "op1",
                        "--",
                        "-J"));
        assertThat(p.all("job-name")).containsExactly("one", "two", "three", "four");
        assertThat(p.last("job-name")).isEqualTo("four");
        assertThat(p.count("verbose")).isEqualTo(2);
        assertThat(p.has("hold")).isTrue();
        assertThat(p.has("parsable")).isTrue();
        assertThat(p.all("exclusive")).containsExactly("", "user");
        assertThat(p.operands()).containsExactly("op1", "-J");
    }

    @Test
    void sbatchStyleStopsAtTheScript() {
        GetOpt.Parsed p = new GetOpt("sbatch", SPECS, true).parse(List.of("-H", "job.sh", "-J", "arg"));
        assertThat(p.has("job-name")).isFalse();
        assertThat(p.operands()).containsExactly("job.sh", "-J", "arg");
    }

    @Test
    void errorsAreGetoptsWithTheCommandsExitCode() {
        assertThatThrownBy(() -> new GetOpt("x", SPECS, false).parse(List.of("--bogus-option=1")))
                .isInstanceOf(UsageException.class)
                .hasMessage("unrecognized option '--bogus-option=1'")
                .extracting(e -> ((UsageException) e).exitCode())
                .isEqualTo(1);
        assertThatThrownBy(() -> new GetOpt("sbatch", SPECS, false, 255).parse(List.of("-z")))
                .hasMessage("invalid option -- 'z'")
                .extracting(e -> ((UsageException) e).exitCode())
                .isEqualTo(255);
        assertThatThrownBy(() -> new GetOpt("x", SPECS, false).parse(List.of("--time")))
                .hasMessage("option '--time' requires an argument");
        assertThatThrownBy(() -> new GetOpt("x", SPECS, false).parse(List.of("-t")))
                .hasMessage("option requires an argument -- 't'");
        assertThatThrownBy(() -> new GetOpt("x", SPECS, false).parse(List.of("--hold=yes")))
                .hasMessage("option '--hold' doesn't allow an argument");
        assertThatThrownBy(() -> new GetOpt("x", SPECS, false).parse(List.of("--pa")))
                .hasMessageContaining("is ambiguous");
    }

    @Test
    void listsAreReadOnceTrimmedWithoutRepeatsOrEmptyItems() {
        GetOpt.Parsed p = new GetOpt("x", SPECS, false)
                .parse(List.of("--partition", "b,a", "--partition", " a , b,,a ,c", "-J", "x"));
        assertThat(p.list("partition")).containsExactly("a", "b", "c");
        assertThat(p.listAll("partition")).containsExactly("b", "a", "c");
        assertThat(p.list("time")).isEmpty();
        assertThat(p.listAll("time")).isEmpty();
    }

    @Test
    void numbersAreCheckedWithAMessageNamingTheOption() {
        GetOpt g = new GetOpt("x", SPECS, false, 2);
        assertThat(g.number("--port", " 80 ", 0, 65535)).isEqualTo(80);
        for (String bad : new String[] {"abc", "", "70000", "-1", "99999999999999999999"}) {
            assertThatThrownBy(() -> g.number("--port", bad, 0, 65535))
                    .as(bad)
                    .isInstanceOf(UsageException.class)
                    .hasMessage("invalid value for --port: '" + bad + "' (a whole number from 0 to 65535 is wanted)")
                    .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(2));
        }
    }
}
