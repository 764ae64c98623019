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
    private final Connection checkpointer;
    private final Thread checkpointThread;
    private volatile boolean closed;
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
            // Checkpoints (copying the WAL back into the database file, with fsyncs) would otherwise run inside
            // whichever commit crosses 1,000 WAL pages, stalling every writer queued behind it. They run on a
            // thread of their own instead; see checkpoint().
            begin.execute("PRAGMA wal_autocheckpoint = 0");
            this.checkpointer = open(synchronous, false);
            for (int i = 0; i < READERS; i++) readers.add(open(synchronous, false));
        } catch (SQLException e) {
            throw new BrokerException("cannot open " + describe + ": " + e.getMessage(), e);
        }
        this.checkpointThread = Thread.ofPlatform().daemon().name("conveyor-sqlite-checkpoint").start(this::checkpointLoop);
    }

    /** Largest the WAL may grow before writers are paused for a full checkpoint. */
    private static final long WAL_LIMIT_BYTES = 64L << 20;

    private void checkpointLoop() {
        Path wal = Path.of(file + "-wal");
        while (!closed) {
            try {
                Thread.sleep(250);
                // PASSIVE copies what it can without waiting for readers or the writer.
                try (Statement st = checkpointer.createStatement()) {
                    st.execute("PRAGMA wal_checkpoint(PASSIVE)");
                }
                // Under sustained writes a passive checkpoint never catches up and the WAL would grow without
                // bound: past the limit, hold the writers back for one checkpoint that truncates it.
                if (Files.exists(wal) && Files.size(wal) > WAL_LIMIT_BYTES) {
                    writeLock.lock();
                    try (Statement st = checkpointer.createStatement()) {
                        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    } finally {
                        writeLock.unlock();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) return;
                // A busy database or a vanished file: try again next round; commits are unaffected.
            }
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
        closed = true;
        checkpointThread.interrupt();
        try {
            checkpointThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpointer.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
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
