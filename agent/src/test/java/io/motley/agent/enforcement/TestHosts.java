package io.motley.agent.enforcement;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/** What the containment tests need from the host: root, the hierarchies, unique node names, clean-up and captured logs. */
public final class TestHosts {
    private TestHosts() {}

    public static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** A node name no other test (or earlier run) uses, so cgroups and job markers never collide. */
    public static String uniqueNode() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static boolean hasV1Memory() {
        return CgroupFs.mounts().stream()
                .anyMatch(m -> !m.v2() && m.controllers().contains("memory"));
    }

    public static Optional<Path> cgroup2() {
        return CgroupV2.mountPoint();
    }

    /** Removes every group Motley made for this node, in every hierarchy (jobs' groups first). */
    public static void removeGroups(String node) {
        for (CgroupFs.Mount m : CgroupFs.mounts()) {
            for (Path top :
                    List.of(m.mountPoint().resolve("motley"), m.mountPoint().resolve("motley.slice"))) {
                Path base = top.resolve(node);
                if (Files.isDirectory(base)) {
                    for (Path job : CgroupFs.children(base)) {
                        ProcessTable.kill(CgroupFs.procs(job));
                        JobBox.waitFor(() -> CgroupFs.procs(job).isEmpty(), 2000);
                    }
                    CgroupFs.rmdirTree(base);
                }
                if (Files.isDirectory(top) && CgroupFs.children(top).isEmpty()) CgroupFs.rmdirTree(top);
            }
        }
    }

    /** True when the pid is gone or a zombie (init here does not reap orphans). */
    public static boolean dead(long pid) {
        return ProcessTable.gone(pid);
    }

    /** Captures what a logger writes at INFO and above until {@link #stop()}. */
    public static final class Logs {
        private final Logger logger;
        private final Level before;
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        public Logs(Class<?> of) {
            logger = (Logger) LoggerFactory.getLogger(of);
            before = logger.getLevel();
            logger.setLevel(Level.INFO);
            appender.start();
            logger.addAppender(appender);
        }

        public List<String> lines() {
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage())
                    .toList();
        }

        public void stop() {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }
}
