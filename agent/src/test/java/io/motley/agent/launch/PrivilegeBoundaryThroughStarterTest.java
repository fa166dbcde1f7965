package io.motley.agent.launch;

import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PrivilegeBoundaryTest} with jobs started through motley-start, as the distribution's agents start them. */
@ExtendWith(Starters.Through.class)
class PrivilegeBoundaryThroughStarterTest extends PrivilegeBoundaryTest {
    @Override
    boolean envReadByTheJobsGroup() {
        return false;
    }
}
