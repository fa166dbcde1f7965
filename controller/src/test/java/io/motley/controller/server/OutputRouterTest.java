package io.motley.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.Order;
import io.motley.protocol.Message.OutputChunk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Output routing: from the node a run is on, to the agent of the node it was submitted from, and the answer back. */
class OutputRouterTest {
    final Map<Long, Job> jobs = new HashMap<>();
    final Map<Long, String> troubles = new HashMap<>();
    final List<Order> toLaptop = new ArrayList<>();
    final List<Order> toNas = new ArrayList<>();
    final List<Order> toOther = new ArrayList<>();
    final OutputRouter router = new OutputRouter(id -> Optional.ofNullable(jobs.get(id)), troubles::put);

    static Job running(long id, String stdout, String stderr, String submitNode) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/home/ann/project")
                .output(stdout, stderr)
                .build()
                .withSubmitNode(submitNode);
        return Job.builder(id, r)
                .owner("ann", 1000, 100)
                .build()
                .started("main", "nas", 1, 100, TimeLimit.UNLIMITED, 5);
    }

    static OutputChunk chunk(long id, String stream) {
        return new OutputChunk(id, 0, stream, 0, "hi\n".getBytes(), false);
    }

    void connectAll() {
        router.connected("laptop", toLaptop::add);
        router.connected("nas", toNas::add);
        router.connected("other", toOther::add);
    }

    @Test
    void aChunkGoesToTheSubmitNodeWithThePathAndUserOfTheJobRecord() {
        connectAll();
        jobs.put(12L, running(12, null, "err-%j-%N.txt", "laptop"));
        router.chunk("nas", chunk(12, "out"));
        router.chunk("nas", chunk(12, "err"));
        assertThat(toLaptop)
                .containsExactly(
                        new Deliver(chunk(12, "out"), "/home/ann/project/slurm-12.out", 1000, 100, "ann"),
                        new Deliver(chunk(12, "err"), "/home/ann/project/err-12-nas.txt", 1000, 100, "ann"));
        assertThat(toNas).isEmpty();
        assertThat(toOther).isEmpty();
    }

    /** --stage-out: the archive goes to a hidden file in the job's working directory, which the submit side unpacks. */
    @Test
    void aStageOutArchiveGoesIntoTheJobsWorkingDirectoryOnTheSubmitHost() {
        connectAll();
        jobs.put(12L, running(12, "/elsewhere/o.txt", null, "laptop"));
        router.chunk("nas", chunk(12, "stage"));
        assertThat(toLaptop)
                .containsExactly(new Deliver(
                        chunk(12, "stage"), "/home/ann/project/.motley-stage-out.12.0.tar", 1000, 100, "ann"));
    }

    @Test
    void theAnswerGoesBackToTheRunningNodeAndAnErrorIsRecordedOnTheJob() {
        connectAll();
        jobs.put(12L, running(12, "/data/%j.log", null, "laptop"));
        Delivered ok = new Delivered(12, 0, "out", 3, null);
        router.delivered("laptop", ok);
        assertThat(toNas).containsExactly(ok);
        assertThat(troubles).containsEntry(12L, null);
        Delivered full = new Delivered(12, 0, "out", 3, "No space left on device");
        router.delivered("laptop", full);
        assertThat(toNas).containsExactly(ok, full);
        assertThat(troubles).containsEntry(12L, "No space left on device");
    }

    /** Only the node the run is on may send its output, and only the submit node may answer for it. */
    @Test
    void otherNodesCannotSpeakForTheRun() {
        connectAll();
        jobs.put(12L, running(12, null, null, "laptop"));
        router.chunk("other", chunk(12, "out"));
        router.delivered("other", new Delivered(12, 0, "out", 99, null));
        assertThat(toLaptop).isEmpty();
        assertThat(toNas).isEmpty();
        assertThat(troubles).isEmpty();
    }

    /** The running node keeps its output until answered: a chunk for a submit node that is away is simply not answered. */
    @Test
    void aSubmitNodeThatIsAwayGetsNothingAndTheSenderIsNotAnswered() {
        router.connected("nas", toNas::add);
        jobs.put(12L, running(12, null, null, "laptop"));
        router.chunk("nas", chunk(12, "out"));
        assertThat(toNas).isEmpty();
        router.connected("laptop", toLaptop::add);
        router.chunk("nas", chunk(12, "out"));
        assertThat(toLaptop).hasSize(1);
        router.disconnected("laptop", toOther::add);
        router.chunk("nas", chunk(12, "out"));
        assertThat(toLaptop).as("another link's going does not remove this one").hasSize(2);
    }

    @Test
    void aJobWithoutASubmitNodeOrUnknownIsAnsweredWithAnError() {
        connectAll();
        jobs.put(13L, running(13, null, null, null));
        router.chunk("nas", chunk(13, "out"));
        router.chunk("nas", chunk(14, "out"));
        assertThat(toNas)
                .extracting(o -> ((Delivered) o).error())
                .containsExactly("the job names no submit node", "the controller knows no job 14");
    }

    /** motley logs: the node holding a run's outbox is asked, and its answer (paired by tag) returned. */
    @Test
    void aReadGoesToTheRunningNodeAndItsAnswerComesBack() throws Exception {
        Job job = running(12, null, null, "laptop");
        assertThat(router.read(job, "out", 0, 100)).as("node not connected").isEmpty();
        List<io.motley.protocol.Message.ReadOutput> asked = new ArrayList<>();
        router.connected("nas", o -> {
            io.motley.protocol.Message.ReadOutput r = (io.motley.protocol.Message.ReadOutput) o;
            asked.add(r);
            router.outputRead(
                    "nas", new io.motley.protocol.Message.OutputRead(r.tag(), true, r.offset(), "x".getBytes(), false));
        });
        assertThat(router.read(job, "err", 5, 100))
                .hasValue(
                        new io.motley.protocol.Message.OutputRead(asked.get(0).tag(), true, 5, "x".getBytes(), false));
        assertThat(asked.get(0).id()).isEqualTo(12);
        assertThat(asked.get(0).stream()).isEqualTo("err");
        assertThat(asked.get(0).max()).isEqualTo(100);
    }
}
