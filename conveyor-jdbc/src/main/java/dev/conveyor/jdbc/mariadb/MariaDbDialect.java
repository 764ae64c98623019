package dev.conveyor.jdbc.mariadb;

import dev.conveyor.jdbc.JobRows;
import dev.conveyor.jdbc.Migration;
import dev.conveyor.jdbc.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.zip.CRC32;

/**
 * MariaDB 10.6+ (and MySQL 8.0+, untested) on InnoDB; times are epoch milliseconds. The schema and its
 * indexes are explained in {@code docs/SQL.md}.
 *
 * <p>What differs from PostgreSQL:
 * <ul>
 *   <li>No {@code UPDATE … RETURNING}: the claim is a locking read ({@code FOR UPDATE SKIP LOCKED}) that already
 *       selects each row as the claim will leave it (state RUNNING, deliveries + 1, the new lease), then one
 *       {@code UPDATE … WHERE id IN (…)} of exactly those locked rows — two statements, one transaction.</li>
 *   <li>No partial indexes: the hot-path indexes lead with {@code state}, so each hot query reads one contiguous range.
 *       MariaDB before 10.8 ignores {@code DESC} in an index, so the ready index orders on a stored
 *       {@code priority_rank = -priority} and every column of it ascends.</li>
 *   <li>No transaction-scoped advisory locks: a unique key is serialised by an exclusive row lock on one of
 *       65,536 slot rows of {@code <prefix>unique_locks}, which InnoDB releases at commit or rollback, whatever
 *       the isolation level (a caller's transaction included). Migrations take {@code GET_LOCK}, released after
 *       the commit (MariaDB's DDL commits implicitly, so a row lock would not survive the migration).</li>
 * </ul>
 * Conveyor's own connections run at READ COMMITTED: no gap locks, so claims never block enqueues.
 */
public final class MariaDbDialect extends SqlDialect {
    /** Slot rows in the unique-key lock table; keys hashing to one slot briefly serialise, nothing more. */
    static final int UNIQUE_SLOTS = 1 << 16;
    /** Seconds a process waits for another's migration before giving up. */
    private static final int MIGRATION_LOCK_SECONDS = 120;
    private static final String PROJECTED = projectedColumns();

    private final String migrationLock;
    private final Runnable onClaimed;

    /**
     * @param database  the database holding the tables: qualifies the table names when it is a plain lower-case
     *                  name (so a caller's connection with another default database still finds them), and
     *                  names the migration lock; null for the connection's default
     * @param onClaimed called after each claim that leased at least one job (the adaptive poll tightens)
     */
    public MariaDbDialect(String database, String tablePrefix, Runnable onClaimed) {
        super(database != null && database.matches("[a-z_][a-z0-9_]{0,62}") ? database : null, tablePrefix);
        this.migrationLock = "conveyor-migrate-" + sha1(database + "." + tablePrefix).substring(0, 24);
        this.onClaimed = onClaimed == null ? () -> {} : onClaimed;
    }

    public MariaDbDialect(String database, String tablePrefix) {
        this(database, tablePrefix, null);
    }

    @Override
    public String name() {
        return "mariadb";
    }

    /** The table of unique-key lock slots. */
    public String uniqueLockTable() {
        return qualifier + prefix + "unique_locks";
    }

