package io.motley.controller.cluster;

import io.motley.core.job.Job;
import io.motley.core.job.KillReason;

/**
 * The controller's side of one agent's long-lived link: where its orders go. Every method
 * queues the order and returns at once; none blocks the caller, who holds the tables' lock.
 */
public interface AgentChannel {
    String node();

    /** Start the job's current run. */
    void launch(Job job);

    /** Kill one run of a job; the agent ignores the order for any other run. */
    void kill(long jobId, int run, KillReason why);

    /** Send a signal to one run's processes that {@code scope} names (scancel -s); the agent ignores other runs. */
    default void signal(long jobId, int run, int signal, io.motley.protocol.Message.SignalScope scope) {}

    /** Stop one run's processes (scontrol suspend), or with {@code resume} continue them; the agent ignores other runs. */
    default void suspend(long jobId, int run, boolean resume) {}

    /** One run's time limit changed (scontrol update TimeLimit=); the agent ignores other runs. */
    default void timeLimit(long jobId, int run, io.motley.core.job.TimeLimit limit) {}

    /** The end of this run is recorded: the agent may forget it. */
    void acknowledge(long jobId, int run);

    /** An order about a step's tasks on this node (run them, end them). */
    default void steps(io.motley.protocol.Message.StepOrder order) {}

    /** The registration is accepted; heartbeats are wanted every so many seconds. */
    void registered(long heartbeatSeconds);

    void close();
}
