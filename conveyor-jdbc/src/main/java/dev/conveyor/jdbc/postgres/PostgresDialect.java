package dev.conveyor.jdbc.postgres;

import dev.conveyor.jdbc.Migration;
import dev.conveyor.jdbc.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL 12+. The claim is one statement: a {@code MATERIALIZED} CTE picks n ready ids in order with
 * {@code FOR UPDATE SKIP LOCKED} and feeds an {@code UPDATE … RETURNING}, so concurrent fetchers never wait on
 * each other and never claim more than n (a plain {@code WHERE id IN (SELECT … LIMIT n)} may be re-evaluated
 * and claim far more). The claim's plan is pinned per transaction: the planner otherwise drifts to bitmap
 * scans and full sorts of every ready row after bulk changes (PERFORMANCE.md measured 10–60× slowdowns). The
 * schema and the dialect's small parts are here; the hot statements (claim, insert, ack) in {@link PostgresHotPath}.
 */
public final class PostgresDialect extends SqlDialect {
    /** Constant key of the advisory lock that serialises migrations ("conveyor" in ASCII). */
    private static final long MIGRATION_LOCK = 0x636f6e766579L;

    /** The claim, the insert and the ack. */
    private final PostgresHotPath hot;

    public PostgresDialect(String schema, String tablePrefix) {
        super(schema, tablePrefix);
        this.hot = new PostgresHotPath(table(), channel(), doneChannel());
    }

    @Override
    public String name() {
        return "postgresql";
    }

    /** The NOTIFY channel idle workers LISTEN on. */
    public String channel() {
        return qualifier + prefix + "jobs";
    }

    /** The NOTIFY channel result waiters LISTEN on: acks and buries notify it. */
    public String doneChannel() {
        return qualifier + prefix + "done";
    }

    @Override
    public List<Migration> migrations() {
        return List.of(new Migration(1, "jobs table and its indexes", withPartialIndexes(
                "CREATE TABLE IF NOT EXISTS " + table + " ("
                        + "id TEXT PRIMARY KEY, "
                        + "queue TEXT NOT NULL, "
                        + "task TEXT NOT NULL, "
                        + "state TEXT NOT NULL, "
                        + "priority SMALLINT NOT NULL, "
                        + "run_at BIGINT NOT NULL, "
                        + "enqueued_at BIGINT NOT NULL, "
                        + "attempt INTEGER NOT NULL, "
                        + "deliveries INTEGER NOT NULL, "
                        + "max_attempts INTEGER NOT NULL, "
                        + "max_deliveries INTEGER NOT NULL, "
                        + "lease_token BIGINT, "
                        + "lease_until BIGINT, "
                        + "args TEXT NOT NULL, "
                        + "headers TEXT, "
                        + "expires_at BIGINT, "
                        + "timeout_ms BIGINT, "
                        + "unique_key TEXT, "
                        + "unique_for_ms BIGINT, "
                        + "parent_id TEXT, "
                        + "group_id TEXT, "
                        + "result TEXT, "
                        + "errors JSONB NOT NULL DEFAULT '[]', "
                        + "dead_reason TEXT, "
                        + "updated_at BIGINT NOT NULL, "
                        + "finished_at BIGINT)")), stateMigration(), cancelAndProgressMigration(),
                fairKeyMigration(),
                startMarkMigration(), keepResultMigration());
    }

    @Override
    protected String agingLock() {
        return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public String skipLockedRows() {
        return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public void lockMigrations(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
        }
    }

    @Override
    public String jsonParameter() {
        return "?::jsonb";
    }

    @Override
    public String appendError() {
        return "errors || jsonb_build_array(?::jsonb)";
    }

    @Override
    public void lockUniqueKey(Connection c, String queue, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, table + '\u0001' + queue + '\u0001' + key);
            ps.execute();
        }
    }

    @Override
    public void claim(Connection c, List<String> queues, int max, long token, long leaseUntil, long now,
                      RowConsumer rows) throws SQLException {
        hot.claim(c, List.of(), null, queues, max, token, leaseUntil, now, rows);
    }

    @Override
    public boolean claimsWithChores() {
        return true;
    }

    @Override
    public void claimWithChores(Connection c, String promote, String expired, RowConsumer expiredRows,
                                List<String> queues, int max, long token, long leaseUntil, long now,
                                RowConsumer rows) throws SQLException {
        hot.claim(c, List.of(promote, expired), expiredRows, queues, max, token, leaseUntil, now, rows);
    }

    /** The settings the claim is planned under (docs/SQL.md); public so a test can pin the plan under them. */
    public static final String PLAN_SETTINGS = PostgresHotPath.PLAN_SETTINGS;

    /** The claim statement; public so a test can EXPLAIN it and pin the plan. */
    public String claimSql(int queueCount) {
        return hot.claimSql(queueCount);
    }

    /** One {@code INSERT … SELECT FROM unnest(…)} for the whole batch, instead of a statement per job. */
    @Override
    public java.util.Set<String> insertAll(Connection c, List<dev.conveyor.job.Job> jobs, long now) throws SQLException {
        return hot.insertAll(c, jobs, now);
    }

    /** One {@code UPDATE … FROM unnest(…)} for the whole batch, its plan pinned to the primary key. */
    @Override
    public java.util.Set<String> ackAll(Connection c, List<dev.conveyor.broker.Completion> items, long now)
            throws SQLException {
        return hot.ackAll(c, items, now);
    }

    /** The settings the ack is planned under (docs/SQL.md, "The ack's plan"); public so a test can use them. */
    public static final String ACK_PLAN_SETTINGS = PostgresHotPath.ACK_PLAN_SETTINGS;

    /**
     * The ack of a batch (parameters: finished_at, updated_at, ids, tokens, results, now, done channel); public so a
     * test can EXPLAIN it and pin the plan.
     */
    public String ackSql() {
        return hot.ackSql();
    }

    @Override
    public boolean notifiesInOneStatement() {
        return true;
    }

    @Override
    public void notifyEnqueued(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
            ps.setString(1, channel());
            ps.execute();
        }
    }

    @Override
    public void notifyFinished(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
            ps.setString(1, doneChannel());
            ps.execute();
        }
    }

    @Override
    public boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("40001") || state.equals("40P01") || state.equals("55P03")
                || state.startsWith("08") || state.equals("57P01"));
    }
}
