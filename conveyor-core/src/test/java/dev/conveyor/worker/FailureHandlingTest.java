package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.FatalJobException;
import dev.conveyor.JobHandle;
import dev.conveyor.RetryLaterException;
import dev.conveyor.Task;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.retry.RetryPolicy;
import dev.conveyor.testing.DrainReport;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testing.TestWorker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retry, backoff, fatal errors and the dead set, run through the same executor a worker uses. */
class FailureHandlingTest {
    record Args(int n) {}

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-11-25T12:00:00Z"));

    private Conveyor conveyor(Task<?, ?>... tasks) {
        return Conveyor.builder().broker("memory:").clock(clock).tasks(tasks).build();
    }

    @Test
    void retriesOnThePolicysScheduleThenGoesDeadWithEveryAttemptsError() {
        AtomicInteger runs = new AtomicInteger();
        List<Instant> ranAt = new ArrayList<>();
        Task<Args, Void> flaky = Task.named("flaky", Args.class)
                .maxAttempts(4)
                .retry(RetryPolicy.exponentialNoJitter(Duration.ofSeconds(10), Duration.ofMinutes(1)))
                .action(a -> {
                    ranAt.add(clock.instant());
                    throw new IllegalStateException("boom " + runs.incrementAndGet());
                });
        try (Conveyor c = conveyor(flaky)) {
            JobHandle<Void> job = c.enqueue(flaky, new Args(1));
            Instant start = clock.instant();
            DrainReport r = TestWorker.of(c).drainAdvancing(clock, Duration.ofHours(1));
            assertThat(r.retried()).isEqualTo(3);
            assertThat(r.dead()).isEqualTo(1);
            assertThat(ranAt).containsExactly(start, start.plusSeconds(10), start.plusSeconds(30), start.plusSeconds(70));
            JobInfo info = job.info().orElseThrow();
            assertThat(info.state()).isEqualTo(JobState.DEAD);
            assertThat(info.job().attempt()).isEqualTo(4);
            assertThat(info.errors()).extracting(AttemptError::attempt).containsExactly(1, 2, 3, 4);
            assertThat(info.errors()).extracting(AttemptError::message)
                    .containsExactly("boom 1", "boom 2", "boom 3", "gave up after 4 attempts: boom 4");
            assertThat(info.lastError().stackTrace()).contains("IllegalStateException: boom 4");
            assertThat(info.deadReason()).isEqualTo("gave up after 4 attempts: boom 4");
        }
    }

    @Test
    void aJobWhoseWorkerDiedMaxDeliveriesTimesIsQuarantinedUnrunByTheNextWorker() {
        AtomicInteger runs = new AtomicInteger();
        Task<Args, Void> killer = Task.named("killer", Args.class).maxDeliveries(3).action(a -> runs.incrementAndGet());
        try (Conveyor c = conveyor(killer)) {
            JobHandle<Void> job = c.enqueue(killer, new Args(1));
            for (int i = 1; i <= 3; i++) { // three workers lease it, start its handler and die
                var leased = c.broker().fetch(List.of("default"), 1, Duration.ofSeconds(30)).getFirst();
                if (i > 1) c.broker().markStarted(List.of(leased.lease()));
                clock.advance(Duration.ofSeconds(31));
            }
            DrainReport r = TestWorker.of(c).drainAdvancing(clock, Duration.ofMinutes(1));
            assertThat(runs).as("buried unrun").hasValue(0);
            assertThat(r.dead()).isEqualTo(1);
            JobInfo info = job.info().orElseThrow();
            assertThat(info.state()).isEqualTo(JobState.DEAD);
            assertThat(info.deadReason()).isEqualTo("quarantined: its worker died 3 times while running this job (maxDeliveries=3)");
            assertThat(info.lastError().type()).isEqualTo("quarantined");
            assertThat(info.job().attempt()).as("no attempt used").isZero();
        }
    }

