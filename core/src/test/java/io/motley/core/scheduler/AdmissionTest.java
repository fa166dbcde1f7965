package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.JobRequest;
import io.motley.core.job.MemoryRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    static final List<NodeView> NODES =
            List.of(new NodeView("a", 2, 24105, NodeState.UP), new NodeView("b", 8, 1000, NodeState.DOWN));
    static final List<Partition> PARTS = List.of(
            Partition.allNodes("main", true),
            new Partition("small", false, List.of("a"), -1, -1, PartitionState.UP),
            new Partition("closed", false, null, -1, -1, PartitionState.INACTIVE));

    static JobRequest req(List<String> parts, int cpus, long mem, int nodes) {
        return JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .partitions(parts)
                .cpusPerTask(cpus, false)
                .nodes(nodes)
                .memory(mem < 0 ? MemoryRequest.UNSET : new MemoryRequest.PerNode(mem))
                .submitHost("h")
                .build();
    }

    @Test
    void refusesWithSlurmsWording() {
        assertThat(Admission.check(req(List.of(), 1, 100 * 1024, 1), PARTS, NODES))
                .get()
                .isEqualTo(new Admission.Rejection(
                        "Memory specification can not be satisfied", "Requested node configuration is not available"));
        assertThat(Admission.check(req(List.of("nosuchpart"), 1, -2, 1), PARTS, NODES))
                .get()
                .isEqualTo(new Admission.Rejection(
                        "invalid partition specified: nosuchpart", "Invalid partition name specified"));
        assertThat(Admission.check(req(List.of("small"), 4, -2, 1), PARTS, NODES))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Requested node configuration is not available");
        assertThat(Admission.check(req(List.of(), 1, -2, 2), PARTS, NODES))
                .get()
                .extracting(Admission.Rejection::detail)
                .asString()
                .contains("1 tasks cannot use 2 nodes");
        assertThat(Admission.check(req(List.of("closed"), 1, -2, 1), PARTS, NODES))
                .isPresent();
    }

    static JobRequest spread(List<String> parts, int tasks, int minNodes, int maxNodes, String nodeList) {
        return JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .partitions(parts)
                .ntasks(tasks)
                .nodes(minNodes, maxNodes)
                .placement(new JobRequest.Placement(parts, null, nodeList, null, false))
                .submitHost("h")
                .build();
    }

    /** -x names nodes that must exist, as -w does (Slurm: Invalid node name specified). */
    @Test
    void anExcludedNodeThatDoesNotExistIsRefused() {
        JobRequest bad = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .placement(new JobRequest.Placement(List.of(), null, null, "b,nonode", false))
                .build();
        assertThat(Admission.check(bad, PARTS, NODES))
                .get()
                .isEqualTo(new Admission.Rejection("invalid node name: nonode", "Invalid node name specified"));
        JobRequest good = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .placement(new JobRequest.Placement(List.of(), null, null, "b", false))
                .build();
        assertThat(Admission.check(good, PARTS, NODES)).isEmpty();
    }

    @Test
    void acceptsAMultiNodeJobThatEnoughNodesCouldHold() {
        assertThat(Admission.check(spread(List.of(), 2, 2, 2, null), PARTS, NODES))
                .isEmpty();
        // 10 tasks on 2 nodes: 5 each, more than node a's 2 CPUs
        assertThat(Admission.check(spread(List.of(), 10, 2, 2, null), PARTS, NODES))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Requested node configuration is not available");
        // partition small has one node
        assertThat(Admission.check(spread(List.of("small"), 2, 2, 2, null), PARTS, NODES))
                .isPresent();
        // -w with both nodes asks for two nodes, and one of the range fits
        assertThat(Admission.check(spread(List.of(), 2, 1, 1, "a,b"), PARTS, NODES))
                .isEmpty();
        assertThat(Admission.check(spread(List.of(), 2, 1, 3, null), PARTS, NODES))
                .isEmpty();
    }

    @Test
    void acceptsWhatSomeNodeCouldRunEvenIfItIsDownNow() {
        assertThat(Admission.check(req(List.of(), 8, 500, 1), PARTS, NODES)).isEmpty();
        assertThat(Admission.check(req(List.of(), 2, 24105, 1), PARTS, NODES)).isEmpty();
        assertThat(Admission.check(req(List.of(), 64, 1, 1), PARTS, List.of()))
                .as("no node registered yet")
                .isEmpty();
        assertThat(Admission.resolvePartitions(req(List.of(), 1, 1, 1), PARTS)).containsExactly("main");
    }

    static JobRequest charged(String account, String qos) {
        return JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .account(account)
                .submitHost("h")
                .qos(qos)
                .build();
    }

    static final io.motley.core.priority.Associations ACCOUNTS = new io.motley.core.priority.Associations(
            List.of(
                    new io.motley.core.priority.Associations.Account("physics", null, 40, List.of("alice", "bob")),
                    new io.motley.core.priority.Associations.Account("chem", null, 60, List.of("bob"))),
            Map.of("bob", new io.motley.core.priority.Associations.User("bob", "chem", 1)),
            List.of(new io.motley.core.priority.Associations.Qos("high", 100)));

    @Test
    void accountsAreCheckedOnlyWhenDeclared() {
        String badAccount = "Invalid account or account/partition combination specified";
        assertThat(Admission.charge(charged("physics", null), "alice", ACCOUNTS))
                .isEqualTo(new Admission.Charge("physics", "normal", null));
        // no -A: DefaultAccount, else the first account listing the user
        assertThat(Admission.charge(charged(null, null), "bob", ACCOUNTS).account())
                .isEqualTo("chem");
        assertThat(Admission.charge(charged(null, null), "alice", ACCOUNTS).account())
                .isEqualTo("physics");
        assertThat(Admission.charge(charged("chem", null), "alice", ACCOUNTS)
                        .rejection()
                        .failure())
                .isEqualTo(badAccount);
        assertThat(Admission.charge(charged("nosuch", null), "bob", ACCOUNTS)
                        .rejection()
                        .failure())
                .isEqualTo(badAccount);
        assertThat(Admission.charge(charged(null, null), "carol", ACCOUNTS)
                        .rejection()
                        .failure())
                .isEqualTo(badAccount);
        assertThat(Admission.charge(charged("anything", null), "carol", io.motley.core.priority.Associations.none()))
                .isEqualTo(new Admission.Charge("anything", null, null));
        // no accounts declared and no -A: the default account, as sacct's Account column shows it
        var none = io.motley.core.priority.Associations.none();
        assertThat(Admission.charge(charged(null, null), "root", none).account())
                .isEqualTo("root");
        assertThat(Admission.charge(charged(null, null), "carol", none).account())
                .isNull();
    }

    @Test
    void anUnknownQosIsRefused() {
        assertThat(Admission.charge(charged("physics", "bogus"), "alice", ACCOUNTS)
                        .rejection()
                        .failure())
                .isEqualTo("Invalid qos specification");
        assertThat(Admission.charge(charged(null, "bogus"), "alice", io.motley.core.priority.Associations.none())
                        .rejection())
                .isNotNull();
        assertThat(Admission.charge(charged("physics", "high"), "alice", ACCOUNTS)
                        .qos())
                .isEqualTo("high");
        assertThat(Admission.charge(charged(null, "normal"), "alice", io.motley.core.priority.Associations.none())
                        .qos())
                .isEqualTo("normal");
    }

    // ---- the request's own text and sizes (validate) ----

    static final io.motley.core.config.ClusterConfig.Limits LIMITS = io.motley.core.config.ClusterConfig.Limits.DEFAULT;

    static JobRequest text(
            String name, String comment, String workDir, String stdout, String partition, String dependency) {
        return JobRequest.builder("#!/bin/sh\n", workDir)
                .name(name)
                .partitions(partition == null ? List.of() : List.of(partition))
                .output(stdout, null)
                .comment(comment)
                .submitHost("h")
                .dependency(dependency, false)
                .build();
    }

    static JobRequest sized(String script, Map<String, String> env, String array) {
        return JobRequest.builder(script, "/tmp")
                .name("j")
                .environment(env)
                .submitHost("h")
                .array(array)
                .build();
    }

    static String failure(JobRequest r, io.motley.core.config.ClusterConfig.Limits limits, int uid) {
        return Admission.validate(r, limits, uid)
                .map(Admission.Rejection::failure)
                .orElse(null);
    }

    @Test
    void controlCharactersInFreeTextAreRefusedNamingTheField() {
        assertThat(failure(text("evil\nname", null, "/tmp", null, null, null), LIMITS, 1000))
                .isEqualTo("Invalid job name: control characters are not allowed");
        assertThat(failure(text("j", "next line\u0085", "/tmp", null, null, null), LIMITS, 1000))
                .isEqualTo("Invalid comment: control characters are not allowed");
        assertThat(failure(text("j", null, "/tmp/\u007f", null, null, null), LIMITS, 1000))
                .isEqualTo("Invalid working directory: control characters are not allowed");
        assertThat(failure(text("j", null, "/tmp", "out\r.txt", null, null), LIMITS, 1000))
                .isEqualTo("Invalid output path: control characters are not allowed");
        assertThat(failure(text("j", null, "/tmp", null, "main\n", null), LIMITS, 1000))
                .isEqualTo("Invalid partition: control characters are not allowed");
        assertThat(failure(text("j", null, "/tmp", null, null, "afterok:1\t"), LIMITS, 1000))
                .isEqualTo("Invalid dependency: control characters are not allowed");
        assertThat(failure(sized("#!/bin/sh\n", Map.of("BAD\nNAME", "x"), null), LIMITS, 1000))
                .startsWith("Invalid environment variable name");
        // tabs, newlines and the like are the script's and the environment's own business
        assertThat(Admission.validate(
                        sized("#!/bin/sh\n\techo hi\r\n", Map.of("F", "() { echo\n}"), null), LIMITS, 1000))
                .isEmpty();
        assertThat(Admission.validate(
                        text("naïve name ✓", "a comment", "/tmp/x y", "%x-%j.out", "main", "afterok:1"), LIMITS, 1000))
                .isEmpty();
    }

    @Test
    void fieldsOverTheirBoundsAreRefusedAsSlurmDoes() {
        String tooLong = "Pathname of a file, directory or other parameter too long";
        assertThat(Admission.validate(
                        text("n".repeat(Admission.MAX_TEXT), null, "/tmp", null, null, null), LIMITS, 1000))
                .isEmpty();
        assertThat(Admission.validate(
                        text("n".repeat(Admission.MAX_TEXT + 1), null, "/tmp", null, null, null), LIMITS, 1000))
                .get()
                .isEqualTo(new Admission.Rejection("job name of 1025 characters is over the limit of 1024", tooLong));
        assertThat(failure(text("j", "c".repeat(Admission.MAX_TEXT + 1), "/tmp", null, null, null), LIMITS, 1000))
                .isEqualTo(tooLong);
        assertThat(failure(text("j", null, "/" + "d".repeat(Admission.MAX_PATH), null, null, null), LIMITS, 1000))
                .isEqualTo(tooLong);
    }

    @Test
    void theBatchScriptIsBoundByMaxScriptSizeInBytes() {
        var limits = new io.motley.core.config.ClusterConfig.Limits(false, 1001, 100, 1024, 64, 10);
        assertThat(Admission.validate(sized("x".repeat(100), Map.of(), null), limits, 1000))
                .isEmpty();
        assertThat(Admission.validate(sized("x".repeat(101), Map.of(), null), limits, 1000))
                .get()
                .isEqualTo(new Admission.Rejection(
                        "batch script of 101 bytes is over max_script_size (100)",
                        "Pathname of a file, directory or other parameter too long"));
        // bytes, not characters: 50 two-byte characters and one more byte
        assertThat(Admission.validate(sized("é".repeat(50) + "x", Map.of(), null), limits, 1000))
                .get()
                .extracting(Admission.Rejection::detail)
                .isEqualTo("batch script of 101 bytes is over max_script_size (100)");
        assertThat(Admission.validate(sized("x".repeat(4 * 1024 * 1024 + 1), Map.of(), null), LIMITS, 1000))
                .isPresent();
    }

    @Test
    void theEnvironmentIsBoundInSizeAndCount() {
        Map<String, String> big = Map.of("BIG", "v".repeat((int) Admission.MAX_ENVIRONMENT_BYTES));
        assertThat(Admission.validate(sized("#!/bin/sh\n", big, null), LIMITS, 1000))
                .get()
                .extracting(Admission.Rejection::detail)
                .asString()
                .startsWith("exported environment of 2097157 bytes is over the limit of 2097152");
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i <= Admission.MAX_ENVIRONMENT_VARIABLES; i++) many.put("V" + i, "");
        assertThat(Admission.validate(sized("#!/bin/sh\n", many, null), LIMITS, 1000))
                .get()
                .extracting(Admission.Rejection::detail)
                .isEqualTo("exported environment has 10001 variables, over the limit of 10000");
    }

    @Test
    void arrayIndicesMustBeBelowMaxArraySize() {
        String invalid = "Invalid job array specification";
        assertThat(Admission.validate(sized("#!/bin/sh\n", Map.of(), "0-1000"), LIMITS, 1000))
                .isEmpty();
        assertThat(Admission.validate(sized("#!/bin/sh\n", Map.of(), "0-1001"), LIMITS, 1000))
                .get()
                .isEqualTo(new Admission.Rejection("array index 1001 is not below MaxArraySize (1001)", invalid));
        assertThat(failure(sized("#!/bin/sh\n", Map.of(), "1-2000000000%4"), LIMITS, 1000))
                .isEqualTo(invalid);
        assertThat(failure(sized("#!/bin/sh\n", Map.of(), "1-x"), LIMITS, 1000)).isEqualTo(invalid);
        var big = new io.motley.core.config.ClusterConfig.Limits(false, 10_001, 4L << 20, 1024, 64, 10);
        assertThat(Admission.validate(sized("#!/bin/sh\n", Map.of(), "0-9999"), big, 1000))
                .isEmpty();
    }

    @Test
    void disableRootJobsRefusesRootWithSlurmsError() {
        var noRoot = new io.motley.core.config.ClusterConfig.Limits(true, 1001, 4L << 20, 1024, 64, 10);
        assertThat(failure(sized("#!/bin/sh\n", Map.of(), null), noRoot, 0)).isEqualTo("Invalid user id");
        assertThat(Admission.validate(sized("#!/bin/sh\n", Map.of(), null), noRoot, 1000))
                .isEmpty();
        assertThat(Admission.validate(sized("#!/bin/sh\n", Map.of(), null), LIMITS, 0))
                .isEmpty();
    }
}
