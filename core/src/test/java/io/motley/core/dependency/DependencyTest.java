package io.motley.core.dependency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.dependency.Dependency.Status;
import io.motley.core.dependency.Dependency.Target;
import io.motley.core.job.JobState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DependencyTest {
    static final Map<Long, Target> JOBS = Map.of(
            1L, new Target(JobState.COMPLETED, 100),
            2L, new Target(JobState.FAILED, 100),
            3L, new Target(JobState.RUNNING, 100),
            4L, new Target(JobState.PENDING, 0),
            5L, new Target(JobState.CANCELLED, 0));

    static Status eval(String spec, long now) {
        return Dependency.parse(spec).evaluate(id -> Optional.ofNullable(JOBS.get(id)), now, false);
    }

    @Test
    void eachKindFollowsSlurm() {
        assertThat(eval("afterok:1", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("afterok:2", 200)).isEqualTo(Status.NEVER);
        assertThat(eval("afterok:3", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("afternotok:2", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("afternotok:1", 200)).isEqualTo(Status.NEVER);
        assertThat(eval("afterany:2:1", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("afterany:3", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("after:3", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("after:3+5", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("after:3+5", 400)).isEqualTo(Status.SATISFIED);
        assertThat(eval("after:4", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("after:5", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("aftercorr:1", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("afterok:999", 200)).as("unknown job").isEqualTo(Status.NEVER);
    }

    @Test
    void aftercorrLooksAtTheCorrespondingTaskAlone() {
        // array 7's task of this index: completed, failed, still running, or none at all
        Dependency d = Dependency.parse("aftercorr:7,afterok:1");
        assertThat(d.corresponding()).isTrue();
        assertThat(Dependency.parse("afterok:7").corresponding()).isFalse();
        java.util.function.LongFunction<Optional<Target>> whole = id -> Optional.ofNullable(JOBS.get(id));
        assertThat(d.evaluate(whole, id -> Optional.of(new Target(JobState.COMPLETED, 5)), 200, false))
                .isEqualTo(Status.SATISFIED);
        assertThat(d.evaluate(whole, id -> Optional.of(new Target(JobState.FAILED, 5)), 200, false))
                .isEqualTo(Status.NEVER);
        assertThat(d.evaluate(whole, id -> Optional.of(new Target(JobState.RUNNING, 5)), 200, false))
                .isEqualTo(Status.WAITING);
        assertThat(d.evaluate(whole, id -> Optional.empty(), 200, false))
                .as("no such task: nothing to wait for")
                .isEqualTo(Status.SATISFIED);
        // the other terms still count
        assertThat(Dependency.parse("aftercorr:7,afterok:3")
                        .evaluate(whole, id -> Optional.of(new Target(JobState.COMPLETED, 5)), 200, false))
                .isEqualTo(Status.WAITING);
    }

    @Test
    void commaNeedsAllAndQuestionMarkAny() {
        assertThat(eval("afterok:1,afterok:3", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("afterok:1,afterok:2", 200)).isEqualTo(Status.NEVER);
        assertThat(eval("afterok:2?afterok:3", 200)).isEqualTo(Status.WAITING);
        assertThat(eval("afterok:2?afterok:1", 200)).isEqualTo(Status.SATISFIED);
        assertThat(eval("afterok:2?afternotok:1", 200)).isEqualTo(Status.NEVER);
    }

    @Test
    void singletonWaitsForEarlierJobsOfTheSameNameAndUser() {
        Dependency d = Dependency.parse("singleton");
        assertThat(d.evaluate(id -> Optional.empty(), 0, true)).isEqualTo(Status.WAITING);
        assertThat(d.evaluate(id -> Optional.empty(), 0, false)).isEqualTo(Status.SATISFIED);
        assertThat(d.jobIds()).isEmpty();
    }

    @Test
    void parsesAndPrintsSlurmsSyntax() {
        assertThat(Dependency.parse("afterok:12:13,after:14+5").toString())
                .isEqualTo("afterok:12,afterok:13,after:14+5");
        assertThat(Dependency.parse("afterok:12?afternotok:13").toString()).isEqualTo("afterok:12?afternotok:13");
        assertThat(Dependency.parse("afterok:12:13,singleton").jobIds()).containsExactly(12L, 13L);
        assertThatThrownBy(() -> Dependency.parse("before:12")).hasMessageContaining("invalid dependency type");
        assertThatThrownBy(() -> Dependency.parse("afterok")).hasMessageContaining("TYPE:JOBID");
        // a bare job id is afterany, as Slurm reads it
        assertThat(Dependency.parse("42").toString()).isEqualTo("afterany:42");
        assertThat(Dependency.parse("afterok:1,42").toString()).isEqualTo("afterok:1,afterany:42");
        assertThatThrownBy(() -> Dependency.parse("afterok:abc")).hasMessageContaining("invalid job id");
        assertThatThrownBy(() -> Dependency.parse("afterok:1+5")).hasMessageContaining("only allowed with after");
        assertThatThrownBy(() -> Dependency.parse("afterok:1,afterok:2?afterok:3"))
                .hasMessageContaining("not both");
    }

    @Test
    void refusesWhatTheFuzzTargetFound() {
        // Separators alone gave a dependency with no terms, printed as "", which the controller then refused as empty.
        for (String spec : new String[] {"?", ",", ",,", "afterok::", "afterok::,afterok:5"}) {
            assertThatThrownBy(() -> Dependency.parse(spec))
                    .as(spec)
                    .isExactlyInstanceOf(IllegalArgumentException.class);
        }
        // +time in minutes times 60 wrapped around: a negative or absurd delay instead of a refusal.
        for (String spec : new String[] {
            "after:1+9223372036854775807",
            "after:5+1000000000000000000",
            "after:2+555555555555555555",
            "after:1+2147483648"
        }) {
            assertThatThrownBy(() -> Dependency.parse(spec))
                    .as(spec)
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid +time");
        }
        assertThat(Dependency.parse("after:1+2147483647").terms().get(0).delaySeconds())
                .isEqualTo(2147483647L * 60);
        assertThat(Dependency.parse("afterok:1,").toString()).isEqualTo("afterok:1");
    }

    @Test
    void aTypeOfCharactersThatUpperCaseToTwoIsRefusedInLinearTime() {
        // The quadratic case mapping the fuzz target found in timestamps: String.toUpperCase copies its whole result
        // again
        // for each U+00DF, so a type of 60,000 of them allocated 10 GB and took a second of the controller's CPU.
        String sharpS = "\u00df".repeat(60_000) + ":1";
        long before = io.motley.core.Allocations.now();
        assertThatThrownBy(() -> Dependency.parse(sharpS))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid dependency type");
        assertThat(io.motley.core.Allocations.now() - before)
                .as("bytes allocated")
                .isLessThan(64L << 20);
        assertThat(Dependency.parse("AfterOK:4?AFTERANY:5").toString()).isEqualTo("afterok:4?afterany:5");
    }
}
