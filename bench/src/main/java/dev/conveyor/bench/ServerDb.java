package dev.conveyor.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run's private place on a local database server: a PostgreSQL schema or a MariaDB database named
 * {@code conveyor_bench_<random>}, created before the broker opens it and dropped when the run ends, so runs
 * never see each other's rows. A missing server is an error naming the server and how to start it.
 */
final class ServerDb implements AutoCloseable {
    /**
     * The machine's PostgreSQL, or {@code CONVEYOR_BENCH_PG_HOST} (host:port): a private instance with settings the
     * shared one must not get, such as {@code pg_stat_statements} (docs/BENCHMARKS.md, "Where PostgreSQL's time goes").
     */
    static final String POSTGRES_HOST = System.getenv().getOrDefault("CONVEYOR_BENCH_PG_HOST", "127.0.0.1:5432");
    static final String MARIADB_HOST = "127.0.0.1:3306";
    private static final String PG_JDBC = "jdbc:postgresql://" + POSTGRES_HOST + "/test";
    private static final String MARIADB_JDBC = "jdbc:mariadb://" + MARIADB_HOST + "/";

    final BrokerKind kind;
    final String name;
    final String url;

    private ServerDb(BrokerKind kind, String name, String url) {
        this.kind = kind;
        this.name = name;
        this.url = url;
    }

