package io.motley.controller.store;

import io.motley.core.job.Job;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * Commits new jobs in groups: submissions that arrive while a commit is under way wait, and the
 * next commit takes all of them in one transaction (one sync for the group, where each alone
 * would cost one). Its one thread commits a group at a time, in the order they arrived, so ids
 * are issued in that order; each submission's future completes only once the transaction
 * holding its job has committed, or fails, with every other member of its group, with the
 * store's error. Nothing waits on a timer: a lone submission is committed at once.
 */
final class GroupCommit implements AutoCloseable {
    /** The most new jobs one transaction takes: bounds its size, and how long its members wait. */
    static final int MAX_GROUP = 1000;

    /** Writes a group in one transaction: the id for each job, in order, and the jobs built for them. */
    @FunctionalInterface
    interface Writer {
        List<Job> commit(List<LongFunction<Job>> makes);
    }

    private record Member(LongFunction<Job> make, CompletableFuture<Job> done) {}

    private final Writer writer;
    private final ArrayDeque<Member> waiting = new ArrayDeque<>();
    private final Thread committer;
    private boolean closed;

    GroupCommit(String name, Writer writer) {
        this.writer = writer;
        committer = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Queues a new job for the next group; the future completes once it is committed. */
    CompletableFuture<Job> add(LongFunction<Job> make) {
        CompletableFuture<Job> done = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                done.completeExceptionally(
                        new StoreException("the job was not accepted: the job database is closing", null));
                return done;
            }
            waiting.add(new Member(make, done));
            notifyAll();
        }
        return done;
    }

    private void run() {
        while (true) {
            List<Member> group = new ArrayList<>();
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // only close() stops the committer, once what is queued is written
                    }
                }
                if (waiting.isEmpty()) return;
                while (!waiting.isEmpty() && group.size() < MAX_GROUP) group.add(waiting.poll());
            }
            commit(group);
        }
    }

    private void commit(List<Member> group) {
        List<Job> jobs;
        try {
            jobs = writer.commit(group.stream().map(Member::make).toList());
        } catch (RuntimeException | Error e) {
            // the transaction rolled back whole: no member's job was saved, and each is told why
            for (Member m : group) m.done.completeExceptionally(e);
            if (e instanceof Error err) throw err;
            return;
        }
        for (int i = 0; i < group.size(); i++) group.get(i).done.complete(jobs.get(i));
    }

    /** Commits what is queued, then stops; later submissions are refused. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            committer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
