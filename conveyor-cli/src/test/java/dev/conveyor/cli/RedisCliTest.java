package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The CLI reaches the Redis broker by URL (conveyor-redis is in the conveyor.jar); needs the local Redis. */
class RedisCliTest {
    @Test
    void enqueuesAndInspectsOnRedis() {
        String prefix = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        String url = "redis://127.0.0.1:6379/0?prefix=" + prefix;
        Cli.Result empty = Cli.run("queues", "--broker", url);
        assertThat(empty.exitCode()).as(empty + "\n(needs Redis at 127.0.0.1:6379: scripts/test starts it)").isZero();
        assertThat(empty.out()).contains("No jobs");
        Cli.Result enq = Cli.run("enqueue", "hello", "{\"name\":\"redis\"}", "--broker", url);
        assertThat(enq.exitCode()).as(enq.toString()).isZero();
        String id = enq.out().trim().lines().reduce((a, b) -> b).orElseThrow().replaceAll(".*?([0-9a-f-]{36}).*", "$1");
        assertThat(Cli.run("queues", "--broker", url).out()).contains("default");
        Cli.Result cancel = Cli.run("jobs", "cancel", id, "--broker", url);
        // Redis has no cancellation yet: a clear one-line failure, not a stack trace.
        assertThat(cancel.exitCode() == 0 || cancel.err().contains("CANCELLATION")).as(cancel.toString()).isTrue();
        Cli.Result show = Cli.run("jobs", "show", id, "--broker", url);
        assertThat(show.out()).contains(id, "hello");
        // Leave nothing behind: delete the job, then every key under the test's prefix (the queue registry too).
        try (dev.conveyor.Conveyor c = dev.conveyor.Conveyor.builder().broker(url).build()) {
            c.store().delete(java.util.List.of(id));
        }
        unlinkPrefix(prefix);
    }

    private static void unlinkPrefix(String prefix) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379/0");
        try (var connection = client.connect()) {
            var redis = connection.sync();
            java.util.List<String> keys = redis.keys("{" + prefix + "*");
            if (!keys.isEmpty()) redis.unlink(keys.toArray(String[]::new));
            assertThat(redis.keys("{" + prefix + "*")).isEmpty();
        } finally {
            client.shutdown();
        }
    }
}
