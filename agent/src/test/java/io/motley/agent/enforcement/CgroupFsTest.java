package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading where the hierarchies are and where this process sits in them. */
class CgroupFsTest {
    @Test
    void findsV1ControllersAndTheUnifiedMountOfAHybridHost() {
        List<CgroupFs.Mount> mounts = CgroupFs.parseMountInfo(List.of(
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate",
                "42 31 0:39 / /mnt/with\\040space rw - cgroup2 none rw"));
        assertThat(mounts).hasSize(5);
        assertThat(mounts.get(0).controllers()).contains("cpu", "cpuacct").doesNotContain("rw");
        assertThat(mounts.get(1).mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/memory"));
        assertThat(mounts.get(3).v2()).isTrue();
        assertThat(mounts.get(4).mountPoint()).isEqualTo(Path.of("/mnt/with space"));
    }

    @Test
    void mapsCgroupPathsThroughAMountThatShowsOnlyPartOfTheHierarchy() {
        CgroupFs.Mount whole =
                new CgroupFs.Mount(Path.of("/sys/fs/cgroup/memory"), "/", false, java.util.Set.of("memory"));
        assertThat(whole.dirOf("/process_api/abc")).contains(Path.of("/sys/fs/cgroup/memory/process_api/abc"));
        assertThat(whole.dirOf("/")).contains(Path.of("/sys/fs/cgroup/memory"));
        CgroupFs.Mount container = new CgroupFs.Mount(Path.of("/sys/fs/cgroup"), "/docker/x", true, java.util.Set.of());
        assertThat(container.dirOf("/docker/x/agent")).contains(Path.of("/sys/fs/cgroup/agent"));
        assertThat(container.dirOf("/elsewhere")).isEmpty();
    }

    @Test
    void readsProcSelfCgroup() {
        var own = CgroupFs.parseProcCgroup(
                List.of("9:name=systemd:/", "4:memory:/process_api/1a", "2:cpu,cpuacct:/x", "0::/"));
        assertThat(own).containsEntry("", "/").containsEntry("memory", "/process_api/1a");
        assertThat(CgroupFs.ownV1Path(own, "cpuacct")).isEqualTo("/x");
        assertThat(CgroupFs.ownV1Path(own, "freezer")).isEqualTo("/");
    }
}
