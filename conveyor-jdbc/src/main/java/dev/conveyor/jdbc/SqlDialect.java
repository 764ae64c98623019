package dev.conveyor.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between SQL databases, kept small: the schema's migrations, the claim, the insert that ignores a
 * repeated id, the JSON append for the error history, and the locks. Everything else in {@link SqlBroker} is
 * plain SQL every supported database runs.
 */
public abstract class SqlDialect {
    protected final String prefix;
    /** Where the tables live ({@code "myschema."}), or empty for the connection's default. */
    protected final String qualifier;
    protected final String table;

    protected SqlDialect(String tablePrefix) {
        this(null, tablePrefix);
    }

    /** @param schema the schema (PostgreSQL) or database (MariaDB) holding the tables, or null for the default */
    protected SqlDialect(String schema, String tablePrefix) {
        if (!tablePrefix.matches("[a-z][a-z0-9_]{0,30}")) {
            throw new IllegalArgumentException("table prefix must match [a-z][a-z0-9_]{0,30}, was '" + tablePrefix + "'");
        }
        if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must match [a-z_][a-z0-9_]{0,62}, was '" + schema + "'");
        }
        this.prefix = tablePrefix;
        this.qualifier = schema == null ? "" : schema + ".";
        // Qualified, so a caller's connection with another search path still finds the tables (transactional enqueue).
        this.table = qualifier + tablePrefix + "jobs";
    }

    /** An index name: unqualified (an index lives in its table's schema). */
    protected String index(String suffix) {
        return prefix + "jobs_" + suffix;
    }

    /** The jobs table's name. */
    public String table() {
        return table;
    }

    /** The table recording applied migrations. */
    public String versionTable() {
        return qualifier + prefix + "schema_version";
    }

    public abstract String name();

    /** The schema, as versioned steps. */
    public abstract List<Migration> migrations();

    /**
     * The jobs table's DDL followed by the partial indexes of the dialects that have them (SQLite, PostgreSQL),
     * each serving one hot query (docs/SQL.md explains them).
     */
    protected List<String> withPartialIndexes(String createTable) {
        return List.of(createTable,
                "CREATE INDEX IF NOT EXISTS " + index("ready") + " ON " + table
                        + " (queue, priority DESC, run_at, id) WHERE state = 'READY'",
                "CREATE INDEX IF NOT EXISTS " + index("scheduled") + " ON " + table + " (run_at) WHERE state = 'SCHEDULED'",
                "CREATE INDEX IF NOT EXISTS " + index("leases") + " ON " + table + " (lease_until) WHERE state = 'RUNNING'",
                "CREATE INDEX IF NOT EXISTS " + index("unique") + " ON " + table
                        + " (queue, unique_key) WHERE unique_key IS NOT NULL",
                "CREATE INDEX IF NOT EXISTS " + index("dead") + " ON " + table + " (queue, id) WHERE state = 'DEAD'");
    }

    /** The shared-state table ({@link dev.conveyor.broker.StateStore}): key, value, last write. */
    public String stateTable() {
        return qualifier + prefix + "state";
    }

    /**
     * Migration 2, the same on every database: the shared-state table. Keys are at most 255 ASCII characters
     * (so a primary key on them fits every database's index limits), compared byte for byte.
     */
    protected Migration stateMigration() {
        return new Migration(2, "shared-state table (schedules, pause flags)", List.of(
                "CREATE TABLE IF NOT EXISTS " + stateTable() + " (name VARCHAR(255) " + binaryCollation()
                        + " NOT NULL PRIMARY KEY, value " + stateValueType() + " NOT NULL, updated_at BIGINT NOT NULL)"
                        + stateTableOptions()));
    }

    /**
     * The state value's type: it must hold {@link dev.conveyor.broker.StateStore#MAX_VALUE_LENGTH} characters of
     * any script and compare exactly (the compare-and-set's {@code WHERE value = ?}).
     */
    protected String stateValueType() {
        return "TEXT";
    }

    /** The compare-and-set's exact comparison of the stored value with a parameter. */
    public String stateValueEquals() {
        return "value = ?";
    }

    /** Table options after the state table's column list (MariaDB: engine and character set). */
    protected String stateTableOptions() {
        return "";
    }

    /**
     * Migration 3: cancellation of running jobs ({@code cancel_requested_at}) and handlers' progress
     * ({@code progress}, JSON). One statement where the database can add both columns at once, so a failure
     * leaves nothing half applied on databases whose DDL is not transactional (MariaDB, MySQL).
     */
    protected Migration cancelAndProgressMigration() {
        return new Migration(3, "cancel requests and progress of running jobs", List.of(
                "ALTER TABLE " + table + " ADD COLUMN cancel_requested_at BIGINT NULL, ADD COLUMN progress TEXT NULL"));
    }

    /**
     * Fairness keys ({@link dev.conveyor.broker.FairOrder}): the key of a placed job, and an index that finds a
     * key's last place among the ready jobs of a queue. Partial, so jobs without a key cost it nothing.
     */
    protected Migration fairKeyMigration() {
        return new Migration(4, "fairness keys of ready jobs", List.of(
                "ALTER TABLE " + table + " ADD COLUMN fair_key TEXT NULL",
                "CREATE INDEX IF NOT EXISTS " + index("fair") + " ON " + table
                        + " (queue, fair_key, run_at) WHERE state = 'READY' AND fair_key IS NOT NULL"));
    }

    /**
     * Migration 5: the delivery during which a worker marked a redelivered job's handler started
     * ({@link dev.conveyor.broker.Broker#markStarted}), so a lease lost before the start is not counted toward
     * quarantine. Nullable, no index: read only for the expired leases the reclaim already found.
     */
    protected Migration startMarkMigration() {
        return new Migration(5, "start marks of redelivered jobs", List.of(
                "ALTER TABLE " + table + " ADD COLUMN started_delivery INT NULL"));
    }

    /**
     * Migration 6: succeeded jobs that carry a keep time of their own ({@link dev.conveyor.job.Job#keepResultFor}).
     * The insert copies the header's milliseconds into {@code keep_result_ms}; a partial index on the time each
     * such job may go lets the prune find the due ones without reading the others. Every other row stays out of
     * the index, so it costs the common path nothing.
     */
    protected Migration keepResultMigration() {
        return new Migration(6, "keep times of succeeded jobs' results", List.of(
                "ALTER TABLE " + table + " ADD COLUMN keep_result_ms BIGINT NULL",
                "CREATE INDEX IF NOT EXISTS " + index("kept") + " ON " + table
                        + " ((finished_at + keep_result_ms)) WHERE state = 'SUCCEEDED' AND keep_result_ms IS NOT NULL"));
    }

    /** The run_at of the first ready job of a queue and priority (parameters: queue, priority). */
    public String fairHeadSql() {
        return "SELECT run_at FROM " + table + " WHERE state = 'READY' AND queue = ? AND priority = ? "
                + "ORDER BY priority DESC, run_at, id LIMIT 1";
    }

    /** The largest run_at among a key's ready jobs in a queue (parameters: queue, key). */
    public String fairLastSql() {
        return "SELECT MAX(run_at) FROM " + table + " WHERE state = 'READY' AND queue = ? AND fair_key = ? "
                + "AND fair_key IS NOT NULL";
    }

    /** Moves a just-inserted ready job to its fair place (parameters: place, key, id). */
    public String fairPlaceSql() {
        return "UPDATE " + table + " SET run_at = ?, fair_key = ? WHERE id = ? AND state = 'READY'";
    }

    /**
     * Priority aging ({@link dev.conveyor.broker.JobStore#agePriority}); parameters: updated_at, queue, priority,
     * ready since (run_at at most), limit.
     */
    public String agePrioritySql() {
        return "UPDATE " + table + " SET priority = priority + 1, updated_at = ? WHERE id IN (SELECT id FROM " + table
                + " WHERE state = 'READY' AND queue = ? AND priority = ? AND run_at <= ? ORDER BY run_at, id LIMIT ?"
                + agingLock() + ")";
    }

    /**
     * Appended to the reclaim's read of expired leases: rows another transaction holds are skipped, not waited
     * for. A worker whose connection went half-open in the middle of an ack keeps that ack's rows locked for as
     * long as the server keeps its session; without this every fetch's reclaim waited on them, failed, and the
     * next fetch did the same, so no worker took a job again (the MariaDB net-faults stall). SQLite has one
     * writer and no row locks: nothing.
     */
    public String skipLockedRows() {
        return "";
    }

    /** Appended to the aging subquery: PostgreSQL skips rows a claim holds instead of waiting for them. */
    protected String agingLock() {
        return "";
    }

    /** The collation clause that makes VARCHAR comparisons byte order (key prefixes, ranges). */
    protected String binaryCollation() {
        return "COLLATE \"C\"";
    }

    /** An INSERT that does nothing when the row's primary key already exists. */
    public String insertIgnoring(String into, String columns, String values) {
        return "INSERT INTO " + into + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING";
    }

    /** DDL creating the version table if missing. */
    public String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + versionTable()
                + " (version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)";
    }

    /**
     * Serialises migrations between processes (two Conveyor versions starting at once must not both migrate).
     * Called inside the migration's write transaction; released by {@link #unlockMigrations} or by its end.
     */
    public void lockMigrations(Connection c) throws SQLException {}

    public void unlockMigrations(Connection c) throws SQLException {}

    /** An SQL expression: the {@code errors} JSON array with the JSON object bound to one parameter appended. */
    public abstract String appendError();

    /** A placeholder for a JSON value bound as text, cast where the column has a JSON type. */
    public String jsonParameter() {
        return "?";
    }

    /** Inserts one job ({@link JobRows#INSERT_COLUMNS}); a row with the same id already there is left alone (0 rows). */
    public String insertJob() {
        return "INSERT INTO " + table + " (" + JobRows.INSERT_COLUMNS + ") VALUES (" + JobRows.INSERT_PARAMS
                + ") ON CONFLICT (id) DO NOTHING";
    }

    /**
     * Makes the unique-key check and the insert that follows atomic against concurrent enqueues of the same key
     * in other transactions, for the rest of the current transaction. SQLite needs nothing (one writer at a time).
     */
    public void lockUniqueKey(Connection c, String queue, String key) throws SQLException {}

    /** Selects the job holding a unique key: parameters queue, key, now (ms). */
    public String uniqueHolder() {
        return "SELECT id FROM " + table + " WHERE queue = ? AND unique_key = ? AND (state NOT IN ('SUCCEEDED', "
                + "'DEAD', 'CANCELLED') OR (unique_for_ms IS NOT NULL AND finished_at + unique_for_ms > ?))";
    }

    /** Receives each leased row (with at least {@link JobRows#JOB_COLUMNS}). */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(ResultSet row) throws SQLException;
    }

    /**
     * Leases up to {@code max} ready jobs of the queues, in priority, run_at, id order: state RUNNING,
     * deliveries + 1, the given token and deadline. Hands each leased row to {@code rows}.
     */
    public void claim(Connection c, List<String> queues, int max, long token, long leaseUntil, long now,
                      RowConsumer rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(claimStatement(queues.size()))) {
            int i = 1;
            ps.setLong(i++, token);
            ps.setLong(i++, leaseUntil);
            ps.setLong(i++, now);
            for (String q : queues) ps.setString(i++, q);
            ps.setInt(i, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) rows.accept(rs);
            }
        }
    }

    /**
     * True when {@link #claimWithChores} sends a whole fetch in one round trip outside a transaction (PostgreSQL).
     * Otherwise the broker runs the fetch's steps one after another in a transaction.
     */
    public boolean claimsWithChores() {
        return false;
    }

    /**
     * A whole fetch in one round trip: {@code promote} (an update whose one parameter is {@code now}), then
     * {@code expired} (a query whose one parameter is {@code now}; its rows go to {@code expiredRows}), then
     * {@link #claim} of the queues. Run outside a transaction; only where {@link #claimsWithChores()} is true.
     */
    public void claimWithChores(Connection c, String promote, String expired, RowConsumer expiredRows,
                                List<String> queues, int max, long token, long leaseUntil, long now,
                                RowConsumer rows) throws SQLException {
        throw new UnsupportedOperationException(name() + " sends a fetch's steps one at a time");
    }

    /**
     * For the default {@link #claim}: one statement whose parameters are token, lease deadline, updated_at, the
     * queue names, the limit, returning {@link JobRows#JOB_COLUMNS}.
     */
    protected String claimStatement(int queueCount) {
        throw new UnsupportedOperationException(name() + " overrides claim()");
    }

    /**
     * Inserts jobs without unique keys in one statement, where the database can (PostgreSQL: arrays and
     * {@code unnest}); a job whose id already exists is left alone. Returns the ids inserted, or null to use the
     * portable JDBC batch of {@link #insertJob()}.
     */
    public java.util.Set<String> insertAll(Connection c, List<dev.conveyor.job.Job> jobs, long now) throws SQLException {
        return null;
    }

    /**
     * Records a batch of successes in one statement, where the database can (PostgreSQL: arrays and
     * {@code unnest}); returns the ids whose lease was current, or null to use the portable per-row JDBC batch.
     */
    public java.util.Set<String> ackAll(Connection c, List<dev.conveyor.broker.Completion> items, long now)
            throws SQLException {
        return null;
    }

    /**
     * How many transactions of combined enqueue calls may be stored at once (SqlBroker): a server commits several in
     * parallel (and a connection pool serves them); a database with one writer gains nothing from more than one.
     */
    public int enqueueLanes() {
        return 4;
    }

    /**
     * True when {@link #insertAll} and {@link #ackAll} are each one statement that also tells listeners (as
     * {@link #notifyEnqueued} and {@link #notifyFinished} would): the broker then runs a plain enqueue or an ack as
     * that one statement, without an explicit transaction (PostgreSQL: one round trip instead of three).
     */
    public boolean notifiesInOneStatement() {
        return false;
    }

    /** Runs inside an enqueue's transaction: tells listening workers (on commit) that jobs arrived. */
    public void notifyEnqueued(Connection c) throws SQLException {}

    /** Tells listeners in other processes, at commit, that jobs finished (result waiters); none by default. */
    public void notifyFinished(Connection c) throws SQLException {}

    /** True for failures worth retrying the whole transaction: deadlocks, serialization failures, busy files. */
    public boolean isTransient(SQLException e) {
        return false;
    }

    /** A comma-separated list of {@code n} placeholders. */
    protected static String placeholders(int n) {
        return "?" + ", ?".repeat(n - 1);
    }
}
