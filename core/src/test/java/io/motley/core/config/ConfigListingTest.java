package io.motley.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.config.ConfigListing.Setting;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigListingTest {
    private static Map<String, String> asMap(List<Setting> settings) {
        return settings.stream().collect(Collectors.toMap(Setting::key, Setting::value));
    }

    @Test
    void defaultsAreListedUnderSlurmsKeysInSlurmsFormats() {
        Map<String, String> s = asMap(ConfigListing.slurm(ClusterConfig.defaults()));
        assertThat(s)
                .containsEntry("ClusterName", "motley")
                .containsEntry("SchedulerTimeSlice", "30 sec")
                .containsEntry("AcctGatherNodeFreq", "0 sec")
                .containsEntry("DefMemPerNode", "UNLIMITED")
                .containsEntry("KillWait", "30 sec")
                .containsEntry("MinJobAge", "300 sec")
                .containsEntry("SlurmdTimeout", "30 sec")
                .containsEntry("SlurmctldPort", "6917")
                .containsEntry("MaxArraySize", "1001")
                .containsEntry("JobRequeue", "1")
                .containsEntry("DisableRootJobs", "No")
                .containsEntry("HealthCheckProgram", "(null)")
                .containsEntry("SchedulerType", "sched/backfill")
                .containsEntry("SchedulerParameters", "(null)")
                .containsEntry("PriorityType", "priority/multifactor")
                .containsEntry("PriorityDecayHalfLife", "7-00:00:00")
                .containsEntry("PriorityCalcPeriod", "00:05:00");
        assertThat(asMap(ConfigListing.motley(ClusterConfig.defaults())))
                .containsEntry("ContainmentType", "auto")
                .containsEntry("RequeueDelay", "121 sec")
                .containsEntry("StorageURL", "(embedded SQLite)")
                .containsEntry("HttpPort", "6919")
                .containsEntry("HttpBind", "(the controller's address)")
                .containsEntry("AgentMetricsPort", "(none)")
                .containsEntry("AgentMetricsBind", "127.0.0.1");
    }

    @Test
    void theHttpKeysShowWhatTheFileSays() {
        Map<String, String> m = asMap(ConfigListing.motley(ClusterConfig.parse(
                "ControllerPort=7000\nHttpBind=0.0.0.0\nAgentMetricsPort=0\nAgentMetricsBind=10.0.0.5\n")));
        assertThat(m)
                .containsEntry("HttpPort", "7002")
                .containsEntry("HttpBind", "0.0.0.0")
                .containsEntry("AgentMetricsPort", "0 (any free port)")
                .containsEntry("AgentMetricsBind", "10.0.0.5");
        assertThat(asMap(ConfigListing.motley(ClusterConfig.parse("HttpPort=8443\n"))))
                .containsEntry("HttpPort", "8443");
    }

    @Test
    void settingsFromTheFileShowUp() {
        ClusterConfig c = ClusterConfig.parse(String.join(
                "\n",
                "ClusterName=lab",
                "DefMemPerCPU=1000",
                "PriorityType=priority/basic",
                "SchedulerType=sched/builtin",
                "SchedulerParameters=bf_interval=5,max_script_size=100",
                "DisableRootJobs=YES"));
        List<Setting> slurm = ConfigListing.slurm(c);
        Map<String, String> s = asMap(slurm);
        assertThat(s)
                .containsEntry("ClusterName", "lab")
                .containsEntry("DefMemPerCPU", "1000")
                .doesNotContainKey("DefMemPerNode")
                .containsEntry("PriorityType", "priority/basic")
                .doesNotContainKey("PriorityWeightAge")
                .containsEntry("SchedulerType", "sched/builtin")
                .containsEntry("SchedulerParameters", "bf_interval=5,max_script_size=100")
                .containsEntry("DisableRootJobs", "Yes");
        // Slurm's order, which is alphabetical for these keys
        List<String> keys = slurm.stream().map(Setting::key).toList();
        assertThat(keys).isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER);
    }
}
