package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley simulate on tiny workloads whose figures are worked out by hand. */
class SimulateTest {
    // 1 takes 2 of 4 CPUs 0..100; 2 wants all 4 from 10 and runs 100..150; 3 (1 CPU, from 20) waits behind 2: 150..180.
    // waits 0, 90, 130: mean 73.33, p95 130; slowdowns 1, 2.8, 5.33: mean 3.04; 430 CPU-s of 4*180: 59.7%.
    private static final String JOBS = """
            # SUBMIT CPUS RUN
            0   2  100
            10  4  50
            20  1  30
            """;
    private static final String SWF = """
            ; MaxProcs: 4
            1  0 -1 100 2 -1 -1  2 200 -1 1 1 1 -1 1 1 -1 -1
            2 10 -1  50 4 -1 -1 -1  -1 -1 1 1 1 -1 1 1 -1 -1
            3 20 -1  30 1 -1 -1  1  40 -1 1 1 1 -1 1 1 -1 -1
            4 25 -1  -1 1 -1 -1  1  40 -1 0 1 1 -1 1 1 -1 -1
            """;
    private static final String JSON = "{\"policy\":\"fcfs\",\"jobs\":3,\"mean_wait_s\":73.333333,\"p95_wait_s\":130,"
            + "\"mean_bounded_slowdown\":3.044444,\"utilization\":0.597222,\"makespan_s\":180}";

    @TempDir
    Path dir;

