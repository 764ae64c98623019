package dev.conveyor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.FatalJobException;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.retry.RetryPolicy;
import dev.conveyor.worker.Worker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A worker with metrics on runs jobs that succeed, fail and retry, and die, on a real broker; a scrape of
 * /metrics over HTTP shows the counts and every listed meter. Counts only: durations vary from run to run.
 */
class MetricsEndpointTest {
    record Args(int n) {}

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "sqlite"})
    void scrapeShowsTheCountsAndEveryListedMeter(String broker) throws Exception {
        String url = broker.equals("memory") ? "memory:" : "sqlite:" + dir.resolve("metrics.db");
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Args, Void> ok = Task.named("ok", Args.class).action(a -> {});
        Task<Args, Void> flaky = Task.named("flaky", Args.class).retry(RetryPolicy.fixed(Duration.ofMillis(10)))
                .action(a -> {
                    if (runs.computeIfAbsent(a.n(), n -> new AtomicInteger()).incrementAndGet() == 1) {
                        throw new IllegalStateException("first run fails");
                    }
                });
        Task<Args, Void> doomed = Task.named("doomed", Args.class).maxAttempts(2)
                .retry(RetryPolicy.fixed(Duration.ofMillis(10))).action(a -> {
                    throw new IllegalStateException("always fails");
                });
        Task<Args, Void> fatal = Task.named("fatal", Args.class).action(a -> {
            throw new FatalJobException("no point retrying");
        });

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ConveyorMetrics metrics = new ConveyorMetrics(registry);
             Conveyor c = Conveyor.builder().broker(url).tasks(ok, flaky, doomed, fatal).listener(metrics).build();
             MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, 0)) {
            // A long interval: the test reads the queues itself, after the jobs are done.
            metrics.watchQueues(c, Duration.ofHours(1));
            c.enqueueAll(ok, List.of(new Args(1), new Args(2), new Args(3)));
            c.enqueueAll(flaky, List.of(new Args(4), new Args(5)));
            c.enqueue(doomed, new Args(6));
            c.enqueue(fatal, new Args(7));
            c.enqueue(ok, new Args(8), EnqueueOptions.defaults().queue("unwatched")); // no worker reads it
            Worker worker = c.startWorker(WorkerOptions.defaults().concurrency(4).shutdownOnSigterm(false));

            URI uri = server.uri();
            assertThat(uri.toString()).startsWith("http://127.0.0.1:").endsWith("/metrics");
            await().atMost(Duration.ofSeconds(30)).until(() -> finished(Scrape.of(uri)) == 7);
            metrics.pollQueuesNow();
            Scrape s = Scrape.of(uri);
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.contentType()).startsWith("text/plain");

            assertThat(count(s, "conveyor_jobs_enqueued_total", "ok", "default")).isEqualTo(3);
            assertThat(count(s, "conveyor_jobs_enqueued_total", "ok", "unwatched")).isEqualTo(1);
            assertThat(count(s, "conveyor_jobs_started_total", "ok", "default")).isEqualTo(3);
            assertThat(count(s, "conveyor_jobs_succeeded_total", "ok", "default")).isEqualTo(3);

            assertThat(count(s, "conveyor_jobs_enqueued_total", "flaky", "default")).isEqualTo(2);
            assertThat(count(s, "conveyor_jobs_started_total", "flaky", "default")).isEqualTo(4);
            assertThat(count(s, "conveyor_jobs_failed_total", "flaky", "default")).isEqualTo(2);
            assertThat(count(s, "conveyor_jobs_retried_total", "flaky", "default")).isEqualTo(2);
            assertThat(count(s, "conveyor_jobs_succeeded_total", "flaky", "default")).isEqualTo(2);

            assertThat(count(s, "conveyor_jobs_started_total", "doomed", "default")).isEqualTo(2);
            assertThat(count(s, "conveyor_jobs_failed_total", "doomed", "default")).isEqualTo(2);
            assertThat(count(s, "conveyor_jobs_retried_total", "doomed", "default")).isEqualTo(1);
            assertThat(count(s, "conveyor_jobs_dead_total", "doomed", "default")).isEqualTo(1);

            assertThat(count(s, "conveyor_jobs_failed_total", "fatal", "default")).isEqualTo(1);
            assertThat(count(s, "conveyor_jobs_retried_total", "fatal", "default")).isZero();
            assertThat(count(s, "conveyor_jobs_dead_total", "fatal", "default")).isEqualTo(1);
            for (String zero : List.of("cancelled", "postponed", "released", "refused")) {
                assertThat(count(s, "conveyor_jobs_" + zero + "_total", "ok", "default")).as(zero).isZero();
            }

            // Histograms: one run and one wait per start.
            assertThat(count(s, "conveyor_job_run_seconds_count", "flaky", "default")).isEqualTo(4);
            assertThat(count(s, "conveyor_job_wait_seconds_count", "flaky", "default")).isEqualTo(4);
            assertThat(s.has("conveyor_job_run_seconds_bucket")).isTrue();
            assertThat(s.has("conveyor_job_wait_seconds_bucket")).isTrue();

            assertThat(s.require("conveyor_queue_depth", Map.of("queue", "default", "state", "succeeded")))
                    .isEqualTo(5);
            assertThat(s.require("conveyor_queue_depth", Map.of("queue", "default", "state", "dead"))).isEqualTo(2);
            assertThat(s.require("conveyor_queue_depth", Map.of("queue", "default", "state", "ready"))).isZero();
            assertThat(s.require("conveyor_queue_depth", Map.of("queue", "unwatched", "state", "ready")))
                    .isEqualTo(1);
            for (String state : List.of("scheduled", "ready", "running", "succeeded", "dead", "cancelled")) {
                assertThat(s.value("conveyor_queue_depth", Map.of("queue", "default", "state", state))).isPresent();
            }
            assertThat(s.value("conveyor_queue_oldest_ready_age_seconds", Map.of("queue", "unwatched"))).isPresent();
            assertThat(s.require("conveyor_queue_oldest_ready_age_seconds", Map.of("queue", "default"))).isZero();
            assertThat(s.has("conveyor_queue_stats_age_seconds")).isTrue();

            Map<String, String> me = Map.of("worker", worker.name());
            assertThat(s.require("conveyor_worker_concurrency", me)).isEqualTo(4);
            assertThat(s.require("conveyor_worker_inflight", me)).isZero();
            assertThat(s.require("conveyor_worker_held", me)).isZero();
            assertThat(s.value("conveyor_worker_heartbeat_age_seconds", me)).isPresent();

            assertThat(Scrape.of(uri.resolve("/other")).status()).isEqualTo(404);

            worker.close();
            assertThat(Scrape.of(uri).has("conveyor_worker_concurrency")).as("a stopped worker's gauges go").isFalse();
        }
    }

    /** Runs that ended for good or will run again, over every task: 7 once all the jobs above are done. */
    private static double finished(Scrape s) {
        double total = 0;
        for (String task : List.of("ok", "flaky", "doomed", "fatal")) {
            total += s.value("conveyor_jobs_succeeded_total", Map.of("task", task, "queue", "default")).orElse(0);
            total += s.value("conveyor_jobs_dead_total", Map.of("task", task, "queue", "default")).orElse(0);
        }
        return total;
    }

    private static double count(Scrape s, String name, String task, String queue) {
        return s.require(name, Map.of("task", task, "queue", queue));
    }
}
