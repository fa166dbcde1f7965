package io.motley.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The agent's flags. */
class AgentMainTest {
    @Test
    void rootJobsRunUnlessTheAgentIsToldToRefuseThem() {
        assertThat(AgentMain.parse(new String[] {"--name", "n1"}).disableRootJobs()).isFalse();
        AgentMain.Settings s = AgentMain.parse(new String[] {"--disable-root-jobs", "--name", "n1"});
        assertThat(s.disableRootJobs()).isTrue();
        assertThat(s.name()).isEqualTo("n1");
    }
}
