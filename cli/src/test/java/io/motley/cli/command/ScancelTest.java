package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import org.junit.jupiter.api.Test;

class ScancelTest {
    final FakeCluster cluster = new FakeCluster()
            .jobs(
                    Fixtures.job(1, "a")
                            .user("ann", 1000)
                            .running("n1", 10, 100)
                            .build(),
                    Fixtures.job(2, "b")
                            .user("ann", 1000)
                            .account("physics")
                            .pending(PendingReason.Resources)
                            .build(),
                    Fixtures.job(3, "a")
                            .user("bob", 1001)
                            .partition("gpu")
                            .pending(PendingReason.Priority)
                            .build(),
                    Fixtures.job(4, "a")
                            .user("ann", 1000)
                            .running("n1", 10, 100)
                            .ended(JobState.COMPLETED, io.motley.core.job.ExitStatus.NONE, 20)
                            .build());

    Result scancel(String... args) throws Exception {
        return Fixtures.run(new Scancel(u -> u.equals("ann")), cluster, 0, 1000, "ann", "", args);
    }

    @Test
    void slurmsOtherFiltersAreTaken() throws Exception {
        assertThat(scancel("-A", "physics").code()).isZero();
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("2");
        Frame asked = cluster.last(Ops.CANCEL);
        // no job has a QOS, reservation or WCKey: nothing is cancelled, silently
        for (String[] a : new String[][] {{"-q", "normal"}, {"-R", "r1"}, {"--wckey=w"}}) {
            Result r = scancel(a);
            assertThat(r.code()).isZero();
            assertThat(r.out() + r.err()).isEmpty();
        }
        assertThat(cluster.last(Ops.CANCEL)).isSameAs(asked);
        assertThat(scancel("-H", "--ctld", "1").code()).isZero();
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("1");
    }

    @Test
    void anUnknownUserIsRefusedAsSlurmDoes() throws Exception {
        Result r = scancel("-u", "nosuchuser");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("scancel: error: Invalid user name: nosuchuser\n");
        // bob is no user of this host but owns a job in view
        assertThat(scancel("-u", "bob").code()).isZero();
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("3");
    }

    @Test
    void idsGoStraightToTheController() throws Exception {
        Result r = scancel("1", "2,3");
        assertThat(r.code()).isZero();
        assertThat(r.out() + r.err()).isEmpty();
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("1,2,3");
    }

    @Test
    void aStepIsCancelledOnItsOwnAndItsErrorIsSlurms() throws Exception {
        cluster.canned.put(io.motley.protocol.StepMessages.CANCEL, Frame.op(Ops.OK));
        Result r = scancel("1.2", "4");
        assertThat(r.code()).isZero();
        Frame asked = cluster.last(io.motley.protocol.StepMessages.CANCEL);
        assertThat(asked.str("job")).isEqualTo("1");
        assertThat(asked.str("step")).isEqualTo("2");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("4");
        cluster.canned.put(io.motley.protocol.StepMessages.CANCEL, Frame.error("Invalid job id specified"));
        r = scancel("1.9");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("scancel: error: Kill job error on job step id 1.9: Invalid job id specified\n");
    }

    @Test
    void filtersSelectActiveJobsOnly() throws Exception {
        scancel("-n", "a");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("1,3");
        scancel("--me", "-t", "PD");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("2");
        scancel("-p", "gpu");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("3");
        scancel("-u", "ann", "2");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("2");
    }

    @Test
    void errorsFollowSlurm() throws Exception {
        Result none = scancel();
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo(lines("scancel: error: No job identification provided"));
        assertThat(scancel("abc").err()).isEqualTo(lines("scancel: error: Invalid job id abc"));
        cluster.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame()
                        .put("id", 3)
                        .put("error", "Access/permission denied")
                        .put("always", true))
                .add(new Frame()
                        .put("id", 999)
                        .put("error", "Invalid job id specified")
                        .put("always", false));
        Result r = scancel("3", "999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(lines("scancel: error: Kill job error on job id 3: Access/permission denied"));
        assertThat(scancel("-v", "3", "999").err()).contains("Kill job error on job id 999: Invalid job id specified");
    }

    @Test
    void listOptionsTakeRepeatsAndSpaces() throws Exception {
        Result r = scancel("-p", "gpu,gpu", "-n", "a, a");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("3");
    }

    @Test
    void verboseSaysEachJobBeforeCancellingIt() throws Exception {
        Result r = scancel("-v", "1", "7_3");
        assertThat(r.err()).isEqualTo(lines("scancel: Terminating job 1", "scancel: Terminating job 7_3"));
        Result batch = scancel("-v", "-b", "2");
        assertThat(batch.err()).isEqualTo(lines("scancel: Terminating batch job 2"));
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("2");
    }