    @Override
    public String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + versionTable() + " (version INT NOT NULL PRIMARY KEY, "
                + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB";
    }

    /**
     * MEDIUMTEXT: a TEXT holds 65,535 bytes, less than 65,536 characters of UTF-8, and {@code INSERT IGNORE}
     * would store a truncated value and report success. utf8mb4_bin: the database's default collation may be
     * case-insensitive and ignore trailing spaces, and a compare-and-set must compare exactly.
     */
    @Override
    protected String stateValueType() {
        return "MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    }

    /** Byte for byte: MariaDB's and MySQL's _bin collations still ignore trailing spaces (PAD SPACE). */
    @Override
    public String stateValueEquals() {
        return "CAST(value AS BINARY) = CAST(? AS BINARY)";
    }

    @Override
    protected String stateTableOptions() {
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    protected String binaryCollation() {
        return "CHARACTER SET ascii COLLATE ascii_bin";
    }

    @Override
    public List<Migration> migrations() {
        // MySQL has no CREATE INDEX IF NOT EXISTS: the indexes are part of the (idempotent) CREATE TABLE.
        String digit = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 "
                + "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 "
                + "UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 "
                + "UNION ALL SELECT 15)";
        return List.of(new Migration(1, "jobs table, its indexes and the unique-key lock slots", List.of(
                "CREATE TABLE IF NOT EXISTS " + table + " ("
                        + "id VARCHAR(255) NOT NULL, "
                        + "queue VARCHAR(64) NOT NULL, "
                        + "task VARCHAR(255) NOT NULL, "
                        + "state VARCHAR(16) NOT NULL, "
                        + "priority SMALLINT NOT NULL, "
                        + "priority_rank SMALLINT AS (-priority) STORED, "
                        + "run_at BIGINT NOT NULL, "
                        + "enqueued_at BIGINT NOT NULL, "
                        + "attempt INT NOT NULL, "
                        + "deliveries INT NOT NULL, "
                        + "max_attempts INT NOT NULL, "
                        + "max_deliveries INT NOT NULL, "
                        + "lease_token BIGINT NULL, "
                        + "lease_until BIGINT NULL, "
                        + "args LONGTEXT NOT NULL, "
                        + "headers LONGTEXT NULL, "
                        + "expires_at BIGINT NULL, "
                        + "timeout_ms BIGINT NULL, "
                        + "unique_key VARCHAR(512) NULL, "
                        + "unique_for_ms BIGINT NULL, "
                        + "parent_id TEXT NULL, "
                        + "group_id TEXT NULL, "
                        + "result LONGTEXT NULL, "
                        + "errors LONGTEXT NOT NULL DEFAULT ('[]') CHECK (JSON_VALID(errors)), "
                        + "dead_reason LONGTEXT NULL, "
                        + "updated_at BIGINT NOT NULL, "
                        + "finished_at BIGINT NULL, "
                        + "PRIMARY KEY (id), "
                        // claim: one (state, queue) range, read in fetch order, LIMIT n rows locked
                        + "INDEX " + index("ready") + " (state, queue, priority_rank, run_at, id), "
                        // promote due scheduled jobs: state = 'SCHEDULED' AND run_at <= now
                        + "INDEX " + index("due") + " (state, run_at), "
                        // reclaim expired leases: state = 'RUNNING' AND lease_until <= now
                        + "INDEX " + index("leases") + " (state, lease_until), "
                        // the unique-key holder check
                        + "INDEX " + index("unique") + " (queue, unique_key)"
                        // No (state, id) index: every claim and ack would move the row in it. Listing dead jobs
                        // and purging by state use the (state, queue) prefix of the ready index.
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "CREATE TABLE IF NOT EXISTS " + uniqueLockTable() + " (slot INT NOT NULL PRIMARY KEY) ENGINE=InnoDB",
                "INSERT IGNORE INTO " + uniqueLockTable() + " (slot) SELECT a.n * 4096 + b.n * 256 + c.n * 16 + d.n FROM "
                        + digit + " a CROSS JOIN " + digit + " b CROSS JOIN " + digit + " c CROSS JOIN " + digit + " d")), stateMigration(), cancelAndProgressMigration(),
                fairKeyMigration(),
                startMarkMigration(), keepResultMigration());
    }

    @Override
    protected Migration keepResultMigration() {
        // No partial or expression indexes here: an index of the column alone, which an ack never changes, finds
        // the jobs with a keep time of their own (few, as a rule); the prune reads their rows to test the time.
        return new Migration(6, "keep times of succeeded jobs' results", List.of(
                "ALTER TABLE " + table + " ADD COLUMN keep_result_ms BIGINT NULL, "
                        + "ADD INDEX " + index("kept") + " (keep_result_ms)"));
    }

    @Override
    protected Migration fairKeyMigration() {
        // No partial indexes here: rows without a key sit in the index under NULL, a few bytes each.
        return new Migration(4, "fairness keys of ready jobs", List.of(
                "ALTER TABLE " + table + " ADD COLUMN fair_key VARCHAR(200) NULL, "
                        + "ADD INDEX " + index("fair") + " (queue, fair_key, state, run_at)"));
    }

    @Override
    public String agePrioritySql() {
        // MariaDB cannot update a table it selects from with LIMIT; a single-table UPDATE takes ORDER BY and LIMIT.
        return "UPDATE " + table + " SET priority = priority + 1, updated_at = ? WHERE state = 'READY' AND queue = ? "
                + "AND priority_rank = -? AND run_at <= ? ORDER BY priority_rank, run_at, id LIMIT ?";
    }

    @Override
    public String fairHeadSql() {
        return "SELECT run_at FROM " + table + " FORCE INDEX (" + index("ready") + ") WHERE state = 'READY' "
                + "AND queue = ? AND priority_rank = -? ORDER BY priority_rank, run_at, id LIMIT 1";
    }

    @Override
    public void lockMigrations(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, " + MIGRATION_LOCK_SECONDS + ")")) {
            ps.setString(1, migrationLock);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new SQLException("another process has held the Conveyor migration lock '" + migrationLock
                            + "' for " + MIGRATION_LOCK_SECONDS + " s; is a migration stuck?");
                }
            }
        }
    }

    /**
     * Commits, then releases the lock: released before the commit, another process could read the old version
     * and apply the same step again. (On failure the commit keeps what MariaDB's implicitly committed DDL has
     * already made permanent consistent with the version table.)
     */
    @Override
    public void unlockMigrations(Connection c) throws SQLException {
        SQLException failure = null;
        try {
            c.commit();
        } catch (SQLException e) {
            failure = e;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            ps.setString(1, migrationLock);
            ps.execute();
        } catch (SQLException e) {
            // A broken connection ends its session, and the server releases the lock with it.
            if (failure == null) failure = e; else failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }

    @Override
    public String appendError() {
        return "JSON_ARRAY_APPEND(errors, '$', JSON_EXTRACT(?, '$'))";
    }

    /** A repeated id is a duplicate-key error that IGNORE turns into 0 rows. */
    @Override
    public String insertIgnoring(String into, String columns, String values) {
        return "INSERT IGNORE INTO " + into + " (" + columns + ") VALUES (" + values + ")";
    }

    /** Rows per multi-row INSERT: 21 parameters each, well under the protocol's limits. */
    private static final int INSERT_CHUNK = 200;

    /**
     * A batch of new jobs as multi-row {@code INSERT IGNORE … VALUES (…), (…)} statements instead of a JDBC batch of
     * one-row inserts. Which ids already exist is read first (the insert ignores them and cannot say which): those
     * are the duplicates. An id that a concurrent enqueue stores between that read and the insert is counted as
     * new here too, which only matters for that rare race and changes nothing stored.
     */
    @Override
    public java.util.Set<String> insertAll(Connection c, List<dev.conveyor.job.Job> jobs, long now) throws SQLException {
        java.util.Map<String, dev.conveyor.job.Job> firstById = new java.util.LinkedHashMap<>();
        for (dev.conveyor.job.Job j : jobs) firstById.putIfAbsent(j.id(), j);
        List<String> ids = new ArrayList<>(firstById.keySet());
        java.util.Set<String> existing = new java.util.HashSet<>();
        for (int from = 0; from < ids.size(); from += ACK_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + ACK_CHUNK));
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE id IN ("
                    + placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) existing.add(rs.getString(1));
                }
            }
        }
        List<dev.conveyor.job.Job> fresh = firstById.values().stream().filter(j -> !existing.contains(j.id())).toList();
        java.time.Instant at = java.time.Instant.ofEpochMilli(now);
        String row = "(" + JobRows.INSERT_PARAMS + ")";
        for (int from = 0; from < fresh.size(); from += INSERT_CHUNK) {
            List<dev.conveyor.job.Job> chunk = fresh.subList(from, Math.min(fresh.size(), from + INSERT_CHUNK));
            try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO " + table + " (" + JobRows.INSERT_COLUMNS
                    + ") VALUES " + String.join(", ", java.util.Collections.nCopies(chunk.size(), row)))) {
                int i = 1;
                for (dev.conveyor.job.Job j : chunk) {
                    dev.conveyor.job.JobState state = j.runAt().toEpochMilli() > now
                            ? dev.conveyor.job.JobState.SCHEDULED : dev.conveyor.job.JobState.READY;
                    i = JobRows.bindInsert(ps, i, j, state, at);
                }
                ps.executeUpdate();
            }
        }
        java.util.Set<String> inserted = new java.util.HashSet<>();
        for (dev.conveyor.job.Job j : fresh) inserted.add(j.id());
        return inserted;
    }

    /** Ids per statement of the batched ack: keeps each statement's text and CASE short. */
    private static final int ACK_CHUNK = 500;

    /**
     * A batch of successes in two statements per chunk instead of one per job (a JDBC batch of single-row
     * updates cost ~150 µs a job here): a locking read of which leases are current, then one {@code UPDATE … WHERE
     * id IN (…)} that sets each result through a {@code CASE}. MariaDB has no {@code UPDATE … RETURNING}, hence the
     * read; it locks the rows (in id order, as every batch here does), so nothing changes between the two.
     */
    @Override
    public java.util.Set<String> ackAll(Connection c, List<dev.conveyor.broker.Completion> items, long now)
            throws SQLException {
        // An id listed twice in one batch: only its first entry can be the current lease.
        java.util.Map<String, dev.conveyor.broker.Completion> byId = new java.util.TreeMap<>();
        for (dev.conveyor.broker.Completion item : items) byId.putIfAbsent(item.lease().jobId(), item);
        List<String> ids = new ArrayList<>(byId.keySet());
        java.util.Set<String> current = new java.util.HashSet<>();
        for (int from = 0; from < ids.size(); from += ACK_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + ACK_CHUNK));
            try (PreparedStatement ps = c.prepareStatement("SELECT id, lease_token FROM " + table + " WHERE id IN ("
                    + placeholders(chunk.size()) + ") AND state = 'RUNNING' AND lease_until > ? FOR UPDATE")) {
                int i = 1;
                for (String id : chunk) ps.setString(i++, id);
                ps.setLong(i, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        long token = rs.getLong(2);
                        if (!rs.wasNull() && byId.get(id) != null && byId.get(id).lease().token() == token) current.add(id);
                    }
                }
            }
        }
        List<String> toAck = ids.stream().filter(current::contains).toList();
        for (int from = 0; from < toAck.size(); from += ACK_CHUNK) {
            List<String> chunk = toAck.subList(from, Math.min(toAck.size(), from + ACK_CHUNK));
            List<String> withResult = chunk.stream().filter(id -> byId.get(id).result() != null).toList();
            StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET state = 'SUCCEEDED', result = ");
            if (withResult.isEmpty()) {
                sql.append("NULL");
            } else {
                sql.append("CASE id");
                for (int k = 0; k < withResult.size(); k++) sql.append(" WHEN ? THEN ?");
                sql.append(" ELSE NULL END");
            }
            sql.append(", finished_at = ?, updated_at = ?, lease_token = NULL, lease_until = NULL WHERE id IN (")
                    .append(placeholders(chunk.size())).append(")");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String id : withResult) {
                    ps.setString(i++, id);
                    ps.setString(i++, byId.get(id).result());
                }
                ps.setLong(i++, now);
                ps.setLong(i++, now);
                for (String id : chunk) ps.setString(i++, id);
                ps.executeUpdate();
            }
        }
        return current;
    }

    @Override
    public String insertJob() {
        return "INSERT IGNORE INTO " + table + " (" + JobRows.INSERT_COLUMNS + ") VALUES (" + JobRows.INSERT_PARAMS + ")";
    }

    /**
     * An exclusive lock on the key's slot row, held to the end of the transaction. Works at any isolation level,
     * unlike a locking read of the (queue, unique_key) index, whose gap lock READ COMMITTED does not take.
     */
    @Override
    public void lockUniqueKey(Connection c, String queue, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + uniqueLockTable()
                + " (slot) VALUES (?) ON DUPLICATE KEY UPDATE slot = slot")) {
            ps.setInt(1, slot(queue, key));
            ps.executeUpdate();
        }
    }

    static int slot(String queue, String key) {
        CRC32 crc = new CRC32();
        crc.update((queue + '\u0001' + key).getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & (UNIQUE_SLOTS - 1));
    }

    /**
     * A locking (current) read: in a caller's REPEATABLE READ transaction a plain read would see its snapshot,
     * missing the job a concurrent enqueue committed while this one waited for the slot lock.
     */
    @Override
    public String uniqueHolder() {
        return super.uniqueHolder() + " LOCK IN SHARE MODE";
    }

    @Override
    public void claim(Connection c, List<String> queues, int max, long token, long leaseUntil, long now,
                      RowConsumer rows) throws SQLException {
        queues = List.copyOf(new LinkedHashSet<>(queues)); // a queue named twice would return its rows twice
        List<String> ids = new ArrayList<>(Math.min(max, 256));
        try (PreparedStatement ps = c.prepareStatement(claimSql(queues.size()))) {
            int i = 1;
            for (String q : queues) {
                ps.setLong(i++, token);
                ps.setLong(i++, leaseUntil);
                ps.setLong(i++, now);
                ps.setString(i++, q);
                ps.setInt(i++, max);
            }
            if (queues.size() > 1) ps.setInt(i, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString("id"));
                    rows.accept(rs);
                }
            }
        }
        if (ids.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'RUNNING', deliveries = "
                + "deliveries + 1, lease_token = ?, lease_until = ?, updated_at = ? WHERE state = 'READY' AND id IN ("
                + placeholders(ids.size()) + ")")) {
            ps.setLong(1, token);
            ps.setLong(2, leaseUntil);
            ps.setLong(3, now);
            for (int k = 0; k < ids.size(); k++) ps.setString(4 + k, ids.get(k));
            int n = ps.executeUpdate();
            if (n != ids.size()) {
                // Cannot happen while the rows are locked; fail the transaction rather than hand out a lease.
                throw new SQLException("claim locked " + ids.size() + " ready jobs but updated " + n);
            }
        }
        onClaimed.run();
    }

    /**
     * The claim's locking read; public so a test can EXPLAIN it. Each queue reads its own range of the ready
     * index in fetch order and locks at most n rows, skipping rows other fetchers hold; with several queues the
     * best n of those are returned (the few extra rows stay locked, unclaimed, until the commit). Parameters
     * per queue: token, lease deadline, now, queue, n; then n again when there are several queues.
     */
    public String claimSql(int queueCount) {
        // FORCE INDEX pins the plan: on a small or skewed table the optimizer prefers a full scan and a filesort,
        // and a locking read that sorts locks every ready row of the queue, starving the other fetchers.
        String one = "SELECT " + PROJECTED + ", priority_rank FROM " + table + " FORCE INDEX (" + index("ready")
                + ") WHERE state = 'READY' AND queue = ? "
                + "ORDER BY priority_rank, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
        if (queueCount == 1) return one;
        StringBuilder sql = new StringBuilder();
        for (int q = 0; q < queueCount; q++) sql.append(q == 0 ? "(" : " UNION ALL (").append(one).append(')');
        return sql.append(" ORDER BY priority_rank, run_at, id LIMIT ?").toString();
    }

    /** {@link JobRows#COLUMNS} as the claim leaves them: the lease's columns are parameters. */
    private static String projectedColumns() {
        List<String> out = new ArrayList<>();
        for (String col : JobRows.COLUMNS.split(",\\s*")) {
            out.add(switch (col) {
                case "state" -> "'RUNNING' AS state";
                case "deliveries" -> "deliveries + 1 AS deliveries";
                case "lease_token" -> "? AS lease_token";
                case "lease_until" -> "? AS lease_until";
                case "updated_at" -> "? AS updated_at";
                default -> col;
            });
        }
        // The three parameters must come in the order the claim binds them: token, deadline, now.
        String joined = String.join(", ", out);
        if (joined.indexOf("? AS lease_token") > joined.indexOf("? AS lease_until")
                || joined.indexOf("? AS lease_until") > joined.indexOf("? AS updated_at")) {
            throw new IllegalStateException("JobRows.COLUMNS changed its order: " + JobRows.COLUMNS);
        }
        return joined;
    }

    /**
     * Deadlocks (1213) and lock wait timeouts (1205) roll back and are worth repeating; so are dropped or killed
     * connections (SQLSTATE class 08, 1927, 2006, 2013) and a server shutting down (1053).
     */
    @Override
    public boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (transientCode(s)) return true;
                if (s instanceof BatchUpdateException && s.getNextException() != null
                        && s.getNextException() != s && transientCode(s.getNextException())) {
                    return true;
                }
            }
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static boolean transientCode(SQLException s) {
        int code = s.getErrorCode();
        String state = s.getSQLState();
        return code == 1213 || code == 1205 || code == 1927 || code == 2006 || code == 2013 || code == 1053
                || (state != null && (state.startsWith("08") || state.equals("40001")));
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String skipLockedRows() {
        return " FOR UPDATE SKIP LOCKED";
    }
}
