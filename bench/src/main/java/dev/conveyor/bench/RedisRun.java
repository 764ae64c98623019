package dev.conveyor.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One benchmark run on the machine's Redis (127.0.0.1:6379): a key prefix of its own,
 * {@code conveyor_bench_<random>}, whose keys are removed with SCAN + UNLINK afterwards (never FLUSHDB: the
 * server is shared). Also reads the server's version, persistence settings and per-command call counts.
 */
final class RedisRun implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;
    private static final String START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no";

    final String prefix;
    final String url;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisRun(String prefix) {
        this.prefix = prefix;
        this.url = "redis://" + HOST + ":" + PORT + "/0?prefix=" + prefix;
    }

    static RedisRun create() {
        RedisRun run = new RedisRun("conveyor_bench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL));
        run.with(c -> c.sync().ping());
        return run;
    }

    static String describe() {
        return "Redis at " + HOST + ":" + PORT;
    }

    static IllegalStateException unreachable(Exception e) {
        return new IllegalStateException("the 'redis' benchmark broker needs the local " + describe()
                + ", which failed or is not reachable: " + e.getMessage() + "; start it with: " + START, e);
    }

    /**
     * Runs {@code work} on this run's own connection, opened on first use and kept until {@link #close}: a reset of
     * the counters in the middle of a latency run must cost one round trip, not a new client (its threads and
     * connect took ~20 ms and delayed the jobs due meanwhile, a visible share of the run's p99).
     */
    private synchronized <T> T with(java.util.function.Function<StatefulRedisConnection<String, String>, T> work) {
        try {
            if (connection == null) {
                client = RedisClient.create(RedisURI.Builder.redis(HOST, PORT).withTimeout(Duration.ofSeconds(10)).build());
                connection = client.connect();
            }
            return work.apply(connection);
        } catch (RuntimeException e) {
            disconnect();
            throw unreachable(e);
        }
    }

    synchronized void disconnect() {
        if (connection != null) connection.close();
        if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        connection = null;
        client = null;
    }

    /** Version and the settings that decide what a crash can lose. */
    static String version() {
        RedisRun probe = new RedisRun("probe");
        try {
            return probe.with(c -> {
                String info = c.sync().info("server");
                String v = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElse("redis_version:?")
                        .substring("redis_version:".length());
                Map<String, String> cfg = c.sync().configGet("appendonly", "appendfsync", "maxmemory-policy", "save");
                return v + "; appendonly=" + cfg.get("appendonly") + ", appendfsync=" + cfg.get("appendfsync")
                        + ", maxmemory-policy=" + cfg.get("maxmemory-policy") + ", save='" + cfg.get("save") + "'";
            });
        } catch (RuntimeException e) {
            return "unknown: " + e.getMessage();
        } finally {
            probe.disconnect();
        }
    }

    /** {@code INFO commandstats}: calls per command since the last {@link #resetStats} (the server's, all clients). */
    Map<String, Long> commandCalls() {
        return with(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String line : c.sync().info("commandstats").lines().toList()) {
                // cmdstat_evalsha:calls=123,usec=456,...
                if (!line.startsWith("cmdstat_")) continue;
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6);
                out.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
            }
            return out;
        });
    }

    void resetStats() {
        with(c -> c.sync().configResetstat());
    }

    /** Memory the server uses and the keys of this run. */
    Map<String, Object> size() {
        return with(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            String mem = c.sync().info("memory");
            mem.lines().filter(l -> l.startsWith("used_memory:")).findFirst()
                    .ifPresent(l -> m.put("bytes", Long.parseLong(l.substring("used_memory:".length()).trim())));
            m.put("keys", keys(c).size());
            return m;
        });
    }

    private List<String> keys(StatefulRedisConnection<String, String> c) {
        List<String> out = new ArrayList<>();
        for (String pattern : List.of("{" + prefix + ":*", "{" + prefix + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = c.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                out.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
        }
        return out;
    }

    @Override
    public void close() {
        try {
            with(c -> {
                List<String> keys = keys(c);
                for (int from = 0; from < keys.size(); from += 1000) {
                    c.sync().unlink(keys.subList(from, Math.min(keys.size(), from + 1000)).toArray(String[]::new));
                }
                return keys.size();
            });
        } finally {
            disconnect();
        }
    }
}
