package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.controller.store.MemoryStore;
import io.motley.controller.store.Store;
import io.motley.core.accounts.Sacctmgr;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** MaxSubmitJobs counts the submissions still waiting in a group commit, as well as the jobs in the tables. */
class SubmitLimitTest {
    /** Grouped submissions the store has been handed and not yet committed: each commits when run. */
    final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();

    /** A memory store whose group commits wait for the test, as a slow database's would. */
    Store heldCommits(MemoryStore memory) {
        return (Store) Proxy.newProxyInstance(
                Store.class.getClassLoader(), new Class<?>[] {Store.class}, (p, m, args) -> {
                    if (m.getName().equals("insertGrouped")) {
                        @SuppressWarnings("unchecked")
                        LongFunction<Job> make = (LongFunction<Job>) args[0];
                        CompletableFuture<Job> done = new CompletableFuture<>();
                        held.add(() -> done.complete(memory.insertNew(make)));
                        return done;
                    }
                    try {
                        return m.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static JobRequest physics() {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .account("physics")
                .submitHost("h")
                .build();
    }

    @Test
    void clientsTogetherCannotPassMaxSubmitJobsWhileTheirJobsWaitForACommit() throws Exception {
        Cluster c = new Cluster(
                ClusterConfig.parse("NodeTimeout=1000\nAccountName=physics Users=alice\n"),
                heldCommits(new MemoryStore()),
                () -> 1_000_000);
        assertThat(c.changeAccounts(
                                Sacctmgr.parse(List.of("modify", "user", "alice", "set", "maxsubmitjobs=2")),
                                Caller.uid(0),
                                true)
                        .changed())
                .isTrue();
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<Submission>> submissions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            submissions.add(CompletableFuture.supplyAsync(() -> {
                Submission s = c.submit(physics(), as(1000, 1000, "alice"));
                answered.incrementAndGet();
                return s;
            }));
        }
        // every submission is either waiting for its commit or answered; then the commits go through
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() + answered.get() == 3);
        for (Runnable commit; (commit = held.poll()) != null; ) commit.run();
        List<Submission> all = new ArrayList<>();
        for (CompletableFuture<Submission> s : submissions) all.add(s.get());
        assertThat(all).filteredOn(Calls::accepted).hasSize(2);
        assertThat(all)
                .filteredOn(s -> !Calls.accepted(s))
                .singleElement()
                .satisfies(s -> assertThat(Calls.failure(s)).contains("job submit limit"));
        // the limit frees as the jobs leave: a cancelled job makes room for one more
        long first = Calls.id(all.stream().filter(Calls::accepted).findFirst().orElseThrow());
        c.cancel(List.of(first), java.util.Map.of(), Caller.uid(0));
        CompletableFuture<Submission> again =
                CompletableFuture.supplyAsync(() -> c.submit(physics(), as(1000, 1000, "alice")));
        await().atMost(Duration.ofSeconds(20)).until(() -> !held.isEmpty());
        held.poll().run();
        assertThat(Calls.accepted(again.get())).isTrue();
    }
}
