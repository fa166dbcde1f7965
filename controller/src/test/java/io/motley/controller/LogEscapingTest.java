package io.motley.controller;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The daemons' log configurations (dist/conf, what the launcher gives every daemon): a message
 * that quotes what a user typed cannot forge a line of its own.
 */
class LogEscapingTest {
    @TempDir
    Path dir;

    @Test
    void aNewlineInAJobNameCannotStartALogLine() throws Exception {
        Path log = dir.resolve("controller.log");
        List<String> lines = logThrough(Path.of("../dist/conf/logback-file.xml"), log);
        assertThat(lines.get(0))
                .endsWith("job submitted job=7 user=bob name=evil\\n2026-01-01T00:00:00.000 ERROR forged\\r\\t?? end");
        assertThat(lines).filteredOn(l -> l.contains("forged")).hasSize(1);
        // a stack trace keeps its lines
        assertThat(lines.get(1)).endsWith("scheduling pass failed");
        assertThat(lines.get(2)).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines.get(3)).startsWith("\tat ");
    }

    @Test
    void theConsoleConfigurationEscapesToo() throws Exception {
        String xml = Files.readString(Path.of("../dist/conf/logback-console.xml"));
        Path asFile = dir.resolve("console-as-file.xml");
        // the same pattern, written to a file so the test can read it
        Files.writeString(
                asFile,
                xml.replace("ch.qos.logback.core.ConsoleAppender", "ch.qos.logback.core.FileAppender")
                        .replace("<target>System.err</target>", "<file>${motley.log.file}</file>"));
        List<String> lines = logThrough(asFile, dir.resolve("console.log"));
        assertThat(lines.get(0)).contains("name=evil\\n2026");
        assertThat(lines).filteredOn(l -> l.contains("forged")).hasSize(1);
    }

    private static List<String> logThrough(Path config, Path logFile) throws Exception {
        LoggerContext ctx = new LoggerContext();
        // a context of the test's own, apart from the one SLF4J set up, needs an MDC of its own too
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ctx.putProperty("motley.log.file", logFile.toString());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(ctx);
        joran.doConfigure(config.toFile());
        Logger log = ctx.getLogger("io.motley.controller.cluster.Cluster");
        log.info(
                "job submitted job={} user={} name={}",
                7,
                "bob",
                "evil\n2026-01-01T00:00:00.000 ERROR forged\r\t\u0007\u0085 end");
        log.error("scheduling pass failed", new IllegalStateException("boom"));
        ctx.stop();
        return Files.readAllLines(logFile);
    }
}
