package io.motley.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.options.UsageException;
import org.junit.jupiter.api.Test;

/** The agent's flags. */
class AgentMainTest {
    @Test
    void rootJobsRunUnlessTheAgentIsToldToRefuseThem() {
        assertThat(AgentMain.parse(new String[] {"--name", "n1"}).disableRootJobs())
                .isFalse();
        AgentMain.Settings s = AgentMain.parse(new String[] {"--disable-root-jobs", "--name", "n1"});
        assertThat(s.disableRootJobs()).isTrue();
        assertThat(s.name()).isEqualTo("n1");
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheOption() {
        AgentMain.Settings s =
                AgentMain.parse(new String[] {"--cpus=2", "--mem", "1G", "-C", "--health-interval", "30"});
        assertThat(s.cpus()).isEqualTo(2);
        assertThat(s.mem()).isEqualTo(1024);
        assertThat(s.printConfig()).isTrue();
        assertThat(s.healthInterval()).isEqualTo(30);
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--cpus", "x"}))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid value for --cpus: 'x'");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--mem", "lots"}))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid value for --mem: 'lots'");
        // a flag was once taken for an option wanting a value: "--bogus needs a value"
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--bogus"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("unrecognized option '--bogus'");
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--containment", "docker"}))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--containment must be one of");
    }

    @Test
    void maxOutputComesFromTheFlagElseFromMotleyConf() {
        io.motley.core.config.ClusterConfig conf = io.motley.core.config.ClusterConfig.parse("MaxOutputSize=64M\n");
        assertThat(AgentMain.outputCapMiB(AgentMain.parse(new String[] {}), conf))
                .isEqualTo(64L);
        assertThat(AgentMain.outputCapMiB(AgentMain.parse(new String[] {"--max-output", "2G"}), conf))
                .isEqualTo(2048L);
        assertThat(AgentMain.outputCapMiB(
                        AgentMain.parse(new String[] {}), io.motley.core.config.ClusterConfig.defaults()))
                .isNull();
    }

    @Test
    void maxOutputIsASize() {
        assertThat(AgentMain.parse(new String[] {"--max-output", "2G"}).maxOutputMiB())
                .isEqualTo(2048L);
        assertThat(AgentMain.parse(new String[] {}).maxOutputMiB()).isNull();
        assertThatThrownBy(() -> AgentMain.parse(new String[] {"--max-output", "lots"}))
                .hasMessageContaining("--max-output");
    }
}
