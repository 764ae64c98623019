package dev.conveyor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.CancelResult;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code conveyor_jobs_cancelled_total} counts runs ended by a cancel (METRICS.md): a handler that polls
 * {@code ctx.isCancelRequested()} and stops, and one blocked in a sleep that the worker interrupts, each count
 * once, as neither a failure nor a success; a job cancelled before any worker took it had no run and is not
 * counted (the queue gauge's {@code cancelled} state shows it).
 */
class CancelledMeterTest {
    record Args(int n) {}

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "sqlite"})
    void theCancelledCounterCountsRunsEndedByACancel(String broker) throws Exception {
        String url = broker.equals("memory") ? "memory:" : "sqlite:" + dir.resolve("cancel.db");
        CountDownLatch crunching = new CountDownLatch(1);
        CountDownLatch sleeping = new CountDownLatch(1);
        // Long CPU work that checks for a cancel between steps and stops there, as JobContext suggests.
        Task<Args, Void> crunch = Task.named("crunch", Args.class).queue("work").action((a, ctx) -> {
            crunching.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ctx.isCancelRequested() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // a step of the work
            }
        });
        // Blocked in a call the worker's interrupt ends.
        Task<Args, Void> nap = Task.named("nap", Args.class).queue("work").action(a -> {
            sleeping.countDown();
            Thread.sleep(60_000);
        });
        Task<Args, Void> later = Task.named("later", Args.class).queue("work").action(a -> {});

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ConveyorMetrics metrics = new ConveyorMetrics(registry);
             Conveyor c = Conveyor.builder().broker(url).tasks(crunch, nap, later).listener(metrics).build();
             MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, 0)) {
            metrics.watchQueues(c, Duration.ofHours(1));
            JobHandle<Void> early = c.enqueue(later, new Args(0), EnqueueOptions.defaults().delay(Duration.ofHours(1)));
            assertThat(early.cancel()).isEqualTo(CancelResult.CANCELLED);
            JobHandle<Void> cpu = c.enqueue(crunch, new Args(1));
            JobHandle<Void> blocked = c.enqueue(nap, new Args(2));
            Worker worker = c.startWorker(WorkerOptions.defaults().queues("work").pollInterval(Duration.ofMillis(50))
                    .heartbeatInterval(Duration.ofMillis(200)).leaseDuration(Duration.ofSeconds(5)).shutdownOnSigterm(false));
            try {
                assertThat(crunching.await(20, TimeUnit.SECONDS)).as("crunch started").isTrue();
                assertThat(sleeping.await(20, TimeUnit.SECONDS)).as("nap started").isTrue();
                assertThat(cpu.cancel()).isEqualTo(CancelResult.REQUESTED);
                assertThat(blocked.cancel()).isEqualTo(CancelResult.REQUESTED);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Map.of("crunch", state(c, cpu.id()),
                        "nap", state(c, blocked.id()))).containsOnly(Map.entry("crunch", JobState.CANCELLED),
                        Map.entry("nap", JobState.CANCELLED)));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        Scrape.of(server.uri()).value("conveyor_jobs_cancelled_total", tags("nap")).orElse(0) == 1
                                && Scrape.of(server.uri()).value("conveyor_jobs_cancelled_total", tags("crunch")).orElse(0) == 1);
            } finally {
                worker.shutdown(Duration.ofSeconds(5));
            }
            metrics.pollQueuesNow();
            Scrape s = Scrape.of(server.uri());
            for (String task : new String[] {"crunch", "nap"}) {
                assertThat(s.require("conveyor_jobs_started_total", tags(task))).as(task).isEqualTo(1);
                assertThat(s.require("conveyor_jobs_cancelled_total", tags(task))).as(task).isEqualTo(1);
                assertThat(s.require("conveyor_jobs_failed_total", tags(task))).as(task + ": a cancel is not a failure").isZero();
                assertThat(s.require("conveyor_jobs_succeeded_total", tags(task))).as(task).isZero();
                assertThat(s.require("conveyor_jobs_dead_total", tags(task))).as(task).isZero();
                assertThat(s.require("conveyor_job_run_seconds_count", tags(task))).as(task).isEqualTo(1);
            }
            // Cancelled while it waited: no run, so no count; the broker's numbers show it.
            assertThat(state(c, early.id())).isEqualTo(JobState.CANCELLED);
            assertThat(s.require("conveyor_jobs_enqueued_total", tags("later"))).isEqualTo(1);
            assertThat(s.require("conveyor_jobs_cancelled_total", tags("later"))).isZero();
            assertThat(s.require("conveyor_jobs_started_total", tags("later"))).isZero();
            assertThat(s.require("conveyor_queue_depth", Map.of("queue", "work", "state", "cancelled"))).isEqualTo(3);
        }
    }

    private static JobState state(Conveyor c, String id) {
        return c.store().get(id).orElseThrow().state();
    }

    private static Map<String, String> tags(String task) {
        return Map.of("task", task, "queue", "work");
    }
}
