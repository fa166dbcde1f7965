package io.motley.agent.launch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link PrivilegeBoundaryTest} with jobs started through motley-start, as the distribution's agents start them. */
class PrivilegeBoundaryThroughStarterTest extends PrivilegeBoundaryTest {
    @BeforeAll
    static void throughStarter() throws Exception {
        System.setProperty("motley.starter", Starters.built().program());
    }

    @AfterAll
    static void done() {
        System.clearProperty("motley.starter");
    }

    @Override
    boolean envReadByTheJobsGroup() {
        return false;
    }
}
