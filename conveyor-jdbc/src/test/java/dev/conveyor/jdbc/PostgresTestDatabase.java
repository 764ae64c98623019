package dev.conveyor.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The machine's PostgreSQL (127.0.0.1:5432, trust auth, database {@code test}) for tests: each test class
 * works in a schema of its own, dropped afterwards. A test fails (never skips) when the server is missing.
 */
public final class PostgresTestDatabase implements AutoCloseable {
    public static final String HOST = "127.0.0.1:5432";
    private static final String JDBC = "jdbc:postgresql://" + HOST + "/test";

    private final String schema;

    public PostgresTestDatabase() {
        this.schema = "conveyor_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        execute("CREATE SCHEMA " + schema);
    }

    /** The broker URL for this schema, migrating on open. */
    public String url(String extraOptions) {
        return "postgresql://postgres@" + HOST + "/test?schema=" + schema + "&migrate=auto"
                + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
    }

    public String schema() {
        return schema;
    }

    /** A plain JDBC connection to the test database with this schema on the search path. */
    public Connection connect() throws SQLException {
        try {
            Connection c = DriverManager.getConnection(JDBC + "?currentSchema=" + schema, "postgres", "");
            return c;
        } catch (SQLException e) {
            throw new SQLException("PostgreSQL is not reachable at " + HOST + " (database test, user postgres): "
                    + e.getMessage() + ". Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                    + " (scripts/test does this).", e);
        }
    }

    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(JDBC, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + HOST + " (database test, user postgres) failed or is "
                    + "not reachable: " + e.getMessage() + ". scripts/test starts it; by hand: "
                    + "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
        }
    }

    @Override
    public void close() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
