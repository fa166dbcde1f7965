package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ArrayPart;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueRow;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What squeue's filters select on the controller, and what of a job its format codes carry. */
class QueueSelectionTest {
    /** MessagesTest's job: 42, task 2 of array 40, ann (1000), running on n1 in gpu, account physics. */
    private static final Job RUNNING = MessagesTest.job();

    private static final Job PENDING = RUNNING.withState(JobState.PENDING, PendingReason.Priority);

    private static Queue q(
            Set<Long> ids,
            Set<String> users,
            Set<JobState> states,
            Set<String> partitions,
            Set<String> names,
            Set<String> accounts,
            Set<String> nodes) {
        return new Queue(ids, users, states, partitions, names, accounts, nodes, "i");
    }

    private static boolean selects(Queue q) {
        return QueueSelection.selects(q, RUNNING);
    }

    @Test
    void noFilterSelectsEveryJob() {
        assertThat(selects(Queue.all("i"))).isTrue();
    }

    @Test
    void idsMatchTheJobOrItsArray() {
        assertThat(selects(q(Set.of(42L), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(40L), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(41L), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isFalse();
    }

    @Test
    void statesUsersPartitionsNamesAccountsAndNodes() {
        Set<JobState> pd = EnumSet.of(JobState.PENDING);
        assertThat(selects(q(Set.of(), Set.of(), pd, Set.of(), Set.of(), Set.of(), Set.of())))
                .isFalse();
        assertThat(selects(q(Set.of(), Set.of(), EnumSet.of(JobState.RUNNING), Set.of(), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of("ann"), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of("1000"), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of("bob", "1001"), null, Set.of(), Set.of(), Set.of(), Set.of())))
                .isFalse();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of("gpu"), Set.of(), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of("debug"), Set.of(), Set.of(), Set.of())))
                .isFalse();
        assertThat(QueueSelection.selects(
                        q(Set.of(), Set.of(), null, Set.of("debug"), Set.of(), Set.of(), Set.of()),
                        PENDING.withPartition("gpu,debug", new TimeLimit.Seconds(3600))))
                .isTrue();
        String name = RUNNING.request().name();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(name), Set.of(), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(name + "x"), Set.of(), Set.of())))
                .isFalse();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(), Set.of("physics"), Set.of())))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(), Set.of("chemistry"), Set.of())))
                .isFalse();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of("n1"))))
                .isTrue();
        assertThat(selects(q(Set.of(), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of("n2"))))
                .isFalse();
    }

    @Test
    void aRowCarriesOnlyWhatItsFormatPrints() {
        QueueRow r = QueueSelection.row(RUNNING, null, "iu");
        assertThat(r.display()).isEqualTo("40_2");
        assertThat(r.user()).isEqualTo("ann");
        assertThat(r.id()).isEqualTo(42);
        assertThat(r.state()).isEqualTo(JobState.RUNNING);
        assertThat(r.priority()).isEqualTo(77);
        assertThat(r.partition()).isNull();
        assertThat(r.name()).isNull();
        assertThat(r.start()).isZero();
        assertThat(r.workDir()).isNull();

        QueueRow all = QueueSelection.row(RUNNING, null, "APjMlRNrCmVaZkqyE");
        assertThat(all.arrayJobId()).isEqualTo(40);
        assertThat(QueueSelection.row(RUNNING.withArray(null), null, "i").display())
                .as("a plain id is not sent twice")
                .isNull();
        assertThat(all.partition()).isEqualTo("gpu");
        assertThat(all.start()).isEqualTo(RUNNING.startTime());
        assertThat(all.limit()).isEqualTo(3600);
        assertThat(all.nodesOrReason()).isEqualTo("n1");
        assertThat(all.reason()).isEqualTo("started late");
        assertThat(all.cpus()).isEqualTo(8);
        assertThat(all.memory()).isEqualTo("2G");
        assertThat(all.account()).isEqualTo("physics");
    }

    @Test
    void memoryIsANodesForMemAndACpusOtherwiseAsSlurmsMinMemory() {
        // the fixture asks --mem=2048 on 8 CPUs: a node's
        assertThat(QueueSelection.memory(RUNNING)).isEqualTo("2G");
        io.motley.core.job.JobRequest perCpu = io.motley.core.job.JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(2)
                .memory(new io.motley.core.job.MemoryRequest.PerCpu(300))
                .build();
        assertThat(QueueSelection.memory(Job.builder(7, perCpu).build())).isEqualTo("300M");
        // no memory asked: the per-CPU share of what the job got (DefMemPerCPU's), as scontrol's MinMemoryCPU
        io.motley.core.job.JobRequest unset = io.motley.core.job.JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(2)
                .build();
        Job got = Job.builder(8, unset)
                .state(JobState.RUNNING)
                .allocation(new Job.Allocation("main", "n1", 2, 2000, List.of(0, 1), TimeLimit.of(60)))
                .build();
        assertThat(QueueSelection.memory(got)).isEqualTo("1000M");
    }

    @Test
    void minCpusIsATasksCpusTimesTasksPerNodeOrMinCpusAsSlurmsPnMinCpus() {
        // the fixture: -n 4 -c 2
        assertThat(QueueSelection.row(RUNNING, null, "c").minCpus()).isEqualTo(2);
        assertThat(QueueSelection.row(RUNNING, null, "C").minCpus())
                .as("not asked, not sent")
                .isZero();
        io.motley.core.job.JobRequest perNode = io.motley.core.job.JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(4)
                .cpusPerTask(3)
                .ntasksPerNode(2)
                .build();
        assertThat(perNode.minCpusPerNode()).isEqualTo(6);
        io.motley.core.job.JobRequest min = io.motley.core.job.JobRequest.builder("#!/bin/sh\n", "/tmp")
                .options(java.util.Map.of("mincpus", "4"))
                .build();
        assertThat(min.minCpusPerNode()).isEqualTo(4);
    }

    @Test
    void aPendingJobsReasonAndReservationTravelWithIt() {
        Job pending = PENDING.withStateDesc(null);
        List<QueueRow> rows =
                QueueSelection.select(Queue.all("RS"), List.of(pending), id -> new ExpectedStart(1700000500, "n2"));
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.nodesOrReason()).isEqualTo("(Priority)");
            assertThat(r.expectedStart()).isEqualTo(1700000500);
            assertThat(r.schedNodes()).isEqualTo("n2");
        });
        // as Slurm's %R, a failed job shows why it failed, not where it ran
        Job failed = RUNNING.withStateDesc(null).ended(JobState.FAILED, new io.motley.core.job.ExitStatus(3, 0), 9);
        assertThat(QueueSelection.row(failed, null, "R").nodesOrReason()).isEqualTo("(NonZeroExitCode)");
        // a running job holds no reservation, whatever the plan says
        assertThat(QueueSelection.select(Queue.all("S"), List.of(RUNNING), id -> new ExpectedStart(5, "n2")))
                .singleElement()
                .satisfies(r -> assertThat(r.schedNodes()).isNull());
    }

    @Test
    void aHeldJobListsWithPriorityZero() {
        Job held = PENDING.withRequest(PENDING.request().withHold(true));
        assertThat(QueueSelection.row(held, null, "i").priority()).isZero();
        assertThat(QueueSelection.row(RUNNING.withArray(new ArrayPart(40, -1, "3-5")), null, "#")
                        .pending())
                .isEqualTo("3-5");
    }

    /** squeue's order as the command sorted the rows before the controller did. */
    private static final java.util.Comparator<QueueRow> SQUEUE_ORDER = java.util.Comparator.<QueueRow>comparingInt(
                    r -> r.state() == JobState.PENDING ? 0 : 1)
            .thenComparing((a, b) -> a.state() == JobState.PENDING ? Long.compare(b.priority(), a.priority()) : 0)
            .thenComparingLong(QueueRow::id);

    @Test
    void theAnswerHoldsTheRowsOfSelectInSqueuesOrder() throws Exception {
        java.util.Random rnd = new java.util.Random(11);
        JobState[] states = {JobState.PENDING, JobState.PENDING, JobState.RUNNING, JobState.COMPLETED, JobState.FAILED};
        for (int round = 0; round < 100; round++) {
            List<Job> jobs = new java.util.ArrayList<>();
            int n = rnd.nextInt(50);
            for (int i = 0; i < n; i++) {
                Job j = Job.builder(1 + rnd.nextInt(100_000), RUNNING.request())
                        .owner(rnd.nextBoolean() ? "ann" : "bob", 1000, 100)
                        .state(states[rnd.nextInt(states.length)])
                        .reason(rnd.nextBoolean() ? PendingReason.Priority : PendingReason.Resources)
                        .priority(rnd.nextInt(3) * 4_294_000_000L + rnd.nextInt(2))
                        .build();
                if (rnd.nextInt(4) == 0) j = j.withRequest(j.request().withHold(true));
                if (rnd.nextInt(5) == 0) j = j.withArray(new ArrayPart(j.id(), -1, "1-3"));
                jobs.add(j);
            }
            java.util.function.LongFunction<ExpectedStart> expected =
                    id -> id % 3 == 0 ? new ExpectedStart(1_700_000_000 + id, "n" + id % 2) : null;
            for (String fields : List.of("iPjutMDR", "iPjuTMlDR", "iPjutSDYR", "A#CcmUgGQyVZakqE", "")) {
                Queue q = Queue.all(fields);
                List<QueueRow> want = new java.util.ArrayList<>(QueueSelection.select(q, jobs, expected));
                want.sort(SQUEUE_ORDER);
                Frame answer = FrameIO.fromBytes(FrameIO.toBytes(QueueSelection.answer(q, jobs, expected)));
                List<QueueRow> got = ((Message.QueueList) Messages.answer(q, answer)).rows();
                assertThat(got).as("fields %s", fields).containsExactlyElementsOf(want);
                // jobs that come in squeue's order already are put in columns as they are read
                List<Job> inOrder = new java.util.ArrayList<>(jobs);
                inOrder.sort(QueueSelection.ORDER);
                List<QueueRow> again =
                        ((Message.QueueList) Messages.answer(q, QueueSelection.answer(q, inOrder, expected))).rows();
                assertThat(again).as("fields %s, in order", fields).containsExactlyElementsOf(want);
            }
        }
    }
}
