package io.motley.core.scheduler;

/** Resources a running job holds on one node. */
public record Allocation(long jobId, String node, int cpus, long memMiB) {}
