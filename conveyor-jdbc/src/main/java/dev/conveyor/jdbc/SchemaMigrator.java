package dev.conveyor.jdbc;

import dev.conveyor.broker.BrokerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema to the version this code knows, one recorded migration at a time, under a lock so two
 * processes (or two Conveyor versions) starting together never both apply a step. Refuses to run against a
 * schema newer than the code: an older Conveyor must not write to tables a newer one changed.
 */
public final class SchemaMigrator {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    private final SqlDialect dialect;
    private final ConnectionSource db;
    private final Clock clock;

    public SchemaMigrator(SqlDialect dialect, ConnectionSource db, Clock clock) {
        this.dialect = dialect;
        this.db = db;
        this.clock = clock;
    }

    /** The latest version this code knows. */
    public int latest() {
        List<Migration> all = dialect.migrations();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).version();
    }

    /** The version the database is at (0 when it has no Conveyor tables). */
    public int current() {
        return db.write(c -> {
            dialect.lockMigrations(c);
            try {
                createVersionTable(c);
                return readVersion(c);
            } finally {
                dialect.unlockMigrations(c);
            }
        });
    }

    /** Applies every missing migration; returns the ones applied (empty when up to date). */
    public List<Migration> migrate() {
        // Up to date (the usual case at a worker's start): a read answers, and no write lock is taken. On SQLite a
        // write lock can be held for long by another process (one paused mid-transaction, found by the chaos
        // paused-worker scenario), and a start that needs no migration must not wait for it.
        if (upToDate()) return List.of();
        return db.write(c -> {
            noReadTimeout(c);
            // Lock first: even CREATE TABLE IF NOT EXISTS races between two processes on PostgreSQL.
            dialect.lockMigrations(c);
            try {
                createVersionTable(c);
                int current = readVersion(c);
                checkNotNewer(current);
                List<Migration> applied = new ArrayList<>();
                for (Migration m : dialect.migrations()) {
                    if (m.version() <= current) continue;
                    try (Statement s = c.createStatement()) {
                        for (String sql : m.statements()) s.execute(sql);
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + dialect.versionTable()
                            + " (version, description, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, m.version());
                        ps.setString(2, m.description());
                        ps.setLong(3, clock.millis());
                        ps.executeUpdate();
                    }
                    log.info("{}: applied schema migration {} ({})", db.describe(), m.version(), m.description());
                    applied.add(m);
                }
                return applied;
            } finally {
                dialect.unlockMigrations(c);
            }
        });
    }

    /** Fails with a message saying what to do unless the schema is exactly at {@link #latest()}. */
    public void requireCurrent() {
        int current = current();
        checkNotNewer(current);
        if (current < latest()) {
            throw new BrokerException(db.describe() + ": the Conveyor schema is at version " + current
                    + ", this Conveyor needs version " + latest() + ". Run `conveyor migrate --broker <url>`, or add "
                    + "migrate=auto to the broker URL to migrate on start.");
        }
    }

    private void checkNotNewer(int current) {
        if (current > latest()) {
            throw new BrokerException(db.describe() + ": the Conveyor schema is at version " + current
                    + ", newer than the version " + latest() + " this Conveyor knows. A newer Conveyor migrated this "
                    + "database; upgrade this one (or use another table prefix) instead of running it against newer tables.");
        }
    }

    /**
     * A migration (an index built on a big table) may take longer than the broker's {@code socketTimeout}: its
     * connection waits without one (the pool restores the timeout when it takes the connection back).
     */
    private static void noReadTimeout(Connection c) {
        try {
            c.setNetworkTimeout(Runnable::run, 0);
        } catch (SQLException | RuntimeException e) {
            // a driver without network timeouts (SQLite) has none to lift
        }
    }

    private void createVersionTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(dialect.createVersionTable());
        }
    }

    private boolean upToDate() {
        int current;
        try {
            current = db.read(this::readVersion);
        } catch (RuntimeException e) {
            return false; // no version table yet: the locked path creates it
        }
        checkNotNewer(current);
        return current == latest();
    }

    private int readVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + dialect.versionTable())) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
