package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GroupNameTest {
    @Test
    void groupsOfTwoClustersWithTheSameNodeNameDifferAndStayTheSameAcrossRestarts() {
        String a = JobLauncher.groupName("n1", Path.of("/home/a/.motley/spool/n1"));
        String b = JobLauncher.groupName("n1", Path.of("/home/b/.motley/spool/n1"));
        assertThat(a).startsWith("n1-").hasSize("n1-".length() + 8).isNotEqualTo(b);
        assertThat(JobLauncher.groupName("n1", Path.of("/home/a/.motley/spool/../spool/n1")))
                .isEqualTo(a);
    }
}
