package dev.conveyor.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The machine's MariaDB (127.0.0.1:3306, user root, empty password) for tests: each test class works in a
 * database of its own, {@code conveyor_test_<random>}, dropped afterwards. A test fails (never skips) when the
 * server is missing.
 */
public final class MariaDbTestDatabase implements AutoCloseable {
    public static final String HOST = "127.0.0.1:3306";
    private static final String JDBC = "jdbc:mariadb://" + HOST + "/";
    private static final String HOW_TO_START = "Start it with: start-stop-daemon --start --oknodo --background "
            + "--exec /usr/sbin/mariadbd";

    private final String database;

    public MariaDbTestDatabase() {
        this.database = "conveyor_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        execute("CREATE DATABASE " + database);
    }

    /** The broker URL for this database, migrating on open. */
    public String url(String extraOptions) {
        return "mariadb://root@" + HOST + "/" + database + "?migrate=auto"
                + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
    }

    public String database() {
        return database;
    }

    /** A plain JDBC connection to this database. */
    public Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(JDBC + database, "root", "");
        } catch (SQLException e) {
            throw new SQLException(unreachable(e), e);
        }
    }

    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(JDBC, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(unreachable(e), e);
        }
    }

    private static String unreachable(SQLException e) {
        return "MariaDB at " + HOST + " (user root, empty password) failed or is not reachable: " + e.getMessage()
                + ". " + HOW_TO_START;
    }

    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + database);
    }
}