    static ServerDb create(BrokerKind kind) {
        String name = "conveyor_bench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        ServerDb db = switch (kind) {
            case POSTGRES -> new ServerDb(kind, name,
                    "postgresql://postgres@" + POSTGRES_HOST + "/test?schema=" + name + "&migrate=auto");
            case MARIADB -> new ServerDb(kind, name, "mariadb://root@" + MARIADB_HOST + "/" + name + "?migrate=auto");
            default -> throw new IllegalArgumentException(kind + " is not a server broker");
        };
        db.execute(kind == BrokerKind.POSTGRES ? "CREATE SCHEMA " + name : "CREATE DATABASE " + name);
        return db;
    }

    /** What the server is and where, for messages: "PostgreSQL at 127.0.0.1:5432 (database test, user postgres)". */
    static String describe(BrokerKind kind) {
        return kind == BrokerKind.POSTGRES
                ? "PostgreSQL at " + POSTGRES_HOST + " (database test, user postgres, trust auth)"
                : "MariaDB at " + MARIADB_HOST + " (user root, empty password)";
    }

    private static String howToStart(BrokerKind kind) {
        return kind == BrokerKind.POSTGRES
                ? "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                : "start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd";
    }

    /** An error for a server that is missing or refused: names the server and how to start it. */
    static IllegalStateException unreachable(BrokerKind kind, Exception e) {
        return new IllegalStateException("the '" + kind.label() + "' benchmark broker needs the local " + describe(kind)
                + ", which failed or is not reachable: " + e.getMessage() + "; " + howToStart(kind), e);
    }

    Connection connect() throws SQLException {
        return kind == BrokerKind.POSTGRES
                ? DriverManager.getConnection(PG_JDBC, "postgres", "")
                : DriverManager.getConnection(MARIADB_JDBC, "root", "");
    }

    private void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw unreachable(kind, e);
        }
    }

    /** The server's version string (the servers' own settings that matter here, too). */
    static String version(BrokerKind kind) {
        ServerDb probe = new ServerDb(kind, "", "");
        try (Connection c = probe.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(kind == BrokerKind.POSTGRES
                     ? "SELECT current_setting('server_version') || '; synchronous_commit=' || current_setting('synchronous_commit')"
                       + " || ', fsync=' || current_setting('fsync') || ', shared_buffers=' || current_setting('shared_buffers')"
                     : "SELECT CONCAT(VERSION(), '; innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit,"
                       + " ', sync_binlog=', @@sync_binlog, ', log_bin=', @@log_bin,"
                       + " ', innodb_buffer_pool_size=', @@innodb_buffer_pool_size)")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown: " + e.getMessage();
        }
    }

    /**
     * The jobs table's size on the server. PostgreSQL: {@code pg_total_relation_size} (heap, indexes, TOAST) and
     * the statistics' live and dead tuples and (auto)vacuum counts. MariaDB: information_schema's
     * {@code data_length + index_length} (InnoDB's estimate, refreshed when statistics are recalculated) and the
     * tablespace file's size, which is the {@code bytes} reported when known.
     */
    Map<String, Object> tableSize(String table) {
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            if (kind == BrokerKind.POSTGRES) {
                String rel = "'" + name + "." + table + "'";
                try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size(" + rel + "), pg_relation_size(" + rel
                        + "), pg_indexes_size(" + rel + ")")) {
                    rs.next();
                    m.put("bytes", rs.getLong(1));
                    m.put("heapBytes", rs.getLong(2));
                    m.put("indexBytes", rs.getLong(3));
                }
                try (ResultSet rs = s.executeQuery("SELECT n_live_tup, n_dead_tup, autovacuum_count, vacuum_count, "
                        + "autoanalyze_count FROM pg_stat_user_tables WHERE schemaname = '" + name + "' AND relname = '"
                        + table + "'")) {
                    if (rs.next()) {
                        m.put("liveTuples", rs.getLong(1));
                        m.put("deadTuples", rs.getLong(2));
                        m.put("autovacuums", rs.getLong(3) + rs.getLong(4));
                        m.put("autoanalyzes", rs.getLong(5));
                    }
                }
            } else {
                try (ResultSet rs = s.executeQuery("SELECT data_length + index_length, data_length, index_length, "
                        + "data_free FROM information_schema.tables WHERE table_schema = '" + name
                        + "' AND table_name = '" + table + "'")) {
                    if (rs.next()) {
                        m.put("bytes", rs.getLong(1));
                        m.put("statsBytes", rs.getLong(1));
                        m.put("dataBytes", rs.getLong(2));
                        m.put("indexBytes", rs.getLong(3));
                        m.put("freeBytes", rs.getLong(4));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT file_size, allocated_size FROM "
                        + "information_schema.innodb_sys_tablespaces WHERE name = '" + name + "/" + table + "'")) {
                    // The file's real size: data_length and index_length are InnoDB's statistics, refreshed only
                    // when a tenth of the table has changed, so they lag behind.
                    if (rs.next()) {
                        m.put("fileBytes", rs.getLong(1));
                        m.put("bytes", rs.getLong(1));
                    }
                } catch (SQLException e) {
                    // MySQL names it information_schema.innodb_tablespaces; the estimate above is enough
                }
            }
        } catch (SQLException e) {
            m.put("error", e.getMessage());
        }
        return m;
    }

    /** PostgreSQL: {@code SHOW autovacuum} ("on"/"off"), else null. */
    String autovacuum() {
        if (kind != BrokerKind.POSTGRES) return null;
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW autovacuum")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown: " + e.getMessage();
        }
    }

    /**
     * PostgreSQL: {@code VACUUM} of the table every {@code every}, on a daemon thread with a connection of its
     * own, until the returned handle is closed; returns the number of vacuums and their total time on close.
     */
    Vacuumer vacuumEvery(String table, java.time.Duration every) {
        return new Vacuumer(this, name + "." + table, every);
    }

    static final class Vacuumer implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        volatile String error;

        Vacuumer(ServerDb db, String table, java.time.Duration every) {
            thread = Thread.ofPlatform().daemon().name("bench-vacuum").start(() -> {
                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    while (!stop) {
                        java.util.concurrent.locks.LockSupport.parkNanos(every.toNanos());
                        if (stop) break;
                        long t = System.nanoTime();
                        s.execute("VACUUM " + table);
                        nanos.addAndGet(System.nanoTime() - t);
                        runs.incrementAndGet();
                    }
                } catch (SQLException e) {
                    error = e.getMessage();
                }
            });
        }

        @Override
        public void close() {
            stop = true;
            java.util.concurrent.locks.LockSupport.unpark(thread);
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        execute(kind == BrokerKind.POSTGRES ? "DROP SCHEMA IF EXISTS " + name + " CASCADE"
                : "DROP DATABASE IF EXISTS " + name);
    }
}
