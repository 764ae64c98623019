package dev.conveyor.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The user-facing test helpers, used the way the Javadoc tells users to. */
class TestWorkerTest {
    record Resize(String url, int width) {}
    record Thumb(String url) {}

    static final Task<Resize, Thumb> RESIZE = Task.named("resize", Resize.class, Thumb.class)
            .queue("images")
            .handler(a -> {
                if (a.width() <= 0) throw new IllegalArgumentException("width must be positive");
                return new Thumb(a.url() + "?w=" + a.width());
            });

    @Test
    void runInlineRoundTripsArgsAndResultThroughJson() throws Exception {
        assertThat(TestWorker.runInline(RESIZE, new Resize("a.png", 200))).isEqualTo(new Thumb("a.png?w=200"));
        assertThatThrownBy(() -> TestWorker.runInline(RESIZE, new Resize("a.png", 0))).hasMessage("width must be positive");
    }

    @Test
    void drainRunsReadyJobsAndLeavesDelayedOnesUntilTheClockMoves() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").clock(clock).task(RESIZE).build()) {
            JobHandle<Thumb> now = conveyor.enqueue(RESIZE, new Resize("a.png", 100));
            JobHandle<Thumb> later = conveyor.enqueue(RESIZE, new Resize("b.png", 100),
                    EnqueueOptions.defaults().delay(Duration.ofMinutes(5)));
            TestWorker worker = TestWorker.of(conveyor);

            assertThat(worker.drain().succeeded()).isEqualTo(1);
            assertThat(now.await(Duration.ofSeconds(1))).isEqualTo(new Thumb("a.png?w=100"));
            assertThat(later.state()).isEqualTo(JobState.SCHEDULED);

            clock.advance(Duration.ofMinutes(5));
            assertThat(worker.drain().succeeded()).isEqualTo(1);
            assertThat(later.result()).contains(new Thumb("b.png?w=100"));
        }
    }

    @Test
    void drainAdvancingStopsAtItsSpan() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").clock(clock).task(RESIZE).build()) {
            JobHandle<Thumb> inAnHour = conveyor.enqueue(RESIZE, new Resize("c.png", 1),
                    EnqueueOptions.defaults().delay(Duration.ofHours(1)));
            assertThat(TestWorker.of(conveyor).drainAdvancing(clock, Duration.ofMinutes(59)).processed()).isZero();
            assertThat(TestWorker.of(conveyor).drainAdvancing(clock, Duration.ofMinutes(1)).succeeded()).isEqualTo(1);
            assertThat(inAnHour.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
        }
    }
}
