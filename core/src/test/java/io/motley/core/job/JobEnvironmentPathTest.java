package io.motley.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobEnvironmentPathTest {
    @Test
    void motleysCommandsComeFirstOnAJobsPathAheadOfAnotherSlurms() {
        Map<String, String> env = Map.of("PATH", "/usr/bin:/opt/motley/bin:/bin", "HOME", "/home/ann");
        Map<String, String> out = JobEnvironment.withCommandsOnPath(env, "/opt/motley/bin");
        assertEquals("/opt/motley/bin:/usr/bin:/bin", out.get("PATH"));
        assertEquals("/home/ann", out.get("HOME"));
        assertEquals(
                "/opt/motley/bin:/usr/local/bin:/usr/bin:/bin",
                JobEnvironment.withCommandsOnPath(Map.of(), "/opt/motley/bin").get("PATH"));
        assertSame(env, JobEnvironment.withCommandsOnPath(env, null));
    }
}
