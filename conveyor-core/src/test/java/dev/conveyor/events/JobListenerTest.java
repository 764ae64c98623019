package dev.conveyor.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.FatalJobException;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.Job;
import dev.conveyor.retry.RetryPolicy;
import dev.conveyor.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** A real worker on the memory broker tells its listeners what the broker recorded. */
class JobListenerTest {
    record Args(int n) {}

    /** Counts every event by name ("enqueued", "started", "failed", and each outcome). */
    static final class Counting implements JobListener {
        final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        final List<WorkerView> started = new CopyOnWriteArrayList<>();
        final List<WorkerView> stopped = new CopyOnWriteArrayList<>();

        long count(String event) {
            LongAdder a = counts.get(event);
            return a == null ? 0 : a.sum();
        }

        private void add(String event) {
            counts.computeIfAbsent(event, k -> new LongAdder()).increment();
        }

        @Override
        public void enqueued(Job job) {
            add("enqueued");
        }

        @Override
        public void started(Job job, Duration waited) {
            add(waited.isNegative() ? "negative wait" : "started");
        }

        @Override
        public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
            add(outcome.name());
            if (handlerFailed) add("failed");
            if (runTime != null) add("timed");
        }

        @Override
        public void workerStarted(WorkerView worker) {
            started.add(worker);
        }

        @Override
        public void workerStopped(WorkerView worker) {
            stopped.add(worker);
        }
    }

    @Test
    void hearsEnqueuesStartsAndEveryRecordedOutcome() {
        AtomicInteger flakyRuns = new AtomicInteger();
        Task<Args, Void> ok = Task.named("ok", Args.class).action(a -> {});
        Task<Args, Void> flaky = Task.named("flaky", Args.class).retry(RetryPolicy.fixed(Duration.ofMillis(10)))
                .action(a -> {
                    if (flakyRuns.incrementAndGet() == 1) throw new IllegalStateException("once");
                });
        Task<Args, Void> doomed = Task.named("doomed", Args.class).action(a -> {
            throw new FatalJobException("never works");
        });
        Counting counting = new Counting();
        JobListener throwing = new JobListener() {
            @Override
            public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
                throw new IllegalStateException("a broken listener must not disturb the others");
            }
        };
        try (Conveyor c = Conveyor.builder().broker("memory:").tasks(ok, flaky, doomed)
                .listener(throwing).listener(counting).build()) {
            c.enqueueAll(ok, List.of(new Args(1), new Args(2), new Args(3)));
            c.enqueue(flaky, new Args(4));
            c.enqueue(doomed, new Args(5));
            c.enqueue(ok, new Args(6), EnqueueOptions.defaults().uniqueKey("k"));
            c.enqueue(ok, new Args(7), EnqueueOptions.defaults().uniqueKey("k")); // a duplicate: nothing stored
            Worker w = c.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            assertThat(counting.started).containsExactly(w);

            await().atMost(Duration.ofSeconds(20)).until(() -> counting.count("SUCCEEDED") == 5
                    && counting.count("DEAD") == 1);
            assertThat(counting.count("enqueued")).isEqualTo(6);
            assertThat(counting.count("started")).isEqualTo(7); // 4 ok, flaky twice, doomed once
            assertThat(counting.count("RETRIED")).isEqualTo(1);
            assertThat(counting.count("failed")).isEqualTo(2);  // flaky's first run and doomed's only run
            assertThat(counting.count("timed")).isEqualTo(7);
            assertThat(counting.count("REFUSED")).isZero();
            assertThat(counting.count("negative wait")).isZero();
            w.close();
            assertThat(counting.stopped).containsExactly(w);
            assertThat(w.heartbeatAge()).isLessThan(Duration.ofMinutes(1));
        }
    }

    @Test
    void aHandlerThatStopsOnTheCancelEndsCancelledNotSucceeded() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean sawCancel = new java.util.concurrent.atomic.AtomicBoolean();
        // Long CPU work that checks for a cancel between steps and returns there (JobContext.isCancelRequested).
        Task<Args, Args> crunch = Task.named("crunch", Args.class, Args.class).handler((a, ctx) -> {
            running.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ctx.isCancelRequested() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            }
            sawCancel.set(ctx.isCancelRequested());
            return new Args(-1); // a partial result: not stored
        });
        Counting counting = new Counting();
        try (Conveyor c = Conveyor.builder().broker("memory:").tasks(crunch).listener(counting).build()) {
            dev.conveyor.JobHandle<Args> h = c.enqueue(crunch, new Args(1));
            Worker w = c.startWorker(WorkerOptions.defaults().heartbeatInterval(Duration.ofMillis(100))
                    .pollInterval(Duration.ofMillis(20)).shutdownOnSigterm(false));
            assertThat(running.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(h.cancel()).isEqualTo(dev.conveyor.broker.CancelResult.REQUESTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> counting.count("CANCELLED") + counting.count("SUCCEEDED") == 1);
            assertThat(sawCancel).isTrue();
            assertThat(counting.count("CANCELLED")).isEqualTo(1);
            assertThat(counting.count("SUCCEEDED")).isZero();
            assertThat(counting.count("failed")).as("a cancel is not a failure").isZero();
            dev.conveyor.job.JobInfo info = c.store().get(h.id()).orElseThrow();
            assertThat(info.state()).isEqualTo(dev.conveyor.job.JobState.CANCELLED);
            assertThat(info.result()).isNull();
            assertThat(info.job().attempt()).as("a cancel uses no attempt").isZero();
            w.close();
        }
    }
}
