package io.motley.protocol.dataparser;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** data_parser v0.0.40's names and shapes for slurmctld's objects. */
class SlurmctldJsonTest {
    @Test
    void aPendingJobHasV0040sStateArrayAndNoValNumbers() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/home/a")
                .name("j")
                .timeLimit(new TimeLimit.Seconds(600))
                .build();
        Job j = Job.builder(7, r).build();
        Map<String, Object> o = SlurmctldJson.job(j, new Message.ExpectedStart(123, "n1"), "lab");
        assertThat(o.get("job_id")).isEqualTo(7L);
        assertThat(o.get("job_state")).isEqualTo(List.of("PENDING"));
        assertThat(o.get("time_limit")).isEqualTo(Map.of("set", true, "infinite", false, "number", 10L));
        assertThat(o.get("start_time")).isEqualTo(Map.of("set", true, "infinite", false, "number", 123L));
        assertThat(o.get("scheduled_nodes")).isEqualTo("n1");
        assertThat(o.get("exit_code")).isEqualTo(SacctJson.exitCode(null));
        assertThat(o.get("current_working_directory")).isEqualTo("/home/a");
        assertThat(o.get("cluster")).isEqualTo("lab");
        // v0.0.38's bare integers became {set, infinite, number} by v0.0.40
        assertThat(o.get("array_job_id")).isEqualTo(SlurmctldJson.number(0));
    }

    @Test
    void anUnlimitedJobLimitIsInfinite() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/")
                .timeLimit(TimeLimit.UNLIMITED)
                .build();
        Map<String, Object> o = SlurmctldJson.job(Job.builder(1, r).build(), null, "c");
        assertThat(o.get("time_limit")).isEqualTo(SlurmctldJson.infinite());
    }

    @Test
    void aDrainingNodeSaysItsBaseStateAndTheDrainFlag() {
        Node n = Node.of("n1", 4, 8000).withState(NodeState.DRAIN, "disk", 5);
        Map<String, Object> o = SlurmctldJson.node(n, List.of("main"), "lab");
        assertThat(o.get("state")).isEqualTo(List.of("IDLE", "DRAIN"));
        assertThat(o.get("reason")).isEqualTo("disk");
        assertThat(o.get("partitions")).isEqualTo(List.of("main"));
        assertThat(o.get("tres")).isEqualTo("cpu=4,mem=8000M,billing=4");
    }

    @Test
    void aPartitionNestsItsFieldsAsV0040Does() {
        Partition p = new Partition("main", true, List.of("n1"), 3600, 0, PartitionState.UP);
        Map<String, Object> o = SlurmctldJson.partition(p, List.of(Node.of("n1", 4, 8000)), "lab");
        assertThat(((Map<?, ?>) o.get("nodes")).get("configured")).isEqualTo("n1");
        assertThat(((Map<?, ?>) o.get("cpus")).get("total")).isEqualTo(4);
        assertThat(((Map<?, ?>) o.get("maximums")).get("time")).isEqualTo(SlurmctldJson.number(60));
        assertThat(((Map<?, ?>) o.get("partition")).get("state")).isEqualTo(List.of("UP"));
    }

    @Test
    void anErrorIsOpenapiErrorsLayout() {
        assertThat(SlurmctldJson.error("Unable to find JobId=9", 2017, "Invalid job id specified", "slurm_load_job"))
                .containsExactly(
                        Map.entry("description", "Unable to find JobId=9"),
                        Map.entry("error_number", 2017),
                        Map.entry("error", "Invalid job id specified"),
                        Map.entry("source", "slurm_load_job"));
    }
}
