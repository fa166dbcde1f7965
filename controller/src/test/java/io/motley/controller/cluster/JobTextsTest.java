package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sacct -B and --env-vars: what AccountingStoreFlags keeps, for whom, and of which jobs. */
class JobTextsTest {
    @TempDir
    Path dir;

    static final Caller ROOT = Caller.uid(0);
    static final Caller ANN = as(1000, 1000, "ann");
    static final Caller BOB = as(1001, 1001, "bob");

    static JobRequest req(Map<String, String> env, Map<String, String> options) {
        return JobRequest.builder("#!/bin/sh\necho hi\n", "/tmp")
                .name("j")
                .cpusPerTask(1)
                .submitHost("h")
                .environment(env)
                .options(options)
                .build();
    }

    static List<Cluster.JobText> texts(Cluster c, long id, boolean env, Caller who) {
        return c.jobTexts(
                AccountingQuery.builder().job(new AccountingQuery.JobId(id, -1)).build(), env, who);
    }

    @Test
    void scriptsAndEnvironmentsAreShownToTheirOwnersAndOperatorsOnlyWhenTheFlagsKeepThem() {
        String conf = "NodeTimeout=1000\nPartitionName=p Nodes=n1 Default=YES State=DOWN\n";
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = new Cluster(
                    ClusterConfig.parse(conf + "AccountingStoreFlags=job_script,job_env\n"), store, () -> 1000);
            long id = id(c.submit(req(Map.of("A", "1"), Map.of()), ANN));
            assertThat(texts(c, id, false, ANN)).containsExactly(new Cluster.JobText(id + "", "#!/bin/sh\necho hi\n"));
            assertThat(texts(c, id, true, ROOT)).containsExactly(new Cluster.JobText(id + "", "A=1\n"));
            // another user's job: listed, its text not given
            assertThat(texts(c, id, false, BOB)).containsExactly(new Cluster.JobText(id + "", null));
            // a job that only holds an allocation (salloc, srun) has no batch script, as in Slurm
            long held = id(c.submit(req(Map.of(), Map.of(JobRequest.ALLOCATION, "salloc")), ANN));
            assertThat(texts(c, held, false, ANN)).containsExactly(new Cluster.JobText(held + "", null));
        }
        try (Store store = Store.sqlite(dir.resolve("db2"))) {
            // without the flags, Slurm's default, accounting keeps neither
            Cluster c = new Cluster(ClusterConfig.parse(conf + "AccountingStoreFlags=job_script\n"), store, () -> 1000);
            long id = id(c.submit(req(Map.of("A", "1"), Map.of()), ANN));
            assertThat(texts(c, id, false, ANN).get(0).text()).isNotNull();
            assertThat(texts(c, id, true, ANN)).containsExactly(new Cluster.JobText(id + "", null));
        }
    }
}