    private String file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p.toString();
    }

    private static Result simulate(String... args) throws Exception {
        return Fixtures.run(new Simulate(), new FakeCluster(), 0, args);
    }

    @Test
    void printsOneRowPerPolicy() throws Exception {
        Result r = simulate(file("w.jobs", JOBS), "--cluster", file("c.conf", "NodeName=a CPUs=4\n"));
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "POLICY       JOBS    MEAN_WAIT     P95_WAIT  MEAN_BSLD  UTILIZATION       MAKESPAN",
                        "fcfs            3         1:13         2:10       3.04        59.7%           3:00"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void jsonIsOneObjectWithTheFiguresAndThePolicy() throws Exception {
        Result r = simulate(file("w.jobs", JOBS), "--cluster", file("c.conf", "NodeName=a CPUs=4\n"), "--json");
        assertThat(r.out()).isEqualTo(JSON + "\n");
    }

    @Test
    void anSwfTraceRunsOnItsMaxProcsAndSaysWhatItSkippedAndKilled() throws Exception {
        // job 3's requested time (40 s) is longer than its run time; job 1's 200 s too; nothing is killed
        Result r = simulate(file("t.swf", SWF), "--json");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(JSON + "\n");
        assertThat(r.err())
                .isEqualTo(
                        lines(
                                "motley simulate: note: 1 of 4 trace jobs skipped (no run time, no processors or no submit time)"));
    }

    @Test
    void aGzippedTraceAndAnExplicitFormatAreRead() throws Exception {
        Path gz = dir.resolve("trace.data");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(SWF.replace(" 40 -1 1 1 1", " 20 -1 1 1 1").getBytes(StandardCharsets.UTF_8));
        }
        Result r = simulate(gz.toString(), "--format", "swf", "--json");
        // job 3 is now killed at its 20 s limit: 150..170
        assertThat(r.out()).contains("\"makespan_s\":170");
        assertThat(r.err()).contains("motley simulate: note: 1 jobs reached their time limit and were killed there");
    }

    @Test
    void severalPoliciesGiveSeveralRowsAndAJsonArray() throws Exception {
        String w = file("w.jobs", JOBS);
        String c = file("c.conf", "NodeName=a CPUs=4\n");
        Result table = simulate(w, "-c", c, "--policy", "fcfs,fcfs");
        assertThat(table.out().lines()).hasSize(3);
        Result json = simulate(w, "-c", c, "--policy=fcfs", "-p", "fcfs", "--json");
        assertThat(json.out()).isEqualTo("[" + JSON + "," + JSON + "]\n");
    }

    @Test
    void jobsTheClusterCanNeverRunAreNamed() throws Exception {
        Result r = simulate(
                file("w.jobs", JOBS + "30 8 10\n40 1 10 - - gpu\n"),
                "--cluster",
                file("c.conf", "NodeName=a CPUs=4\n"));
        assertThat(r.code()).isZero();
        assertThat(r.err())
                .isEqualTo(lines("motley simulate: note: 2 jobs left out, the cluster can never run them: "
                        + "1 more CPUs or memory than any node of partition main has, 1 partition gpu does not exist"));
    }

    @Test
    void backfillIsComparedWithFcfsRowByRow() throws Exception {
        // backfill: job 2 holds a reservation at 200 (job 1's requested time); job 3 (40 s limit) starts
        // at 20 in the hole and ends at 50; job 2 starts at 100, when job 1 really ends.
        // waits 0, 90, 0: mean 30, p95 90; slowdowns 1, 2.8, 1: mean 1.6; 430 CPU-s of 4*150: 71.7%.
        Result r = simulate(file("t.swf", SWF), "--policy", "fcfs,backfill");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "POLICY       JOBS    MEAN_WAIT     P95_WAIT  MEAN_BSLD  UTILIZATION       MAKESPAN",
                        "fcfs            3         1:13         2:10       3.04        59.7%           3:00",
                        "backfill        3         0:30         1:30       1.60        71.7%           2:30"));
    }

    @Test
    void priorityWeightsAddARowPerRankingAndAKeyInJson() throws Exception {
        // jobsize=1000: on 4 CPUs job 2 (4 CPUs) outranks job 3 (1 CPU) anyway; the figures match fcfs
        Result r = simulate(
                file("w.jobs", JOBS),
                "--cluster",
                file("c.conf", "NodeName=a CPUs=4\n"),
                "--priority",
                "none",
                "--priority",
                "jobsize=1000");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "POLICY                JOBS    MEAN_WAIT     P95_WAIT  MEAN_BSLD  UTILIZATION       MAKESPAN",
                        "fcfs none                3         1:13         2:10       3.04        59.7%           3:00",
                        "fcfs jobsize=1000        3         1:13         2:10       3.04        59.7%           3:00"));
        Result json = simulate(
                file("w.jobs", JOBS),
                "--cluster",
                file("c.conf", "NodeName=a CPUs=4\n"),
                "--priority",
                "jobsize=1000",
                "--json");
        assertThat(json.out()).startsWith("{\"policy\":\"fcfs\",\"priority\":\"jobsize=1000\",\"jobs\":3,");
        Result bad = simulate(
                file("w.jobs", JOBS), "--cluster", file("c.conf", "NodeName=a CPUs=4\n"), "--priority", "speed=1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("motley simulate: error: unknown priority weight 'speed'");
    }

    @Test
    void usageMistakesAreErrors() throws Exception {
        String swf = file("t.swf", SWF);
        assertThat(simulate(swf, "--policy", "sjf").err())
                .isEqualTo(lines("motley simulate: error: unknown policy 'sjf'; use fcfs or backfill"));
        Result missing = simulate(dir.resolve("none.swf").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err())
                .isEqualTo(lines("motley simulate: error: cannot read " + dir.resolve("none.swf") + ": no such file"));
        assertThat(simulate(swf, "--format", "csv").err())
                .isEqualTo(lines("motley simulate: error: unknown format 'csv'; use swf or jobs"));
        assertThat(simulate(file("w.jobs", JOBS)).err())
                .isEqualTo(lines("motley simulate: error: a job list needs a cluster to run on: --cluster FILE"));
        String bare = file("bare.swf", "1 0 -1 10 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1\n");
        assertThat(simulate(bare).err())
                .isEqualTo(lines("motley simulate: error: " + bare
                        + " has no MaxProcs header; describe the machine with --cluster FILE"));
        Result bogus = simulate(swf, "--bogus");
        assertThat(bogus.code()).isEqualTo(1);
        assertThat(bogus.err())
                .isEqualTo(lines(
                        "motley simulate: unrecognized option '--bogus'",
                        "Try \"motley simulate --help\" for more information"));
        assertThat(simulate().err()).startsWith("motley simulate: error: give one workload file");
    }

    @Test
    void aBadLineIsNamedWithItsFile() throws Exception {
        String w = file("w.jobs", "0 1 10\n5 x 10\n");
        Result r = simulate(w, "--cluster", file("c.conf", "NodeName=a CPUs=4\n"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines("motley simulate: error: " + w + " line 2: CPUS must be a whole number, got 'x'"));
        String c = file("bad.conf", "NodeName=a\n");
        String good = file("ok.jobs", "0 1 10\n");
        assertThat(simulate(good, "--cluster", c).err())
                .isEqualTo(lines("motley simulate: error: " + c + ": node a needs CPUs=N on its NodeName line"));
        String swf = file("bad.swf", "; MaxProcs: 4\n1 0 -1 10 1\n");
        assertThat(simulate(swf).err())
                .isEqualTo(lines(
                        "motley simulate: error: " + swf + " line 2: an SWF job line has 18 fields, this one has 5"));
    }

    @Test
    void helpNamesTheOptions() throws Exception {
        Result r = simulate("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith("Usage: motley simulate WORKLOAD")
                .contains("--cluster", "--policy", "--json", "--format");
    }
}
