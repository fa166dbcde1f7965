package io.motley.agent.launch;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.protocol.Message.Held;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Messages;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
        JobRequest r = new JobRequest(
                "t",
                List.of(),
                1,
                cpus,
                false,
                1,
                JobRequest.UNSET,
                JobRequest.UNSET,
                limit,
                null,
                null,
                workDir.toString(),
                null,
                env,
                "#!/bin/sh\n" + body + "\n",
                List.of(),
                false,
                null,
                null,
                "h");
        Job j = new Job(
                        id,
                        r,
                        user,
                        uid,
                        gid,
                        JobState.PENDING,
                        PendingReason.None,
                        1,
                        1,
                        0,
                        0,
                        "main",
                        null,
                        0,
                        0,
                        limit,
                        ExitStatus.NONE,
                        -1)
                .started("main", node, cpus, memMiB, limit, 2);
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
