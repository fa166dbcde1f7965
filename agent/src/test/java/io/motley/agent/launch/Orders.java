package io.motley.agent.launch;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message.Held;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Messages;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Launch orders as the controller sends them, for the launcher's tests. */
final class Orders {
    private Orders() {}

    /** A job of {@code user} (uid, gid) on node n1 with {@code cpus} CPUs and {@code memMiB} of memory. */
    static Launch order(
            Path workDir,
            String node,
            long id,
            String body,
            long limit,
            long memMiB,
            int cpus,
            String user,
            int uid,
            int gid,
            Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"));
        env.putAll(extraEnv);
        JobRequest r = JobRequest.builder("#!/bin/sh\n" + body + "\n", workDir.toString())
                .name("t")
                .cpusPerTask(cpus, false)
                .timeLimit(TimeLimit.of(limit))
                .environment(env)
                .submitHost("h")
                .build();
        Job j = Job.builder(id, r)
                .owner(user, uid, gid)
                .priority(1)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", TimeLimit.of(limit)))
                .build()
                .started("main", node, cpus, memMiB, TimeLimit.of(limit), 2);
        return new Launch("c", 1, j);
    }

    static Launch order(Path workDir, String node, long id, String body, long memMiB, int cpus) {
        return order(workDir, node, id, body, -1, memMiB, cpus, "root", 0, 0, Map.of());
    }

    /** What a held run is, in the words the wire uses for it: job_ended or running. */
    static String op(Held h) {
        return h instanceof JobEnded ? "job_ended" : "running";
    }

    /** An ended run's description; null for a running one. */
    static String desc(Held h) {
        return h instanceof JobEnded e ? e.desc() : null;
    }

    /** A job end as it goes on the wire, field by field (the tests read the fields the controller gets). */
    static Map<String, String> fields(JobEnded e) {
        return Messages.encode(e).fields();
    }
}
