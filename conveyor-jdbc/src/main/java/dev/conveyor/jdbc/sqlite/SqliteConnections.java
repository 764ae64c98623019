package dev.conveyor.jdbc.sqlite;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.jdbc.ConnectionSource;
import dev.conveyor.jdbc.SqlWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Connections to one SQLite file. SQLite has one writer at a time, so writes queue on a lock inside the JVM
 * (shared by every broker on the same file) and then run {@code BEGIN IMMEDIATE} on one write connection:
 * queueing in the JVM beat SQLite's own sleeping busy handler by about 25 % here (PERFORMANCE.md). Other
 * processes on the same file still meet SQLite's lock, which {@code busy_timeout} waits out. Reads use a small
 * pool of their own connections and, in WAL mode, never block on the writer.
 */
public final class SqliteConnections implements ConnectionSource {
    private static final Map<Path, ReentrantLock> WRITE_LOCKS = new ConcurrentHashMap<>();
    private static final int READERS = 4;

    private final String url;
    private final Path file;
    private final ReentrantLock writeLock;
    private final Connection writer;
    private final Statement begin;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

    /**
     * @param file        the database file (created, with its parent directories, if missing)
     * @param synchronous {@code FULL} (durable against power loss: every commit is fsynced) or {@code NORMAL}
     */
    public SqliteConnections(Path file, String synchronous, String describe) {
        this.url = describe;
        this.file = file.toAbsolutePath().normalize();
        this.writeLock = WRITE_LOCKS.computeIfAbsent(this.file, f -> new ReentrantLock());
        try {
            Path parent = this.file.getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (Exception e) {
            throw new BrokerException("cannot create the directory for " + describe + ": " + e.getMessage(), e);
        }
        try {
            this.writer = open(synchronous, true);
            this.begin = writer.createStatement();
            for (int i = 0; i < READERS; i++) readers.add(open(synchronous, false));
        } catch (SQLException e) {
            throw new BrokerException("cannot open " + describe + ": " + e.getMessage(), e);
        }
    }

    private Connection open(String synchronous, boolean forWrites) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous));
        config.setBusyTimeout(10_000);
        // Auto-commit stays on and transactions are begun by hand: with auto-commit off, the driver begins the
        // next transaction right after each commit, so the write connection would hold SQLite's write lock
        // all the time and lock every other process out of the file.
        return config.createConnection("jdbc:sqlite:" + file);
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    begin.execute("BEGIN IMMEDIATE");
                    T result = work.run(writer);
                    begin.execute("COMMIT");
                    return result;
                } catch (SQLException e) {
                    rollbackQuietly();
                    if (isBusy(e) && attempt < 5) continue; // another process held the file past busy_timeout
                    throw new BrokerException(url + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    rollbackQuietly();
                    throw e;
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(url + ": interrupted while waiting for a connection");
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new BrokerException(url + ": " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    private void rollbackQuietly() {
        try {
            begin.execute("ROLLBACK"); // fails harmlessly when SQLite already rolled back or nothing was begun
        } catch (SQLException ignored) {
            // the connection reports the original failure
        }
    }

    private static boolean isBusy(SQLException e) {
        return e instanceof SQLiteException s
                && (s.getResultCode() == SQLiteErrorCode.SQLITE_BUSY || s.getResultCode() == SQLiteErrorCode.SQLITE_LOCKED);
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            writer.close();
        } catch (SQLException ignored) {
            // closing anyway
        } finally {
            writeLock.unlock();
        }
        Connection c;
        while ((c = readers.poll()) != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
