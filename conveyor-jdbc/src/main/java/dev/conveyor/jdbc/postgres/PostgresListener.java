package dev.conveyor.jdbc.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on the broker's channel on a connection of its own and wakes idle fetchers when an enqueue commits
 * (enqueues NOTIFY in their transaction, so a rolled-back enqueue wakes no one). If the connection drops it
 * reconnects with backoff; meanwhile workers fall back to polling, so a lost listener costs latency, never jobs.
 */
final class PostgresListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    private final String jdbcUrl;
    private final Properties props;
    private final String channel;
    private final Runnable onNotify;
    private final String describe;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    PostgresListener(String jdbcUrl, Properties props, String channel, Runnable onNotify, String describe) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.channel = channel;
        this.onNotify = onNotify;
        this.describe = describe;
        this.thread = Thread.ofPlatform().daemon().name("conveyor-pg-listen").start(this::loop);
    }

    private void loop() {
        long backoffMs = 100;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN \"" + channel + "\"");
                }
                backoffMs = 100;
                onNotify.run(); // anything enqueued while we were not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(500);
                    if (got != null && got.length > 0) onNotify.run();
                }
            } catch (SQLException e) {
                if (closed) return;
                log.warn("{}: LISTEN connection failed ({}); workers poll until it is back, retrying in {} ms",
                        describe, e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(10_000, backoffMs * 2);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
