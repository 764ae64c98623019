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
 * LISTENs on the broker's channels on a connection of its own: wakes idle fetchers when an enqueue commits
 * (enqueues NOTIFY in their transaction, so a rolled-back enqueue wakes no one), and result waiters when an ack
 * or bury commits. If the connection drops it reconnects with backoff; meanwhile workers and waiters fall back
 * to polling, so a lost listener costs latency, never jobs.
 */
final class PostgresListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    private final String jdbcUrl;
    private final Properties props;
    /** Channel name → what its notifications do. */
    private final java.util.Map<String, Runnable> channels;
    private final String describe;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    PostgresListener(String jdbcUrl, Properties props, java.util.Map<String, Runnable> channels, String describe) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.channels = java.util.Map.copyOf(channels);
        this.describe = describe;
        this.thread = Thread.ofPlatform().daemon().name("conveyor-pg-listen").start(this::loop);
    }

    private void loop() {
        long backoffMs = 100;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    for (String channel : channels.keySet()) s.execute("LISTEN \"" + channel + "\"");
                }
                backoffMs = 100;
                channels.values().forEach(Runnable::run); // anything that happened while we were not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(500);
                    if (got == null) continue;
                    java.util.Set<String> told = new java.util.HashSet<>();
                    for (PGNotification n : got) {
                        if (told.add(n.getName())) channels.getOrDefault(n.getName(), () -> {}).run();
                    }
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
