package io.motley.agent.metrics;

import io.motley.agent.launch.JobLauncher.RunUse;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent's /metrics: the node's load and free memory, its GPUs' use, how it holds jobs
 * (containment) and its health check, and for each job running on it what it holds and has used.
 * Labelled by job here, where the count is bounded by the node's CPUs; the controller's metrics
 * never are. Taken at each scrape.
 */
public final class AgentMetrics implements MultiCollector {
    private static final double MIB = 1024.0 * 1024.0;
    private static final Pattern GPU_SAMPLE = Pattern.compile("(\\d+):util=(\\d+)%,mem=(\\d+)MiB");

    /** Where the figures come from; each read at a scrape. */
    public record Sources(
            String node,
            String version,
            String containment,
            long startedAt,
            Supplier<List<RunUse>> runs,
            Supplier<String> healthResult,
            boolean healthConfigured,
            Supplier<String> gpuSample,
            DoubleSupplier load,
            LongSupplier freeMemMiB,
            BooleanSupplier controllerConnected,
            Supplier<Map<String, Long>> certificateExpiries) {}

    private final Sources s;

    public AgentMetrics(Sources sources) {
        this.s = sources;
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        gauge(
                out,
                "motley_agent_info",
                "1, with the agent's node, version and how it contains jobs",
                1,
                "node",
                s.node(),
                "version",
                s.version(),
                "containment",
                s.containment());
        gauge(out, "motley_agent_start_time_seconds", "When the agent started (epoch seconds)", s.startedAt());
        gauge(
                out,
                "motley_agent_controller_connected",
                "1 while the agent's link to the controller is up",
                s.controllerConnected().getAsBoolean() ? 1 : 0);
        gauge(
                out,
                "motley_node_cpu_load",
                "The node's one-minute load average",
                s.load().getAsDouble());
        gauge(
                out,
                "motley_node_memory_free_bytes",
                "The node's free memory",
                s.freeMemMiB().getAsLong() * MIB);
        if (s.healthConfigured()) {
            String r = s.healthResult().get();
            // before the first run has finished there is no verdict: the series is absent, not 0
            if (r != null)
                gauge(
                        out,
                        "motley_agent_health_check_ok",
                        "1 when the node's health check last passed, 0 when it failed",
                        r.equals("ok") ? 1 : 0);
        }
        GaugeSnapshot.Builder util = GaugeSnapshot.builder()
                .name("motley_gpu_utilization_ratio")
                .help("A GPU's utilisation as nvidia-smi last sampled it (0 to 1)");
        GaugeSnapshot.Builder used = GaugeSnapshot.builder()
                .name("motley_gpu_memory_used_bytes")
                .help("Memory in use on a GPU as nvidia-smi last sampled it");
        Matcher m = GPU_SAMPLE.matcher(
                s.gpuSample().get() == null ? "" : s.gpuSample().get());
        while (m.find()) {
            Labels gpu = Labels.of("gpu", m.group(1));
            util.dataPoint(point(gpu, Long.parseLong(m.group(2)) / 100.0));
            used.dataPoint(point(gpu, Long.parseLong(m.group(3)) * MIB));
        }
        out.metricSnapshot(util.build());
        out.metricSnapshot(used.build());
        jobs(out, s.runs().get());
        GaugeSnapshot.Builder certs = GaugeSnapshot.builder()
                .name("motley_certificate_expiry_timestamp_seconds")
                .help("When a certificate the agent uses expires (epoch seconds)");
        s.certificateExpiries()
                .get()
                .forEach((name, until) -> certs.dataPoint(point(Labels.of("certificate", name), until)));
        out.metricSnapshot(certs.build());
        return out.build();
    }

    private static void jobs(MetricSnapshots.Builder out, List<RunUse> runs) {
        gauge(out, "motley_agent_jobs_running", "Jobs running on this node", runs.size());
        GaugeSnapshot.Builder cpus =
                GaugeSnapshot.builder().name("motley_job_cpus").help("CPUs the job is bound to");
        GaugeSnapshot.Builder memLimit =
                GaugeSnapshot.builder().name("motley_job_memory_limit_bytes").help("The job's memory limit");
        GaugeSnapshot.Builder rss = GaugeSnapshot.builder()
                .name("motley_job_memory_max_rss_bytes")
                .help("The most resident memory the job's processes used together, as sampled");
        CounterSnapshot.Builder cpu = CounterSnapshot.builder()
                .name("motley_job_cpu_seconds")
                .help("CPU time (user and system) the job's processes used");
        GaugeSnapshot.Builder oom =
                GaugeSnapshot.builder().name("motley_job_oom_kills").help("Out-of-memory kills in the job's group");
        GaugeSnapshot.Builder gpus =
                GaugeSnapshot.builder().name("motley_job_gpus").help("GPUs the job was given");
        GaugeSnapshot.Builder contained = GaugeSnapshot.builder()
                .name("motley_job_containment")
                .help("1, with how the job is held to its limits (cgroup2, cgroup1, process)");
        for (RunUse r : runs) {
            Labels job = Labels.of("jobid", Long.toString(r.id()));
            cpus.dataPoint(point(job, r.cpus()));
            memLimit.dataPoint(point(job, r.memLimitMiB() * MIB));
            rss.dataPoint(point(job, r.usage().maxRssKiB() * 1024.0));
            cpu.dataPoint(CounterDataPointSnapshot.builder()
                    .labels(job)
                    .value(r.usage().totalCpuMs() / 1000.0)
                    .build());
            oom.dataPoint(point(job, r.oomKills()));
            gpus.dataPoint(point(job, r.gpus().size()));
            contained.dataPoint(point(Labels.of("jobid", Long.toString(r.id()), "containment", r.containment()), 1));
        }
        out.metricSnapshot(cpus.build());
        out.metricSnapshot(memLimit.build());
        out.metricSnapshot(rss.build());
        out.metricSnapshot(cpu.build());
        out.metricSnapshot(oom.build());
        out.metricSnapshot(gpus.build());
        out.metricSnapshot(contained.build());
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static void gauge(MetricSnapshots.Builder out, String name, String help, double value, String... labels) {
        out.metricSnapshot(GaugeSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(point(labels.length == 0 ? Labels.EMPTY : Labels.of(labels), value))
                .build());
    }
}