    @Test
    void aBogusStateListsTheValidOnes() throws Exception {
        Result r = scancel("-t", "bogus", "--me");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines(
                        "Invalid job state specified: bogus", "Valid job states are PENDING, RUNNING, and SUSPENDED"));
        assertThat(cluster.last(Ops.CANCEL)).isNull();
    }

    @Test
    void interactiveAsksForEachJobAndCancelsOnlyTheYeses() throws Exception {
        Result r = Fixtures.run(new Scancel(), cluster, 0, 1000, "ann", "y\nmaybe\nn\n", "-i", "1", "2");
        assertThat(r.out())
                .isEqualTo("Cancel job_id=1 name=a partition=debug [y/n]? "
                        + "Cancel job_id=2 name=b partition=debug [y/n]? "
                        + "Cancel job_id=2 name=b partition=debug [y/n]? ");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("1");
        int before = cluster.requests.size();
        Result none = Fixtures.run(new Scancel(), cluster, 0, 1000, "ann", "", "-i", "2");
        assertThat(none.code()).isZero();
        assertThat(cluster.requests.stream().skip(before).map(Frame::op)).doesNotContain(Ops.CANCEL);
    }

    @Test
    void aSignalGoesToTheJobsStepsOrWithBOrFullToTheBatchShell() throws Exception {
        for (String[] a : new String[][] {{"-s", "USR1"}, {"--signal=SIGUSR1"}, {"-s", "10"}, {"-s", "usr1"}}) {
            Result r = scancel(concat(a, "1"));
            assertThat(r.code()).as(String.join(" ", a)).isZero();
            assertThat(r.out() + r.err()).isEmpty();
            Frame asked = cluster.last(Ops.SIGNAL);
            assertThat(asked.str("ids")).isEqualTo("1");
            assertThat(asked.str("signal")).isEqualTo("10");
            assertThat(asked.str("scope")).isEqualTo("STEPS");
        }
        assertThat(cluster.last(Ops.CANCEL)).isNull();
        scancel("-b", "-s", "TERM", "1");
        assertThat(cluster.last(Ops.SIGNAL).str("scope")).isEqualTo("BATCH");
        assertThat(cluster.last(Ops.SIGNAL).str("signal")).isEqualTo("15");
        // --full wins over -b, as in Slurm
        scancel("-b", "--full", "-s", "STOP", "1");
        assertThat(cluster.last(Ops.SIGNAL).str("scope")).isEqualTo("FULL");
        assertThat(cluster.last(Ops.SIGNAL).str("signal")).isEqualTo("19");
    }

    @Test
    void sigkillCancelsUnlessOnlyTheBatchShellIsAskedFor() throws Exception {
        scancel("-s", "KILL", "1");
        assertThat(cluster.last(Ops.CANCEL).str("ids")).isEqualTo("1");
        assertThat(cluster.last(Ops.SIGNAL)).isNull();
        scancel("-s", "9", "--full", "1");
        assertThat(cluster.last(Ops.SIGNAL)).isNull();
        scancel("-s", "SIGKILL", "-b", "1");
        assertThat(cluster.last(Ops.SIGNAL).str("signal")).isEqualTo("9");
        assertThat(cluster.last(Ops.SIGNAL).str("scope")).isEqualTo("BATCH");
    }

    @Test
    void anUnknownSignalIsSlurmsError() throws Exception {
        for (String bad : new String[] {"BOGUS", "0", "64", "SIG"}) {
            Result r = scancel("--signal=" + bad, "1");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).isEqualTo(lines("Unknown job signal: " + bad));
        }
        assertThat(cluster.requests).isEmpty();
    }

    @Test
    void aSignalThatCannotBeDeliveredFailsTheCommand() throws Exception {
        cluster.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame()
                        .put("id", 2)
                        .put("error", "Job can not be altered now, try again later")
                        .put("always", true))
                .add(new Frame()
                        .put("id", 4)
                        .put("error", "Job/step already completing or completed")
                        .put("always", false));
        Result r = scancel("-s", "USR1", "2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines(
                        "scancel: error: Kill job error on job id 2: Job can not be altered now, try again later"));
        // an ended job is not mentioned, but unlike a cancel the exit status says the signal went nowhere
        cluster.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame()
                        .put("id", 4)
                        .put("error", "Job/step already completing or completed")
                        .put("always", false));
        Result done = scancel("-s", "USR1", "4");
        assertThat(done.code()).isEqualTo(1);
        assertThat(done.err()).isEmpty();
        Result verbose = scancel("-v", "-s", "USR1", "--full", "4");
        assertThat(verbose.err())
                .isEqualTo(lines(
                        "scancel: Signal 10 to full job 4",
                        "scancel: error: Kill job error on job id 4: Job/step already completing or completed"));
    }

    @Test
    void aSignalByFilterChoosesRunningJobsOnly() throws Exception {
        scancel("-s", "HUP", "-u", "ann");
        assertThat(cluster.last(Ops.SIGNAL).str("ids")).isEqualTo("1");
    }

    @Test
    void aSignalToOneStepIsRefusedAndNotTurnedIntoACancel() throws Exception {
        Result r = scancel("-s", "USR1", "1.2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("scancel: error: Kill job error on job step id 1.2: ");
        assertThat(cluster.last(io.motley.protocol.StepMessages.CANCEL)).isNull();
    }

    @Test
    void usageIsSlurmsAndHelpAddsMotleysNotes() throws Exception {
        Result usage = scancel("--usage");
        assertThat(usage.code()).isZero();
        assertThat(usage.out())
                .isEqualTo(lines(
                        "Usage: scancel [-A account] [--batch] [--full] [--interactive] [-n job_name]",
                        "               [-p partition] [-Q] [-q qos] [-R reservation] [-s signal | integer]",
                        "               [-t PENDING | RUNNING | SUSPENDED] [--usage] [-u user_name]",
                        "               [--hurry] [-V] [-v] [-w hosts...] [--wckey=wckey]",
                        "               [job_id[_array_id][.step_id]]"));
        assertThat(scancel("--help").out()).startsWith(usage.out()).contains("--signal");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
