package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A producer that knows only the key layout of docs/PROTOCOL.md ("Enqueueing from another language") and
 * plain Redis commands — no Conveyor script — enqueues jobs that a Java worker runs, and reads the result.
 */
class ForeignProducerTest {
    @RegisterExtension
    static final LocalRedis redis = new LocalRedis();

    public record Add(int a, int b) {}

    public record Sum(int total) {}

    /** The documented steps, command by command (MULTI/EXEC instead of a script; no unique key). */
    private String enqueueLikeAnotherLanguage(String queue, int a, int b, int priority, long runAt) {
        String p = redis.prefix();
        String id = JobIds.next(Clock.systemUTC());
        long now = System.currentTimeMillis();
        String envelope = "{\"v\":1,\"id\":\"" + id + "\",\"task\":\"foreign.add\",\"queue\":\"" + queue
                + "\",\"args\":{\"a\":" + a + ",\"b\":" + b + "},\"priority\":" + priority
                + ",\"enqueuedAt\":\"2026-11-25T15:00:00.000Z\"}";
        var r = redis.sync();
        r.hsetnx("{" + p + "}:index", id, queue);
        r.sadd("{" + p + "}:queues", queue);
        String jobKey = "{" + p + ":" + queue + "}:job:" + id;
        r.watch(jobKey);
        assertThat(r.exists(jobKey)).isZero();
        boolean ready = runAt <= now;
        r.multi();
        r.hset(jobKey, Map.of("envelope", envelope, "state", ready ? "READY" : "SCHEDULED",
                "priority", Integer.toString(priority), "runAt", Long.toString(runAt), "attempt", "0",
                "deliveries", "0", "maxDeliveries", "3", "task", "foreign.add", "updatedAt", Long.toString(now)));
        if (ready) r.zadd("{" + p + ":" + queue + "}:ready", (9 - priority) * 10_000_000_000_000L + runAt, id);
        else r.zadd("{" + p + ":" + queue + "}:scheduled", runAt, id);
        r.zadd("{" + p + ":" + queue + "}:all", 0, id);
        assertThat(r.exec().wasDiscarded()).isFalse();
        r.publish("{" + p + "}:wake", queue);
        return id;
    }

    @Test
    void aMinimalHashWithOnlyEnvelopeAndStateRuns() {
        Task<Add, Sum> add = Task.named("foreign.add", Add.class, Sum.class).queue("minimal")
                .handler(x -> new Sum(x.a() + x.b()));
        String p = redis.prefix();
        String id = JobIds.next(Clock.systemUTC());
        String envelope = "{\"v\":1,\"id\":\"" + id + "\",\"task\":\"foreign.add\",\"queue\":\"minimal\","
                + "\"args\":{\"a\":2,\"b\":3},\"enqueuedAt\":\"2026-11-25T15:00:00.000Z\"}";
        var r = redis.sync();
        r.hset("{" + p + "}:index", id, "minimal");
        r.hset("{" + p + ":minimal}:job:" + id, Map.of("envelope", envelope, "state", "READY"));
        r.zadd("{" + p + ":minimal}:ready", 4 * 10_000_000_000_000L, id);
        r.zadd("{" + p + ":minimal}:all", 0, id);
        try (Conveyor conveyor = Conveyor.builder().broker(redis.url("")).task(add).build()) {
            conveyor.startWorker(WorkerOptions.defaults().queues("minimal").shutdownOnSigterm(false));
            assertThat(conveyor.handle(add, id).await(Duration.ofSeconds(10))).isEqualTo(new Sum(5));
        }
    }

    @Test
    void jobsWrittenWithPlainCommandsRunAndTheirResultsAreReadable() {
        Task<Add, Sum> add = Task.named("foreign.add", Add.class, Sum.class).queue("foreign")
                .handler(x -> new Sum(x.a() + x.b()));
        try (Conveyor conveyor = Conveyor.builder().broker(redis.url("")).task(add).build()) {
            conveyor.startWorker(WorkerOptions.defaults().queues("foreign").shutdownOnSigterm(false));
            String now = enqueueLikeAnotherLanguage("foreign", 40, 2, 7, System.currentTimeMillis());
            String soon = enqueueLikeAnotherLanguage("foreign", 1, 1, 5, System.currentTimeMillis() + 300);
            JobHandle<Sum> first = conveyor.handle(add, now);
            assertThat(first.await(Duration.ofSeconds(10))).isEqualTo(new Sum(42));
            assertThat(conveyor.handle(add, soon).await(Duration.ofSeconds(10))).isEqualTo(new Sum(2));
            // The result where the layout says it is.
            assertThat(redis.sync().hget("{" + redis.prefix() + ":foreign}:job:" + now, "result"))
                    .isEqualTo("{\"total\":42}");
        }
    }

    /** A reader in another language finds a job the Java producer stored as a column job (PROTOCOL.md). */
    @Test
    void aColumnJobOfTheJavaProducerIsReadableWithPlainCommands() {
        Task<Add, Sum> add = Task.named("foreign.add", Add.class, Sum.class).queue("javaside")
                .handler(x -> new Sum(x.a() + x.b()));
        try (Conveyor conveyor = Conveyor.builder().broker(redis.url("")).task(add).build()) {
            JobHandle<Sum> handle = conveyor.enqueue(add, new Add(20, 22));
            String base = "{" + redis.prefix() + ":javaside}:";
            var r = redis.sync();
            assertThat(r.exists(base + "job:" + handle.id())).as("no job hash").isZero();
            assertThat(r.hget("{" + redis.prefix() + "}:index", handle.id())).isEqualTo("javaside");
            assertThat(r.hget(base + "env", handle.id())).contains("\"task\":\"foreign.add\"");
            assertThat(r.zscore(base + "ready", handle.id())).isNotNull();
            conveyor.startWorker(WorkerOptions.defaults().queues("javaside").shutdownOnSigterm(false));
            assertThat(handle.await(Duration.ofSeconds(10))).isEqualTo(new Sum(42));
            assertThat(r.zscore(base + "succeeded", handle.id())).isNotNull();
            assertThat(r.hget(base + "res", handle.id())).isEqualTo("{\"total\":42}");
        }
    }
}
