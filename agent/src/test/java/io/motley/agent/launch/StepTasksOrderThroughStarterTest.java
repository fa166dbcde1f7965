package io.motley.agent.launch;

/** {@link StepTasksOrderTest}'s tasks started through motley-start, as the distribution's agents start them. */
class StepTasksOrderThroughStarterTest extends StepTasksOrderTest {
    @Override
    StepTasks.Place place() {
        try {
            return place(dir, Starters.built());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
