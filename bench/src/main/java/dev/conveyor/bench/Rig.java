package dev.conveyor.bench;

import dev.conveyor.Conveyor;
import dev.conveyor.Retention;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.time.Clock;
import java.util.Map;

/**
 * One run's broker and {@link Conveyor}: a fresh broker (a new private {@code memory:}, a new SQLite file, or a
 * new PostgreSQL schema / MariaDB database on the local server), wrapped in a {@link TimedBroker}, and the
 * caller's task registered. Closing shuts the worker down, closes the broker and deletes the SQLite files or
 * drops the schema/database (unless {@code --keep}).
 */
final class Rig implements AutoCloseable {
    final BrokerKind kind;
    final String url;
    final Path dbFile;
    /** The run's schema or database on a server broker, else null. */
    final ServerDb server;
    final Broker real;
    final TimedBroker broker;
    final Conveyor conveyor;
    private final boolean keep;
    private WriteLockSampler sampler;
    /** The Redis run (key prefix) of a {@code redis} rig, else null. */
    RedisRun redis;
    private Worker worker;

    private Rig(BrokerKind kind, String url, Path dbFile, ServerDb server, Broker real, Task<?, ?> task, boolean keep) {
        this.kind = kind;
        this.url = url;
        this.dbFile = dbFile;
        this.server = server;
        this.real = real;
        this.broker = TimedBroker.of(real);
        this.conveyor = Conveyor.builder().broker(broker).task(task).build();
        this.keep = keep;
    }

    static Rig open(BrokerKind kind, Path dir, String name, Task<?, ?> task, BenchOptions o) {
        Path dbFile = kind.isSqlite() ? BrokerKind.dbFile(dir, name) : null;
        if (dbFile != null) deleteDb(dbFile);
        ServerDb server = kind.isServer() ? ServerDb.create(kind) : null;
        RedisRun redis = kind.isRedis() ? RedisRun.create() : null;
        String url = server != null ? server.url : redis != null ? redis.url : kind.url(dir, name);
        Broker real;
        try {
            real = Brokers.open(url, new BrokerContext(Clock.systemUTC()));
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
                throw RedisRun.unreachable(e);
            }
            if (server == null) throw e;
            try {
                server.close();
            } catch (RuntimeException ignored) {
                // the open's error is the one to report
            }
            throw ServerDb.unreachable(kind, e);
        }
        if (dbFile != null && !o.sqliteSetup.isEmpty()) {
            try {
                setup(dbFile, o.sqliteSetup);
            } catch (RuntimeException e) {
                real.close();
                throw e;
            }
        }
        Rig rig = new Rig(kind, url, dbFile, server, real, task, o.keep);
        rig.redis = redis;
        if (o.diagnose && dbFile != null) rig.sampler = WriteLockSampler.start(dbFile);
        return rig;
    }

    /** {@code --sqlite-setup}: SQL run on its own connection once the broker has created its schema. */
    private static void setup(Path dbFile, List<String> sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            for (String block : sql) {
                for (String stmt : block.split(";")) {
                    if (!stmt.isBlank()) s.execute(stmt);
                }
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("--sqlite-setup failed on " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * One worker with the benchmark's concurrency and fetch batch. No SIGTERM hook, and no pruning of finished
     * jobs: a round runs once a minute at a random moment, and would land in some runs and not others.
     */
    Worker startWorker(BenchOptions o) {
        return startWorker(o, Retention.keepAll());
    }

    /** The same with a retention policy (the retention scenario). */
    Worker startWorker(BenchOptions o, Retention retention) {
        worker = conveyor.startWorker(WorkerOptions.defaults()
                .concurrency(o.concurrency)
                .fetchBatch(o.fetchBatch).fetchers(o.fetchers).prefetch(o.prefetch)
                .retention(retention)
                .shutdownOnSigterm(false));
        return worker;
    }

    /**
     * The jobs table's size: SQLite, the database file plus its WAL; PostgreSQL and MariaDB, see
     * {@link ServerDb#tableSize}. Empty for memory.
     */
    Map<String, Object> tableSize() {
        if (server != null) return server.tableSize("conveyor_jobs");
        if (redis != null) return redis.size();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (dbFile == null) return m;
        long db = fileSize(dbFile);
        long wal = fileSize(Path.of(dbFile + "-wal"));
        m.put("bytes", db + wal);
        m.put("fileBytes", db);
        m.put("walBytes", wal);
        return m;
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    Worker worker() {
        return worker;
    }

    /** Jobs the store holds in this state in the default queue (one read, for the end-of-run checks). */
    long count(JobState state) {
        if (!(real instanceof JobStore store)) return -1;
        return store.queues().stream().mapToLong(q -> q.count(state)).sum();
    }

    /** Clears the call counters and the lock samples (after a warm-up). */
    void resetDiagnostics() {
        broker.reset();
        if (sampler != null) sampler.reset();
    }

    /** Broker call statistics, plus the write-lock samples under {@code --diagnose}. */
    Map<String, Object> diagnostics(long wallNanos) {
        Map<String, Object> calls = broker.snapshot(wallNanos);
        if (sampler != null) calls.put("writeLock", sampler.snapshot());
        return calls;
    }

    @Override
    public void close() {
        if (sampler != null) sampler.close();
        conveyor.close(); // shuts the worker down; the broker was passed in, so it stays open
        broker.close();
        if (dbFile != null && !keep) deleteDb(dbFile);
        if (server != null && !keep) server.close();
        if (redis != null && !keep) redis.close();
        if (redis != null && keep) redis.disconnect();
        if (redis != null && keep) System.out.println("  kept the keys of prefix " + redis.prefix + " on " + RedisRun.describe());
        if (server != null && keep) {
            System.out.println("  kept " + (kind == BrokerKind.POSTGRES ? "schema " : "database ") + server.name
                    + " on " + ServerDb.describe(kind) + " (--keep; drop it by hand)");
        }
    }

    private static void deleteDb(Path db) {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            try {
                Files.deleteIfExists(Path.of(db + suffix));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
