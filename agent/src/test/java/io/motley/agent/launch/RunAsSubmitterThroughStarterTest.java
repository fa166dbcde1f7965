package io.motley.agent.launch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link RunAsSubmitterTest}'s jobs started through motley-start, which drops the privileges itself. */
class RunAsSubmitterThroughStarterTest extends RunAsSubmitterTest {
    @BeforeAll
    static void throughStarter() throws Exception {
        System.setProperty("motley.starter", Starters.built().program());
    }

    @AfterAll
    static void done() {
        System.clearProperty("motley.starter");
    }
}
