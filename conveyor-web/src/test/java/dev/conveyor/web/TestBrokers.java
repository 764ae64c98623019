package dev.conveyor.web;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A private place on each real broker for one test: a PostgreSQL schema, a MariaDB database, a Redis key prefix
 * (the shared servers of SERVICES.md), or a SQLite file; removed by {@link #close}. A missing server fails the
 * test, naming it.
 */
final class TestBrokers implements AutoCloseable {
    private final String kind;
    private final String name = "conveyor_web_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String url;

    TestBrokers(String kind, java.nio.file.Path dir) {
        this.kind = kind;
        this.url = switch (kind) {
            case "memory" -> "memory:";
            case "sqlite" -> "sqlite:" + dir.resolve("web.db");
            case "postgresql" -> {
                sql("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "CREATE SCHEMA " + name);
                yield "postgresql://postgres@127.0.0.1:5432/test?schema=" + name + "&migrate=auto";
            }
            case "mariadb" -> {
                sql("jdbc:mariadb://127.0.0.1:3306/", "root", "CREATE DATABASE " + name);
                yield "mariadb://root@127.0.0.1:3306/" + name + "?migrate=auto";
            }
            case "redis" -> "redis://127.0.0.1:6379/0?prefix=" + name;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    String url() {
        return url;
    }

    @Override
    public void close() {
        switch (kind) {
            case "postgresql" -> sql("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "DROP SCHEMA IF EXISTS " + name + " CASCADE");
            case "mariadb" -> sql("jdbc:mariadb://127.0.0.1:3306/", "root", "DROP DATABASE IF EXISTS " + name);
            case "redis" -> cleanRedis();
            default -> { }
        }
    }

    private static void sql(String jdbc, String user, String statement) {
        try (Connection c = DriverManager.getConnection(jdbc, user, ""); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (Exception e) {
            throw new AssertionError("the database at " + jdbc + " is not reachable (" + e.getMessage()
                    + "); scripts/test starts it (see SERVICES.md)", e);
        }
    }

    private void cleanRedis() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379/0");
        try (var connection = client.connect()) {
            var redis = connection.sync();
            List<String> keys = new ArrayList<>();
            for (String pattern : List.of("{" + name + ":*", "{" + name + "}*")) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    var page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                    keys.addAll(page.getKeys());
                    cursor = page;
                } while (!cursor.isFinished());
            }
            if (!keys.isEmpty()) redis.unlink(keys.toArray(String[]::new));
        } finally {
            client.shutdown();
        }
    }
}
