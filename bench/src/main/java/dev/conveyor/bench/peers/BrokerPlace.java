package dev.conveyor.bench.peers;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * One run's own place on a broker, and what the run cost there. Redis: a key prefix {@code peer_<random>}
 * (every driver puts it in every key it writes), removed with SCAN + UNLINK afterwards, never FLUSHDB; cost =
 * the server's {@code INFO commandstats} calls before and after (server-wide: other clients of a shared server
 * count too). PostgreSQL: a database {@code peer_<random>} of its own, dropped afterwards; cost = its
 * {@code pg_stat_database} row (commits, rows written), which no other client touches. SQLite: a file in a
 * temporary directory.
 */
final class BrokerPlace implements AutoCloseable {
    static final String REDIS = "redis://127.0.0.1:6379";
    static final String PG_ADMIN = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String START_REDIS = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no";
    private static final String START_PG = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

    final PeerSystem.Broker broker;
    final String name;
    private final Path sqliteDir;
    private Map<String, Long> redisBefore = Map.of();

    private BrokerPlace(PeerSystem.Broker broker, String name, Path sqliteDir) {
        this.broker = broker;
        this.name = name;
        this.sqliteDir = sqliteDir;
    }

    static BrokerPlace open(PeerSystem.Broker broker) throws IOException {
        String name = "peer_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        return switch (broker) {
            case REDIS -> {
                BrokerPlace p = new BrokerPlace(broker, name, null);
                p.redisBefore = commandCalls();
                yield p;
            }
            case POSTGRES -> {
                admin("CREATE DATABASE " + name);
                yield new BrokerPlace(broker, name, null);
            }
            case SQLITE -> new BrokerPlace(broker, name, Files.createTempDirectory("peer-sqlite-"));
        };
    }

    /** The driver's flags that point it here. */
    List<String> driverArgs() {
        return switch (broker) {
            case REDIS -> List.of("--redis", REDIS, "--prefix", name);
            case POSTGRES -> List.of("--pg", "postgresql://postgres@127.0.0.1:5432/" + name);
            case SQLITE -> List.of("--sqlite", sqliteDir.resolve(name + ".db").toString());
        };
    }

    /** What the run cost on the broker so far (call after the driver has exited). */
    Map<String, Object> cost(long jobs) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (broker) {
            case REDIS -> {
                Map<String, Long> after = commandCalls();
                long total = 0;
                Map<String, Long> delta = new LinkedHashMap<>();
                for (Map.Entry<String, Long> e : after.entrySet()) {
                    if (e.getKey().equals("info") || e.getKey().startsWith("config")) continue; // this probe's own
                    long d = e.getValue() - redisBefore.getOrDefault(e.getKey(), 0L);
                    if (d > 0) {
                        delta.put(e.getKey(), d);
                        total += d;
                    }
                }
                m.put("redisCalls", delta);
                m.put("redisCallsPerJob", jobs > 0 ? (double) total / jobs : null);
            }
            case POSTGRES -> {
                try {
                    Thread.sleep(700); // backends flush their statistics as they exit; give the last ones a moment
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try (Connection c = DriverManager.getConnection(PG_ADMIN, "postgres", "");
                     PreparedStatement s = c.prepareStatement("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, "
                             + "tup_deleted, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = ?")) {
                    s.setString(1, name);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            for (int i = 1; i <= 7; i++) m.put(rs.getMetaData().getColumnName(i), rs.getLong(i));
                            m.put("commitsPerJob", jobs > 0 ? (double) rs.getLong(1) / jobs : null);
                            m.put("rowWritesPerJob", jobs > 0 ? (double) (rs.getLong(3) + rs.getLong(4) + rs.getLong(5)) / jobs : null);
                        }
                    }
                } catch (SQLException e) {
                    m.put("error", e.getMessage());
                }
            }
            case SQLITE -> { }
        }
        return m;
    }

    @Override
    public void close() {
        switch (broker) {
            case REDIS -> withRedis(c -> {
                List<String> keys = new ArrayList<>();
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    var page = c.sync().scan(cursor, ScanArgs.Builder.matches("*" + name + "*").limit(1000));
                    keys.addAll(page.getKeys());
                    cursor = page;
                } while (!cursor.isFinished());
                for (int from = 0; from < keys.size(); from += 1000) {
                    c.sync().unlink(keys.subList(from, Math.min(keys.size(), from + 1000)).toArray(String[]::new));
                }
                return keys.size();
            });
            case POSTGRES -> admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            case SQLITE -> {
                try (var files = Files.list(sqliteDir)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                    Files.deleteIfExists(sqliteDir);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            }
        }
    }

    /** The server's description for the report: version and the settings that decide durability. */
    static String describe(PeerSystem.Broker broker) {
        try {
            return switch (broker) {
                case REDIS -> withRedis(c -> {
                    String v = c.sync().info("server").lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                            .map(l -> l.substring(14)).orElse("?");
                    Map<String, String> cfg = c.sync().configGet("appendonly", "save");
                    return "Redis " + v.trim() + " (appendonly=" + cfg.get("appendonly") + ", save='" + cfg.get("save") + "')";
                });
                case POSTGRES -> {
                    try (Connection c = DriverManager.getConnection(PG_ADMIN, "postgres", ""); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT version(), current_setting('synchronous_commit'), current_setting('fsync'), "
                                 + "current_setting('autovacuum')")) {
                        rs.next();
                        yield rs.getString(1).replaceAll(" on x86_64.*", "") + " (synchronous_commit=" + rs.getString(2)
                                + ", fsync=" + rs.getString(3) + ", autovacuum=" + rs.getString(4) + ")";
                    }
                }
                case SQLITE -> "SQLite (embedded, a file per run, synchronous=FULL)";
            };
        } catch (Exception e) {
            return broker + ": unknown (" + e.getMessage() + ")";
        }
    }

    private static Map<String, Long> commandCalls() {
        return withRedis(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String line : c.sync().info("commandstats").lines().toList()) {
                if (!line.startsWith("cmdstat_")) continue; // cmdstat_evalsha:calls=123,usec=...
                String calls = line.substring(line.indexOf("calls=") + 6);
                out.put(line.substring(8, line.indexOf(':')), Long.parseLong(calls.substring(0, calls.indexOf(','))));
            }
            return out;
        });
    }

    private static <T> T withRedis(Function<StatefulRedisConnection<String, String>, T> work) {
        RedisClient client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", 6379).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return work.apply(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the peers benchmark needs the local Redis at 127.0.0.1:6379: " + e.getMessage()
                    + "; start it with: " + START_REDIS, e);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(PG_ADMIN, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("the peers benchmark needs the local PostgreSQL at 127.0.0.1:5432 (user postgres, "
                    + "database test): " + e.getMessage() + "; start it with: " + START_PG, e);
        }
    }
}
