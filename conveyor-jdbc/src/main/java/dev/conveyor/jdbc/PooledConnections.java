package dev.conveyor.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.broker.BrokerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * A HikariCP pool for servers that take many writers at once (PostgreSQL, MariaDB): every call borrows a
 * connection, runs one transaction and returns it. Transient failures (deadlocks, serialization failures, a
 * dropped connection) are retried with a short backoff: every broker call is safe to repeat.
 */
public final class PooledConnections implements ConnectionSource {
    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final String describe;
    private final Predicate<SQLException> transientFailure;

    public PooledConnections(HikariConfig config, String describe, Predicate<SQLException> transientFailure) {
        this.describe = describe;
        this.transientFailure = transientFailure;
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BrokerException("cannot connect to " + describe + ": " + cause.getMessage(), e);
        }
    }

    /** The pool, for callers that need connections of their own (a LISTEN thread, transactional enqueue tests). */
    public HikariDataSource dataSource() {
        return pool;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return run(work, false);
    }

    @Override
    public <T> T writeOneStatement(SqlWork<T> work) {
        return run(work, false, true);
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        return run(work, true);
    }

    private <T> T run(SqlWork<T> work, boolean readOnly) {
        return run(work, readOnly, readOnly);
    }

    /** With {@code autoCommit}, each statement commits by itself (reads, and single-statement writes). */
    private <T> T run(SqlWork<T> work, boolean readOnly, boolean autoCommit) {
        SQLException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(autoCommit);
                try {
                    T result = work.run(c);
                    if (!autoCommit) c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    if (!autoCommit) rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                last = e;
                if (!transientFailure.test(e) || attempt == ATTEMPTS) break;
                sleep(10L << attempt);
            }
        }
        throw new BrokerException(describe + ": " + last.getMessage(), last);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public void close() {
        pool.close();
    }
}
