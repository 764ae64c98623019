package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobState;
import dev.conveyor.testkit.servers.PrivatePostgres;
import dev.conveyor.testkit.servers.PrivateServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The database restarts mid-run (a private server SIGKILLed, postmaster and backends): workers and producers log,
 * back off and reconnect; every acknowledged job runs; nothing stays stuck in RUNNING once leases expire.
 */
class PostgresRestartTest {
    record Work(int n) {}

    @Test
    void workersRideOutADatabaseRestart() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> ran = ConcurrentHashMap.newKeySet();
        AtomicInteger failedEnqueues = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong longestEnqueueMs = new java.util.concurrent.atomic.AtomicLong();
        Task<Work, Void> work = Task.named("restart.work", Work.class).action((a, ctx) -> ran.add(ctx.jobId()));
        try (PrivatePostgres pg = PrivateServer.started(new PrivatePostgres());
             Conveyor conveyor = Conveyor.builder().broker(pg.url("pool=4")).task(work).build()) {
            conveyor.startWorker(WorkerOptions.defaults().leaseDuration(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(50)).shutdownOnSigterm(false));
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = Thread.ofPlatform().start(() -> {
                for (int n = 0; producing.get(); n++) {
                    long start = System.nanoTime();
                    try {
                        acknowledged.add(conveyor.enqueue(work, new Work(n)).id());
                        longestEnqueueMs.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                    } catch (RuntimeException e) {
                        failedEnqueues.incrementAndGet(); // not acknowledged: the caller would retry
                        sleep(50);
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> ran.size() >= 300);
            pg.kill();
            sleep(2_000);
            pg.start();
            int afterRestart = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= afterRestart + 300);
            producing.set(false);
            producer.join();

            await().atMost(Duration.ofSeconds(60)).until(() -> ran.containsAll(acknowledged)
                    && conveyor.store().queues().stream().allMatch(q -> q.count(JobState.RUNNING)
                    + q.count(JobState.READY) + q.count(JobState.SCHEDULED) == 0));
            assertThat(ran).containsAll(acknowledged);
            // The outage was real: enqueues either waited it out (the pool retries) or failed unacknowledged.
            assertThat(longestEnqueueMs.get() >= 1_000 || failedEnqueues.get() > 0).isTrue();
            System.out.printf("restart: %d acknowledged, %d ran, %d enqueues failed, longest enqueue %d ms%n",
                    acknowledged.size(), ran.size(), failedEnqueues.get(), longestEnqueueMs.get());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
