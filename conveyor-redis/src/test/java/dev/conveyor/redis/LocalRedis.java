package dev.conveyor.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The machine's shared Redis (127.0.0.1:6379) for tests, as a JUnit extension of the test class:
 * {@code @RegisterExtension static final LocalRedis redis = new LocalRedis();} connects before the class's tests and
 * removes its keys after them. Each class gets a random key prefix, its keys removed with SCAN + UNLINK — never
 * FLUSHDB/FLUSHALL or CONFIG SET: other runs share this server. A test fails (never skips) when the server is
 * missing, saying how to start it.
 */
final class LocalRedis implements BeforeAllCallback, AfterAllCallback {
    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;
    static final String START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no";

    private final String prefix = "ct-" + UUID.randomUUID().toString().substring(0, 8);
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    /** Nested test classes call beforeAll and afterAll too (inside the outer class's): only the outermost acts. */
    private int depth;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (depth++ > 0) return;
        client = RedisClient.create(RedisURI.Builder.redis(HOST, PORT).withTimeout(Duration.ofSeconds(5)).build());
        try {
            connection = client.connect();
            connection.sync().ping();
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw new AssertionError("Redis is not reachable at " + HOST + ":" + PORT + " (" + e.getMessage()
                    + "). Start it with: " + START + " (scripts/test does this)", e);
        }
    }

    String prefix() {
        return prefix;
    }

    String url(String extraOptions) {
        return "redis://" + HOST + ":" + PORT + "/0?prefix=" + prefix + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
    }

    RedisCommands<String, String> sync() {
        return connection.sync();
    }

    /** Keys under this prefix (both the per-queue {prefix:queue} and the shared {prefix} tags). */
    List<String> keys() {
        List<String> out = new java.util.ArrayList<>();
        for (String pattern : List.of("{" + prefix + ":*", "{" + prefix + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = connection.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                out.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
        }
        return out;
    }

    /** Removes every key under this prefix. */
    void clean() {
        List<String> keys = keys();
        for (int i = 0; i < keys.size(); i += 500) {
            connection.sync().unlink(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--depth > 0 || connection == null) return; // inner class; or never connected (beforeAll said why)
        try {
            clean();
        } finally {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
