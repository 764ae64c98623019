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
    void aTasksOwnKeepTimeWinsOverThePolicyBothWaysAndAnEnqueueOverridesIt() {
        Task<Args, String> report = Task.named("report", Args.class, String.class)
                .keepResultFor(Duration.ofDays(7)).handler(a -> "report " + a.n());
        Task<Args, String> ping = Task.named("ping", Args.class, String.class)
                .keepResultFor(Duration.ZERO).handler(a -> "pong");
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).tasks(ok, report, ping).build()) {
            var kept = c.enqueue(report, new Args(1));
            var short_ = c.enqueue(report, new Args(2), dev.conveyor.EnqueueOptions.defaults().keepResultFor(Duration.ofMinutes(5)));
            var pong = c.enqueue(ping, new Args(3));
            var plain = c.enqueue(ok, new Args(4));
            TestWorker.of(c).drain();
            assertThat(c.store().get(kept.id()).orElseThrow().job().keepResultFor()).isEqualTo(Duration.ofDays(7));

            // a policy with no age limit at all, only a count limit far away: the zero keep time still goes
            Retention countOnly = Retention.keepAll().maxSucceeded(1_000);
            assertThat(new Pruner(c.store(), countOnly, clock).runOnce()).isEqualTo(1);
            assertThat(c.store().get(pong.id())).isEmpty();

            clock.advance(Duration.ofHours(2));
            Retention hour = Retention.defaults().succeededFor(Duration.ofHours(1)).maxSucceeded(1);
            // the plain job by age, the 5-minute one by its own time; the count limit (1) never takes the week-long one
            assertThat(new Pruner(c.store(), hour, clock).runOnce()).isEqualTo(2);
            assertThat(c.store().get(plain.id())).isEmpty();
            assertThat(c.store().get(short_.id())).isEmpty();
            assertThat(c.store().get(kept.id())).isPresent();
            assertThat(kept.await(Duration.ofSeconds(1))).isEqualTo("report 1");

            clock.advance(Duration.ofDays(3));
            assertThat(new Pruner(c.store(), hour, clock).runOnce()).as("kept past the policy's hour").isZero();
            clock.advance(Duration.ofDays(4));
            assertThat(new Pruner(c.store(), hour, clock).runOnce()).isEqualTo(1);
            assertThat(c.store().get(kept.id())).isEmpty();
        }
    }

    @Test
    void keepTimesOutOfRangeAreRefusedWithTheLimitNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Task.named("t", Args.class).keepResultFor(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepResultFor must be 0 to 36500 days");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.conveyor.EnqueueOptions.defaults().keepResultFor(Duration.ofDays(40_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepResultFor");
        // from the wire: a header that is not whole milliseconds makes the envelope invalid (a corrupt record)
        for (String bad : new String[] {"", "-1", "1.5", "1e3", "99999999999999", " 5"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new dev.conveyor.job.Job("id", "t", "q", "{}",
                            java.util.Map.of(dev.conveyor.job.Job.KEEP_RESULT_HEADER, bad), 5, 0, 0, 1, 1, Instant.EPOCH,
                            Instant.EPOCH, null, null, null, null, null, null))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conveyor-keep-result-ms");
        }
    }

    @Test
    void keepAllPrunesNothing() {
        assertThat(Retention.keepAll().prunesAnything()).isFalse();
    }
}
