package io.motley.agent.launch;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link JobLauncherTest}'s jobs started through motley-start, as the distribution's agents start them. */
class JobLauncherThroughStarterTest extends JobLauncherTest {
    @BeforeAll
    static void throughStarter() throws Exception {
        System.setProperty("motley.starter", Starters.built().program());
    }

    @AfterAll
    static void done() {
        System.clearProperty("motley.starter");
    }

    @Override
    List<String> launchPrograms() {
        return List.of("the shepherd", "motley-start", "the script");
    }
}
