package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Retention;
import dev.conveyor.Task;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testing.TestWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrunerTest {
    record Args(int n) {}

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-11-25T00:00:00Z"));
    private final Task<Args, Void> ok = Task.named("ok", Args.class).action(a -> {});
    private final Task<Args, Void> bad = Task.named("bad", Args.class).maxAttempts(1).action(a -> {
        throw new IllegalStateException("no");
    });

    private long count(Conveyor c, JobState s) {
        return c.store().queues().stream().mapToLong(q -> q.count(s)).sum();
    }

    @Test
    void prunesByAgeAndByCountAndKeepsDeadJobsLonger() {
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).tasks(ok, bad).build()) {
            c.enqueueAll(ok, IntStream.range(0, 30).mapToObj(Args::new).toList());
            c.enqueue(bad, new Args(0));
            TestWorker.of(c).drain();
            clock.advance(Duration.ofHours(2));
            c.enqueueAll(ok, IntStream.range(0, 12).mapToObj(Args::new).toList());
            TestWorker.of(c).drain();

            Retention policy = Retention.defaults().succeededFor(Duration.ofHours(1)).maxSucceeded(10)
                    .deadFor(Duration.ofDays(7)).batch(4);
            int deleted = new Pruner(c.store(), policy, clock).runOnce();
            // 30 older than an hour go by age, then 2 of the 12 recent ones by count; the dead job stays.
            assertThat(deleted).isEqualTo(32);
            assertThat(count(c, JobState.SUCCEEDED)).isEqualTo(10);
            assertThat(count(c, JobState.DEAD)).isEqualTo(1);

            clock.advance(Duration.ofDays(8));
            assertThat(new Pruner(c.store(), policy, clock).runOnce()).isEqualTo(11);
            assertThat(count(c, JobState.DEAD)).isZero();
        }
    }

    @Test
    void keepAllPrunesNothing() {
        assertThat(Retention.keepAll().prunesAnything()).isFalse();
    }
}
