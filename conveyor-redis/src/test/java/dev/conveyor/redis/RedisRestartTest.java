package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Redis is killed mid-run (SIGKILL: no shutdown, no final write) and restarted on the same port and directory
 * with its append-only file: the worker and the producer log, reconnect and carry on (the restarted server has
 * an empty script cache, so this also exercises the reload on NOSCRIPT); every enqueue that was acknowledged
 * runs, and nothing stays RUNNING once leases expire.
 */
class RedisRestartTest {
    record Work(int n) {}

    @Test
    void workersRideOutARedisCrashAndRestart() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> ran = ConcurrentHashMap.newKeySet();
        AtomicInteger failedEnqueues = new AtomicInteger();
        Task<Work, Void> work = Task.named("restart.work", Work.class).action((a, ctx) -> ran.add(ctx.jobId()));
        Path dir = Files.createTempDirectory("conveyor-redis-restart-");
        int port = RedisProcess.freePort();
        try (RedisProcess redis = new RedisProcess(dir, port, List.of("--appendonly", "yes", "--appendfsync", "always"))) {
            redis.start();
            try (Conveyor conveyor = Conveyor.builder().broker("redis://127.0.0.1:" + port + "?prefix=restart&timeout=2s")
                    .task(work).build()) {
                conveyor.startWorker(WorkerOptions.defaults().leaseDuration(Duration.ofSeconds(3))
                        .heartbeatInterval(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                        .shutdownOnSigterm(false));
                AtomicBoolean producing = new AtomicBoolean(true);
                Thread producer = Thread.ofPlatform().start(() -> {
                    for (int n = 0; producing.get(); n++) {
                        try {
                            acknowledged.add(conveyor.enqueue(work, new Work(n)).id());
                        } catch (RuntimeException e) {
                            failedEnqueues.incrementAndGet(); // not acknowledged: the caller would retry
                            sleep(50);
                        }
                    }
                });
                await().atMost(Duration.ofSeconds(15)).until(() -> ran.size() >= 300);
                redis.kill();
                sleep(1_000);
                redis.start();
                int afterRestart = acknowledged.size();
                await().atMost(Duration.ofSeconds(15)).until(() -> acknowledged.size() >= afterRestart + 300);
                producing.set(false);
                producer.join();

                await().atMost(Duration.ofSeconds(20)).until(() -> ran.containsAll(acknowledged)
                        && conveyor.store().queues().stream().allMatch(q -> q.count(JobState.RUNNING)
                        + q.count(JobState.READY) + q.count(JobState.SCHEDULED) == 0));
                assertThat(ran).containsAll(acknowledged);
                assertThat(failedEnqueues).as("enqueues refused while Redis was down").hasPositiveValue();
                System.out.printf("restart: %d acknowledged, %d ran, %d enqueues refused during the outage%n",
                        acknowledged.size(), ran.size(), failedEnqueues.get());
            }
        } finally {
            RedisProcess.deleteTree(dir);
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
