package io.motley.agent.launch;

import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link JobLauncherTest}'s jobs started through motley-start, as the distribution's agents start them. */
@ExtendWith(Starters.Through.class)
class JobLauncherThroughStarterTest extends JobLauncherTest {
    @Override
    List<String> launchPrograms() {
        return List.of("the shepherd", "motley-start", "the script");
    }
}
