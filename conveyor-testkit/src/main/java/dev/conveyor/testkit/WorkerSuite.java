package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.retry.RetryPolicy;
import dev.conveyor.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real {@link Worker} on the broker, driven by the test clock: the retry schedule, graceful shutdown
 * handing jobs back, and the message age limit.
 */
abstract class WorkerSuite extends SuiteBase {

    @BeforeEach
    void needsInspection() {
        requires(Capability.INSPECTION); // the tests read job states
    }

    @Test
    void aFailingJobIsRetriedOnAFixedScheduleUntilItIsDead() {
        runRetrySchedule(RetryPolicy.fixed(Duration.ofSeconds(10)), 3,
                List.of(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    }

    @Test
    void aFailingJobIsRetriedOnAnExponentialScheduleUntilItIsDead() {
        runRetrySchedule(RetryPolicy.exponentialNoJitter(Duration.ofSeconds(1), Duration.ofHours(1)), 4,
                List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)));
    }

    /**
     * Runs a task that always fails and checks every retry lands exactly at failure time + the policy's delay,
     * is not run a moment before, and that the last failure buries it with the whole history.
     */
    private void runRetrySchedule(RetryPolicy policy, int maxAttempts, List<Duration> delays) {
        requires(Capability.DELAYED);
        String q = queue();
        AtomicInteger runs = new AtomicInteger();
        Task<Num, Void> flaky = Task.named("conformance.flaky", Num.class).queue(q).maxAttempts(maxAttempts)
                .retry(policy).action(a -> {
                    throw new IllegalStateException("failure " + runs.incrementAndGet());
                });
        AtomicInteger probes = new AtomicInteger();
        Task<Num, Void> probe = Task.named("conformance.probe", Num.class).queue(q).action(a -> probes.incrementAndGet());
        Conveyor conveyor = conveyor(flaky, probe);
        startWorker(conveyor, q);
        String id = conveyor.enqueue(flaky, new Num(1)).id();

        for (int failures = 1; failures < maxAttempts; failures++) {
            Instant failedAt = now(); // the clock stands still while the worker runs the attempt
            int n = failures;
            JobInfo waiting = awaitInfo(id, "retry after failure " + n,
                    i -> i.job().attempt() == n && i.state() == JobState.SCHEDULED);
            Duration delay = delays.get(n - 1);
            assertThat(waiting.job().runAt()).as("runAt after failure %d", n).isEqualTo(failedAt.plus(delay));
            assertThat(waiting.errors()).hasSize(n);

            // A moment before it is due: a probe job run after the clock moved proves the worker has
            // fetched since, and the retry was not taken.
            clock().advance(delay.minus(MS));
            String probeId = conveyor.enqueue(probe, new Num(n)).id();
            awaitState(probeId, JobState.SUCCEEDED);
            assertThat(runs).as("runs before the retry is due").hasValue(n);
            assertThat(info(id).state()).isEqualTo(JobState.SCHEDULED);
            clock().advance(MS);
        }
        JobInfo dead = awaitState(id, JobState.DEAD);
        assertThat(runs).hasValue(maxAttempts);
        assertThat(dead.job().attempt()).isEqualTo(maxAttempts);
        assertThat(dead.deadReason()).startsWith("gave up after " + maxAttempts + " attempts")
                .contains("failure " + maxAttempts);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= maxAttempts; i++) expected.add("failure " + i);
        assertThat(dead.errors()).extracting(AttemptError::attempt)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, maxAttempts).boxed().toList());
        assertThat(dead.errors().subList(0, maxAttempts - 1)).extracting(AttemptError::message)
                .containsExactlyElementsOf(expected.subList(0, maxAttempts - 1));
        assertThat(dead.errors()).allSatisfy(e -> assertThat(e.type()).isEqualTo(IllegalStateException.class.getName()));
    }

    @Test
    void shutdownHandsBackJobsThatOutlastTheGracePeriodAndLetsOthersFinish() throws Exception {
        String q = queue();
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Task<Num, Void> stubborn = Task.named("conformance.long", Num.class).queue(q).action(a -> {
            started.incrementAndGet();
            never.await(); // cooperative: returns by InterruptedException when the worker interrupts it
        });
        Task<Num, Void> finishing = Task.named("conformance.gated", Num.class).queue(q).action(a -> {
            started.incrementAndGet();
            gate.await();
        });
        Conveyor conveyor = conveyor(stubborn, finishing);
        Worker worker = startWorker(conveyor, q);
        List<String> longIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) longIds.add(conveyor.enqueue(stubborn, new Num(i)).id());
        String quickId = conveyor.enqueue(finishing, new Num(9)).id();
        eventually().untilAsserted(() -> assertThat(started).hasValue(4));
        for (String id : longIds) assertThat(info(id).state()).isEqualTo(JobState.RUNNING);

        try {
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> worker.shutdown(Duration.ofMillis(300)));
            gate.countDown(); // this one finishes inside the grace period
            stopping.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            never.countDown();
        }

        assertThat(info(quickId).state()).isEqualTo(JobState.SUCCEEDED);
        for (String id : longIds) {
            JobInfo info = info(id);
            assertThat(info.state()).as("job %s handed back", id).isEqualTo(JobState.READY);
            assertThat(info.job().attempt()).as("no attempt used").isZero();
            assertThat(info.job().deliveries()).as("the delivery is not counted").isZero();
            assertThat(info.errors()).isEmpty();
        }
        assertThat(worker.stats().released()).isEqualTo(3);
        assertThat(worker.stats().succeeded()).isEqualTo(1);
    }

    @Test
    void heartbeatsKeepALongJobFromBeingRedelivered() throws Exception {
        String q = queue();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Task<Num, Void> slow = Task.named("conformance.slow", Num.class).queue(q).noTimeout().action(a -> {
            runs.incrementAndGet();
            running.countDown();
            finish.await();
        });
        Conveyor conveyor = conveyor(slow);
        Duration lease = Duration.ofSeconds(30);
        Worker worker = conveyor.startWorker(workerOptions(q).leaseDuration(lease).heartbeatInterval(Duration.ofSeconds(10)));
        String id = conveyor.enqueue(slow, new Num(1)).id();
        try {
            assertThat(running.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++) { // 100 s on the clock: more than three leases
                clock().advance(Duration.ofSeconds(20));
                worker.heartbeatNow();
                assertThat(info(id).leaseUntil()).isEqualTo(now().plus(lease));
                assertNothingToFetch(q);
            }
        } finally {
            finish.countDown();
        }
        JobInfo done = awaitState(id, JobState.SUCCEEDED);
        assertThat(done.job().deliveries()).isEqualTo(1);
        assertThat(runs).hasValue(1);
        assertThat(worker.stats().stale()).isZero();
    }

    @Test
    void aJobOlderThanItsAgeLimitGoesDeadUnrun() {
        String q = queue();
        AtomicInteger runs = new AtomicInteger();
        Task<Num, Void> aged = Task.named("conformance.aged", Num.class).queue(q).maxAge(Duration.ofMinutes(1))
                .action(a -> runs.incrementAndGet());
        Conveyor conveyor = conveyor(aged);
        String old = conveyor.enqueue(aged, new Num(1)).id();
        clock().advance(Duration.ofMinutes(2));
        String fresh = conveyor.enqueue(aged, new Num(2)).id();
        startWorker(conveyor, q);

        JobInfo dead = awaitState(old, JobState.DEAD);
        awaitState(fresh, JobState.SUCCEEDED);
        assertThat(runs).as("only the fresh job ran").hasValue(1);
        assertThat(dead.deadReason()).containsIgnoringCase("expired");
        assertThat(dead.job().attempt()).as("no attempt used").isZero();
    }
}
