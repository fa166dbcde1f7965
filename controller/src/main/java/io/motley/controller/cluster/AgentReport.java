package io.motley.controller.cluster;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.Reconciliation;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import java.util.List;

/** What an agent tells the controller: its registration, a job's end, its periodic load and health. */
public sealed interface AgentReport {
    /**
     * An agent (re)connected. {@code node} is what it detected (CPUs and memory jobs may use once
     * the host's reserved share is set aside); {@code totalCpus}/{@code totalMemMiB} the whole
     * machine's, which a configured size is checked against; {@code runs} the runs it holds, with
     * the ends it has not had acknowledged in {@code ends}.
     */
    record Registration(
            Node node, int totalCpus, long totalMemMiB, List<Reconciliation.ReportedRun> runs, List<RunEnded> ends)
            implements AgentReport {
        public Registration {
            runs = List.copyOf(runs);
            ends = List.copyOf(ends);
        }
    }

    /**
     * A job's run ended on the node: its final state, exit code and signal, when ({@code end}
     * epoch seconds, 0 when the agent did not say), its usage and the agent's sentence on why
     * (a launch that failed), or null.
     */
    record RunEnded(long jobId, int run, JobState state, int code, int signal, long end, Usage usage, String desc)
            implements AgentReport {}

    /**
     * A heartbeat: load, free memory, GPU use, the last health check's result (null when none runs)
     * and the agent's wall clock when it sent it (epoch ms; 0 when it did not say), and the agent's
     * findings about its own host ({@code motley health}; empty from an agent that sends none).
     */
    record Load(
            double cpuLoad,
            long freeMemMiB,
            String gpuUsage,
            String health,
            long agentClockMs,
            List<io.motley.protocol.HostCheck> checks)
            implements AgentReport {
        public Load {
            checks = checks == null ? List.of() : List.copyOf(checks);
        }

        public Load(double cpuLoad, long freeMemMiB, String gpuUsage, String health, long agentClockMs) {
            this(cpuLoad, freeMemMiB, gpuUsage, health, agentClockMs, List.of());
        }

        public Load(double cpuLoad, long freeMemMiB, String gpuUsage, String health) {
            this(cpuLoad, freeMemMiB, gpuUsage, health, 0);
        }
    }
}
