package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.memory.MemoryBroker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.retry.RetryPolicy;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimeoutTest {
    record Args(int n) {}

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-11-25T12:00:00Z"));

    private static WorkerOptions fast() {
        return WorkerOptions.defaults()
                .leaseDuration(Duration.ofSeconds(30))
                .heartbeatInterval(Duration.ofMillis(20))
                .pollInterval(Duration.ofMillis(10))
                .stuckAfter(Duration.ofMillis(100))
                .shutdownGrace(Duration.ofMillis(200))
                .shutdownOnSigterm(false);
    }

    /**
     * The DESIGN rule: a handler that ignores its timeout interrupt keeps its slot and its lease until it
     * returns, so the job never runs twice at once — even while the clock passes many lease lengths and a
     * second worker polls the same queue. Its retry is scheduled only after it really returned.
     */
    @Test
    void nonCooperativeHandlerPastItsTimeoutIsNeverRunTwiceAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Task<Args, Void> stubborn = Task.named("stubborn", Args.class)
                .timeout(Duration.ofMillis(50))
                .maxAttempts(3)
                .retry(RetryPolicy.fixed(Duration.ofMinutes(1)))
                .action(a -> {
                    int now = running.incrementAndGet();
                    maxRunning.accumulateAndGet(now, Math::max);
                    try {
                        if (runs.incrementAndGet() == 1) {
                            while (true) { // ignores interrupts until the test lets it go
                                try {
                                    if (release.await(10, TimeUnit.SECONDS)) break;
                                } catch (InterruptedException ignored) {
                                    // non-cooperative
                                }
                            }
                        }
                    } finally {
                        running.decrementAndGet();
                    }
                });
        MemoryBroker broker = new MemoryBroker(new BrokerContext(clock));
        try (Conveyor a = Conveyor.builder().broker(broker).clock(clock).task(stubborn).build();
             Conveyor b = Conveyor.builder().broker(broker).clock(clock).task(stubborn).build()) {
            Worker first = a.startWorker(fast());
            JobHandle<Void> job = a.enqueue(stubborn, new Args(1));
            await().until(() -> runs.get() == 1);
            await().until(() -> first.inFlight().stream().anyMatch(RunningJob::isStuck));
            assertThat(first.stats().stuck()).as("counted in the stats").isEqualTo(1);
            Worker second = b.startWorker(fast());

            // Ten lease lengths pass; the stuck job's lease is extended each time, so nobody else gets it.
            for (int i = 0; i < 10; i++) {
                first.heartbeatNow();
                clock.advance(Duration.ofSeconds(29));
                first.heartbeatNow();
                assertThat(broker.fetch(List.of("default"), 10, Duration.ofSeconds(30))).isEmpty();
            }
            assertThat(job.state()).isEqualTo(JobState.RUNNING);
            assertThat(runs.get()).isEqualTo(1);

            release.countDown();
            await().until(() -> job.state() == JobState.SCHEDULED);
            await().until(() -> first.stats().stuck() == 0);
            JobInfo info = job.info().orElseThrow();
            assertThat(info.job().attempt()).isEqualTo(1);
            assertThat(info.lastError().type()).isEqualTo("timeout");
            assertThat(info.lastError().message()).isEqualTo("timed out after PT0.05S");

            clock.advance(Duration.ofMinutes(1));
            await().until(() -> job.state() == JobState.SUCCEEDED);
            assertThat(runs.get()).isEqualTo(2);
            assertThat(maxRunning.get()).isEqualTo(1);
            assertThat(first.stats().stale() + second.stats().stale()).isZero();
        }
    }

    @Test
    void cooperativeHandlerIsInterruptedAndTheAttemptCounts() {
        Task<Args, Void> slow = Task.named("slow", Args.class)
                .timeout(Duration.ofMillis(50))
                .maxAttempts(1)
                .action(a -> Thread.sleep(60_000));
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).task(slow).build()) {
            c.startWorker(fast());
            JobHandle<Void> job = c.enqueue(slow, new Args(1));
            await().until(() -> job.state() == JobState.DEAD);
            JobInfo info = job.info().orElseThrow();
            assertThat(info.job().attempt()).isEqualTo(1);
            assertThat(info.deadReason()).isEqualTo("gave up after 1 attempt: timed out after PT0.05S");
            assertThat(info.lastError().stackTrace()).contains("InterruptedException");
        }
    }

    @Test
    void asyncHandlerEndsWhenItsStageDoesAndItsTimeoutCancelsIt() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Task<Args, String> quick = Task.named("async_quick", Args.class, String.class)
                .asyncHandler((a, ctx) -> CompletableFuture.supplyAsync(() -> "n=" + a.n()));
        Task<Args, String> hanging = Task.named("async_hanging", Args.class, String.class)
                .timeout(Duration.ofMillis(50))
                .maxAttempts(1)
                .asyncHandler((a, ctx) -> never);
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).tasks(quick, hanging).build()) {
            c.startWorker(fast());
            assertThat(c.enqueue(quick, new Args(7)).await(Duration.ofSeconds(10))).isEqualTo("n=7");
            JobHandle<String> h = c.enqueue(hanging, new Args(1));
            await().until(() -> h.state() == JobState.DEAD);
            assertThat(h.info().orElseThrow().lastError().type()).isEqualTo("timeout");
            assertThat(never).isCancelled();
        }
    }

    @Test
    void aTimeoutIsARetryableFailureEvenWhenTheTaskOnlyRetriesSomeExceptions() {
        Task<Args, Void> picky = Task.named("picky", Args.class)
                .retryOn(java.io.IOException.class)
                .timeout(Duration.ofMillis(50))
                .maxAttempts(3)
                .action(a -> Thread.sleep(60_000));
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).task(picky).build()) {
            c.startWorker(fast());
            JobHandle<Void> job = c.enqueue(picky, new Args(1));
            await().until(() -> job.info().orElseThrow().job().attempt() == 1);
            assertThat(job.state()).isIn(JobState.SCHEDULED, JobState.READY);
            assertThat(job.info().orElseThrow().lastError().type()).isEqualTo("timeout");
        }
    }
}
