package io.motley.agent.launch;

import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RunAsSubmitterTest}'s jobs started through motley-start, which drops the privileges itself. */
@ExtendWith(Starters.Through.class)
class RunAsSubmitterThroughStarterTest extends RunAsSubmitterTest {}
