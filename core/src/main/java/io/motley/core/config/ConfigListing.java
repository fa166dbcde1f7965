package io.motley.core.config;

import io.motley.core.priority.PriorityConfig;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code scontrol show config} lists: every setting of a {@link ClusterConfig}, under
 * slurm.conf's key name and in Slurm's value format where Slurm has the setting ({@link #slurm}),
 * and Motley's own settings apart ({@link #motley}).
 */
public final class ConfigListing {
    private ConfigListing() {}

    /** The key under which the listing gives MaxStageInSize (in MiB, "1024M"): sbatch reads it. */
    public static final String MAX_STAGE_IN = "MaxStageInSize";

    /** One line of the listing. */
    public record Setting(String key, String value) {}

    /**
     * The settings Slurm also has, in the order Slurm 22.05 prints them. SchedulerTimeSlice and
     * AcctGatherNodeFreq carry Slurm's defaults: Motley has no gang scheduling and no node
     * sampling of its own, and tools read them to pick a polling interval.
     */
    public static List<Setting> slurm(ClusterConfig c) {
        List<Setting> l = new ArrayList<>();
        java.util.Set<String> stored = c.storage().storeFlags();
        l.add(new Setting("AccountingStoreFlags", stored.isEmpty() ? "(null)" : String.join(",", stored)));
        l.add(new Setting("AcctGatherNodeFreq", "0 sec"));
        l.add(new Setting("ClusterName", c.clusterName()));
        if (c.defMemPerCpuMiB() > 0) l.add(new Setting("DefMemPerCPU", Long.toString(c.defMemPerCpuMiB())));
        else l.add(new Setting("DefMemPerNode", "UNLIMITED"));
        l.add(new Setting("DisableRootJobs", yesNo(c.limits().disableRootJobs())));
        l.add(new Setting("HealthCheckInterval", sec(c.healthCheckIntervalSeconds())));
        l.add(new Setting("HealthCheckProgram", orNull(c.healthCheckProgram())));
        l.add(new Setting("InactiveLimit", sec(c.limits().inactiveLimitSeconds())));
        l.add(new Setting("JobRequeue", c.jobRequeue() ? "1" : "0"));
        l.add(new Setting("KillWait", sec(c.killWaitSeconds())));
        l.add(new Setting("MaxArraySize", Integer.toString(c.limits().maxArraySize())));
        l.add(new Setting("MinJobAge", sec(c.minJobAgeSeconds())));
        PriorityConfig p = c.priority();
        if (!p.multifactor()) {
            l.add(new Setting("PriorityType", p.typeName()));
        } else {
            l.add(new Setting("PriorityDecayHalfLife", Durations.formatFixed(p.decayHalfLifeSeconds())));
            l.add(new Setting("PriorityCalcPeriod", Durations.formatFixed(p.calcPeriodSeconds())));
            l.add(new Setting("PriorityFavorSmall", yesNo(p.favorSmall())));
            l.add(new Setting("PriorityMaxAge", Durations.formatFixed(p.maxAgeSeconds())));
            l.add(new Setting("PriorityType", p.typeName()));
            l.add(new Setting("PriorityWeightAge", Long.toString(p.weightAge())));
            l.add(new Setting("PriorityWeightFairShare", Long.toString(p.weightFairshare())));
            l.add(new Setting("PriorityWeightJobSize", Long.toString(p.weightJobSize())));
            l.add(new Setting("PriorityWeightPartition", Long.toString(p.weightPartition())));
            l.add(new Setting("PriorityWeightQOS", Long.toString(p.weightQos())));
        }
        l.add(new Setting("SchedulerParameters", schedulerParameters(c)));
        l.add(new Setting("SchedulerTimeSlice", "30 sec"));
        l.add(new Setting("SchedulerType", c.scheduling().backfill() ? "sched/backfill" : "sched/builtin"));
        l.add(new Setting("SlurmctldPort", Integer.toString(c.controllerPort())));
        l.add(new Setting("SlurmdTimeout", sec(c.nodeTimeoutSeconds())));
        return List.copyOf(l);
    }

    /** Motley's own settings, under motley.conf's key names. */
    public static List<Setting> motley(ClusterConfig c) {
        List<Setting> l = new ArrayList<>();
        ClusterConfig.Limits lim = c.limits();
        l.add(new Setting("AgentMaxConnections", Integer.toString(lim.agentMaxConnections())));
        l.add(new Setting("AgentMaxConnectionsPerUser", Integer.toString(lim.agentMaxConnectionsPerUser())));
        ClusterConfig.Web web = c.web();
        l.add(new Setting("AgentMetricsBind", orNull(web.agentMetricsBind())));
        l.add(new Setting("AgentMetricsPort", web.agentMetricsPort() < 0 ? "(none)" : port(web.agentMetricsPort())));
        l.add(new Setting("AgentRequestTimeout", sec(lim.agentRequestTimeoutSeconds())));
        l.add(new Setting("ContainmentType", c.containmentType()));
        // the controller's HTTP(S) port: /metrics, the REST API, the web pages (docs/metrics.md)
        l.add(new Setting("HttpBind", web.httpBind() == null ? "(the controller's address)" : web.httpBind()));
        l.add(new Setting("HttpPort", port(web.httpPort(c.controllerPort()))));
        l.add(new Setting("MaxClockSkew", sec(c.maxClockSkewSeconds())));
        l.add(new Setting(MAX_STAGE_IN, lim.maxStageInBytes() / (1024 * 1024) + "M"));
        l.add(new Setting("PrometheusURL", web.prometheusUrl() == null ? "(none)" : web.prometheusUrl()));
        l.add(new Setting("RequeueDelay", sec(c.requeueDelaySeconds())));
        l.add(new Setting("StageInSpoolSize", lim.stageInSpoolBytes() / (1024 * 1024) + "M"));
        l.add(new Setting("StageInTimeout", sec(lim.stageInTimeoutSeconds())));
        ClusterConfig.Storage s = c.storage();
        l.add(new Setting("StorageURL", s.embedded() ? "(embedded SQLite)" : s.url()));
        if (!s.embedded()) {
            l.add(new Setting("StorageUser", orNull(s.user())));
            l.add(new Setting("StoragePassFile", orNull(s.passFile())));
        }
        PriorityConfig p = c.priority();
        l.add(new Setting(
                "TRESBillingWeights",
                String.format(
                        Locale.ROOT, "CPU=%s,GRES/gpu=%s", num(p.cpuBillingWeight()), num(p.gpuBillingWeight()))));
        return List.copyOf(l);
    }

    private static String port(int port) {
        return port == 0 ? "0 (any free port)" : Integer.toString(port);
    }

    /** The items that differ from the defaults, as slurm.conf would say them; (null) when none does. */
    private static String schedulerParameters(ClusterConfig c) {
        List<String> items = new ArrayList<>();
        ClusterConfig.Scheduling s = c.scheduling();
        ClusterConfig.Scheduling d = ClusterConfig.Scheduling.DEFAULT;
        if (s.intervalSeconds() != d.intervalSeconds()) items.add("bf_interval=" + s.intervalSeconds());
        if (s.maxJobTest() != d.maxJobTest()) items.add("bf_max_job_test=" + s.maxJobTest());
        if (s.reservations() != d.reservations()) items.add("bf_reservations=" + s.reservations());
        if (c.limits().maxScriptBytes() != ClusterConfig.Limits.DEFAULT.maxScriptBytes())
            items.add("max_script_size=" + c.limits().maxScriptBytes());
        return items.isEmpty() ? "(null)" : String.join(",", items);
    }

    private static String num(double d) {
        return d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d);
    }

    private static String sec(long seconds) {
        return seconds + " sec";
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    private static String orNull(String s) {
        return s == null || s.isEmpty() ? "(null)" : s;
    }
}
