package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.as;
import static io.motley.controller.cluster.Calls.ended;
import static io.motley.controller.cluster.Calls.id;
import static io.motley.controller.cluster.ClusterTest.registration;
import static io.motley.controller.cluster.ClusterTest.req;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.motley.controller.store.MemoryStore;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** While the store is down, agents report each unrecorded job end at every heartbeat: the log gets a few lines, not one each. */
class UnrecordedEndsLogTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(RunEnds.class)).addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        ((Logger) LoggerFactory.getLogger(RunEnds.class)).detachAppender(logged);
    }

    List<String> warnings() {
        return logged.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void anOutageLogsUnrecordedEndsOnceAnIntervalWithHowManyFailed() {
        MemoryStore store = new MemoryStore();
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=1000"), store, now::get);
        c.register(new ClusterTest.FakeLink("n1"), registration("n1", 4));
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) jobs.add(id(c.submit(req(1), as(1000, 1000, "alice"))));
        c.schedulePass();

        store.failWith("the job database jdbc:postgresql://db/motley is unreachable");
        // a minute of heartbeats every 5 s, each repeating the four ends: 48 failed writes
        for (int beat = 0; beat < 12; beat++) {
            for (long j : jobs) c.jobEnded("n1", ended(j, 0, JobState.COMPLETED, 0, 0, now.get(), null));
            now.addAndGet(5);
        }
        long interval = RunEnds.UNRECORDED_REPORT_INTERVAL.toSeconds();
        assertThat(warnings()).hasSize((int) (60 / interval));
        assertThat(warnings().get(0)).contains("job end not recorded").contains("failures=1");
        assertThat(warnings().get(1)).contains("failures=" + (4 * interval / 5));
        for (long j : jobs)
            assertThat(c.job(j)).get().extracting(io.motley.core.job.Job::state).isEqualTo(JobState.RUNNING);

        // back: the ends reported again are recorded, with no more warnings
        store.failWith(null);
        for (long j : jobs) c.jobEnded("n1", ended(j, 0, JobState.COMPLETED, 0, 0, now.get(), null));
        for (long j : jobs)
            assertThat(c.job(j)).get().extracting(io.motley.core.job.Job::state).isEqualTo(JobState.COMPLETED);
        assertThat(warnings()).hasSize((int) (60 / interval));
    }
}
