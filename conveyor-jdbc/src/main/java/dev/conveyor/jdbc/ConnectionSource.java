package dev.conveyor.jdbc;

/**
 * Where the SQL broker gets its connections and transactions. Each database has its own rules — SQLite has
 * one writer at a time, PostgreSQL a pool of equals — so the broker asks for "a write transaction" or "a
 * read" and the source decides how.
 */
public interface ConnectionSource extends AutoCloseable {
    /**
     * Runs {@code work} in a write transaction and commits it; rolls back and rethrows on failure. Retries
     * transient conflicts (lock timeouts, serialization failures) itself.
     */
    <T> T write(SqlWork<T> work);

    /**
     * Like {@link #write}, for work that is a single statement, atomic by itself: a source may run it without an
     * explicit transaction, which saves the round trip of a separate COMMIT (a fifth of a single enqueue's time on
     * PostgreSQL). The default runs it as {@link #write} does.
     */
    default <T> T writeOneStatement(SqlWork<T> work) {
        return write(work);
    }

    /** Runs {@code work} on a connection that sees committed data; no writes. */
    <T> T read(SqlWork<T> work);

    /** A description for messages: the URL without its password. */
    String describe();

    @Override
    void close();
}
