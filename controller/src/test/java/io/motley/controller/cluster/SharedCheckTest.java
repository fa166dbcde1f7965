package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.ClusterTest.FakeLink;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submission and every change to a job pass one check: what sbatch refuses, scontrol update
 * refuses too; the store's failures come back as sentences; an agent's account of a failed launch
 * stays with the job.
 */
class SharedCheckTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);
    Store store;

    static final String CONF = """
            PartitionName=main Default=YES
            PartitionName=secret AllowGroups=wheel
            """;

    Cluster cluster(String conf) {
        store = Store.sqlite(dir.resolve("state/motley.db"));
        Cluster c = new Cluster(ClusterConfig.parse(conf), store, now::get);
        c.register(new FakeLink("n1"), ClusterTest.registration("n1", 4));
        return c;
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    static JobRequest held() {
        return ClusterTest.req(1).withHold(true);
    }

    @Test
    void updateCannotMoveAJobIntoAPartitionItsOwnerCouldNotSubmitTo() {
        Cluster c = cluster(CONF);
        Submission refused = c.submit(
                held().updated("j", List.of("secret"), 1, 1, TimeLimit.UNSET, null),
                as(1000, 1000, "bob", List.of("users")));
        assertThat(failure(refused)).isEqualTo("Invalid partition name specified");
        long id = id(c.submit(held(), as(1000, 1000, "bob", List.of("users"))));

        assertThat(c.updateJob(id, Map.of("Partition", "secret"), as(1000, 1000, "u", List.of("users"))))
                .contains("Invalid partition name specified");
        // an agent that sent no groups gets no partition that names groups
        assertThat(c.updateJob(id, Map.of("Partition", "secret"), as(1000, 1000, "u", null)))
                .contains("Invalid partition name specified");
        assertThat(c.updateJob(id, Map.of("Partition", "secret"), Caller.uid(1000)))
                .contains("Invalid partition name specified");
        assertThat(c.job(id).orElseThrow().partition()).isEqualTo("main");

        assertThat(c.updateJob(id, Map.of("Partition", "secret"), as(1000, 1000, "u", List.of("users", "wheel"))))
                .isEmpty();
        assertThat(c.job(id).orElseThrow().partition()).isEqualTo("secret");
        // root passes AllowGroups, as in Slurm
        long other = id(c.submit(held(), as(1000, 1000, "bob", List.of("users"))));
        assertThat(c.updateJob(other, Map.of("Partition", "secret"), as(0, 0, "u", null)))
                .isEmpty();
    }

    @Test
    void updateRefusesWhatSubmissionRefuses() {
        Cluster c = cluster(CONF);
        long id = id(c.submit(held(), as(1000, 1000, "bob", List.of("users"))));
        assertThat(c.updateJob(id, Map.of("Name", "evil\nname"), as(1000, 1000, "u", List.of("users"))))
                .contains("Invalid job name: control characters are not allowed");
        assertThat(c.updateJob(id, Map.of("Comment", "x\u001b[2J"), as(1000, 1000, "u", List.of("users"))))
                .contains("Invalid comment: control characters are not allowed");
        assertThat(c.updateJob(id, Map.of("Name", "n".repeat(1025)), as(1000, 1000, "u", List.of("users"))))
                .contains("Pathname of a file, directory or other parameter too long");
        assertThat(c.updateJob(id, Map.of("Dependency", "afterok:4242"), as(1000, 1000, "u", List.of("users"))))
                .contains("Job dependency problem");
        assertThat(c.job(id).orElseThrow().request().name()).isEqualTo("j");
        assertThat(c.updateJob(id, Map.of("Name", "fine name"), as(1000, 1000, "u", List.of("users"))))
                .isEmpty();
    }

    @Test
    void submissionRefusesControlCharactersAndOversizedRequestsWithoutSpendingAnId() {
        Cluster c = cluster(CONF + "SchedulerParameters=max_script_size=64\nMaxArraySize=11\n");
        JobRequest r = ClusterTest.req(1);
        Submission name = c.submit(
                r.updated("evil\nname", List.of(), 1, 1, TimeLimit.UNSET, null),
                as(1000, 1000, "bob", List.of("users")));
        assertThat(failure(name)).isEqualTo("Invalid job name: control characters are not allowed");

        JobRequest bigScript = JobRequest.builder("#!/bin/sh\n" + "#".repeat(100) + "\n", "/tmp")
                .name("j")
                .submitHost("h")
                .build();
        Submission script = c.submit(bigScript, as(1000, 1000, "bob", List.of("users")));
        assertThat(failure(script)).isEqualTo("Pathname of a file, directory or other parameter too long");
        assertThat(detail(script)).isEqualTo("batch script of 111 bytes is over max_script_size (64)");

        JobRequest array = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .submitHost("h")
                .array("0-11")
                .build();
        assertThat(failure(c.submit(array, as(1000, 1000, "bob", List.of("users")))))
                .isEqualTo("Invalid job array specification");

        // none of them took an id or a row: the first job accepted is 1
        assertThat(c.accounting(0, Long.MAX_VALUE, -1, List.of())).isEmpty();
        assertThat(id(c.submit(r, as(1000, 1000, "bob", List.of("users"))))).isEqualTo(1);
    }

    @Test
    void disableRootJobsRefusesRootsSubmissions() {
        Cluster c = cluster(CONF + "DisableRootJobs=YES\n");
        Submission no = c.submit(ClusterTest.req(1), as(0, 0, "root", null));
        assertThat(failure(no)).isEqualTo("Invalid user id");
        assertThat(accepted(c.submit(ClusterTest.req(1), as(1000, 1000, "bob", List.of("users")))))
                .isTrue();
    }

    @Test
    void aSubmissionToALostDatabaseIsRefusedWithTheStoresSentence() throws Exception {
        Cluster c = cluster(CONF);
        long id = id(c.submit(ClusterTest.req(1), as(1000, 1000, "bob", List.of("users"))));
        assertThat(c.storeProblem()).isEmpty();
        Path db = dir.resolve("state/motley.db");
        for (String f : List.of("motley.db", "motley.db-wal", "motley.db-shm"))
            Files.deleteIfExists(db.resolveSibling(f));
        Submission no = c.submit(ClusterTest.req(1), as(1000, 1000, "bob", List.of("users")));
        assertThat(accepted(no)).isFalse();
        assertThat(failure(no))
                .isEqualTo("the job database " + db + " was deleted or replaced while the controller ran;"
                        + " restart the controller to start a new one (job ids continue from " + (id + 1) + ")");
        assertThat(c.storeProblem()).get().asString().contains("was deleted or replaced");
        assertThat(c.jobs()).extracting(Job::id).containsExactly(id);
    }

    @Test
    void aLaunchFailureSaysWhyAndTheJobKeepsItsReason() {
        Cluster c = cluster(CONF);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 4));
        long id = id(c.submit(ClusterTest.req(1), as(1000, 1000, "bob", List.of("users"))));
        c.schedulePass();
        c.jobEnded(
                "n1",
                ended(
                        id,
                        0,
                        JobState.valueOf("FAILED"),
                        1,
                        0,
                        now.get(),
                        "Launch failed on n1: No space left on device\n(writing the job's script)"));
        Job j = c.job(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.stateDesc()).isEqualTo("Launch failed on n1: No space left on device (writing the job's script)");
        // it is stored with the job, for sacct after the job leaves memory
        store.close();
        store = Store.sqlite(dir.resolve("state/motley.db"));
        assertThat(store.accounting(0, Long.MAX_VALUE, -1, List.of(id)))
                .singleElement()
                .extracting(Job::stateDesc)
                .isEqualTo("Launch failed on n1: No space left on device (writing the job's script)");
    }

    @Test
    void aRequeuedJobForgetsTheDescriptionOfItsLastRun() {
        Cluster c = cluster(CONF);
        FakeLink n1 = new FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 4));
        long id = id(c.submit(ClusterTest.req(1), as(1000, 1000, "bob", List.of("users"))));
        c.schedulePass();
        c.jobEnded(
                "n1",
                ended(
                        id,
                        0,
                        JobState.valueOf("FAILED"),
                        1,
                        0,
                        now.get(),
                        "Launch failed on n1: No space left on device"));
        assertThat(c.requeue(List.of(id), Caller.uid(1000), false))
                .extracting(Outcome::error)
                .containsOnlyNulls();
        assertThat(c.job(id).orElseThrow().stateDesc()).isNull();
    }
}