    @Test
    void transientFailureRetriesAndSucceeds() {
        AtomicInteger runs = new AtomicInteger();
        Task<Args, Integer> sometimes = Task.named("sometimes", Args.class, Integer.class)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(5)))
                .handler(a -> {
                    if (runs.incrementAndGet() < 3) throw new UncheckedIOException(new IOException("connection reset"));
                    return a.n() * 2;
                });
        try (Conveyor c = conveyor(sometimes)) {
            JobHandle<Integer> job = c.enqueue(sometimes, new Args(21));
            TestWorker.of(c).drainAdvancing(clock, Duration.ofMinutes(1));
            assertThat(job.await(Duration.ofSeconds(1))).isEqualTo(42);
            assertThat(job.info().orElseThrow().job().attempt()).isEqualTo(2);
        }
    }

    @Test
    void handlerChosenDelayWinsOverThePolicy() {
        AtomicInteger runs = new AtomicInteger();
        Task<Args, Void> limited = Task.named("limited", Args.class)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1)))
                .action(a -> {
                    if (runs.incrementAndGet() == 1) throw new RetryLaterException(Duration.ofMinutes(2), "429 from API");
                });
        try (Conveyor c = conveyor(limited)) {
            JobHandle<Void> job = c.enqueue(limited, new Args(1));
            TestWorker.of(c).drain();
            assertThat(job.info().orElseThrow().job().runAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));
            clock.advance(Duration.ofSeconds(119));
            assertThat(TestWorker.of(c).drain().processed()).isZero();
            clock.advance(Duration.ofSeconds(1));
            assertThat(TestWorker.of(c).drain().succeeded()).isEqualTo(1);
        }
    }

    @Test
    void fatalErrorsSkipTheRetries() {
        Task<Args, Void> fatal = Task.named("fatal", Args.class)
                .action(a -> {
                    throw new FatalJobException("user 7 does not exist");
                });
        Task<Args, Void> fatalOn = Task.named("fatal_on", Args.class)
                .fatalOn(IllegalArgumentException.class)
                .action(a -> {
                    throw new IllegalArgumentException("bad input");
                });
        Task<Args, Void> retryOn = Task.named("retry_on", Args.class)
                .retryOn(IOException.class)
                .action(a -> {
                    throw new IllegalStateException("not an I/O problem");
                });
        try (Conveyor c = conveyor(fatal, fatalOn, retryOn)) {
            List<JobHandle<Void>> jobs = List.of(c.enqueue(fatal, new Args(1)), c.enqueue(fatalOn, new Args(1)),
                    c.enqueue(retryOn, new Args(1)));
            DrainReport r = TestWorker.of(c).drain();
            assertThat(r.dead()).isEqualTo(3);
            assertThat(r.retried()).isZero();
            assertThat(jobs).allSatisfy(j -> assertThat(j.info().orElseThrow().job().attempt()).isEqualTo(1));
            assertThat(jobs.get(0).info().orElseThrow().deadReason()).isEqualTo("user 7 does not exist");
        }
    }

    @Test
    void unknownTaskAndMalformedArgsGoDeadUnrunWithAClearReason() {
        Task<Args, Void> known = Task.named("known", Args.class).action(a -> {});
        try (Conveyor producer = conveyor(known)) {
            JobHandle<?> unknown = producer.enqueueJson("nobody_has_this", "{}", EnqueueOptions.defaults());
            JobHandle<?> malformed = producer.enqueueJson("known", "{\"n\":\"not a number\"}", EnqueueOptions.defaults());
            JobHandle<?> missing = producer.enqueueJson("known", "{}", EnqueueOptions.defaults());
            JobHandle<?> fine = producer.enqueueJson("known", "{\"n\":3,\"extra\":true}", EnqueueOptions.defaults());
            DrainReport r = TestWorker.of(producer).drain();
            assertThat(r.dead()).isEqualTo(3);
            assertThat(r.succeeded()).isEqualTo(1);
            assertThat(unknown.info().orElseThrow().deadReason()).isEqualTo("unknown task 'nobody_has_this'");
            assertThat(malformed.info().orElseThrow().deadReason()).startsWith("malformed args for task 'known': ");
            assertThat(missing.info().orElseThrow().deadReason()).startsWith("malformed args for task 'known': ");
            assertThat(unknown.info().orElseThrow().job().attempt()).isZero();
            assertThat(fine.state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void tooOldJobsGoDeadUnrun() {
        AtomicInteger runs = new AtomicInteger();
        Task<Args, Void> fresh = Task.named("fresh", Args.class).maxAge(Duration.ofMinutes(5)).action(a -> runs.incrementAndGet());
        try (Conveyor c = conveyor(fresh)) {
            JobHandle<Void> late = c.enqueue(fresh, new Args(1));
            clock.advance(Duration.ofMinutes(6));
            JobHandle<Void> onTime = c.enqueue(fresh, new Args(2));
            TestWorker.of(c).drain();
            assertThat(runs.get()).isEqualTo(1);
            assertThat(late.state()).isEqualTo(JobState.DEAD);
            assertThat(late.info().orElseThrow().deadReason()).startsWith("expired: not started before its age limit");
            assertThat(onTime.state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
