package dev.conveyor.jdbc.postgres;

import dev.conveyor.jdbc.JobRows;
import dev.conveyor.jdbc.SqlDialect.RowConsumer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The PostgreSQL broker's hot statements — the fetch's claim, the enqueue's insert, the ack — each one round trip,
 * with its plan pinned and its {@code NOTIFY} inside it (docs/SQL.md, "The hot statements"; PostgresPlansTest pins
 * the plans). {@link PostgresDialect} hands them these calls; the schema and everything else stay there.
 */
final class PostgresHotPath {
    private final String table;
    private final String channel;
    private final String doneChannel;

    /** For the jobs table, the channel enqueues notify and the one acks notify. */
    PostgresHotPath(String table, String channel, String doneChannel) {
        this.table = table;
        this.channel = channel;
        this.doneChannel = doneChannel;
    }

    /**
     * The chores (statements whose one parameter is {@code now}; the rows of the one that returns rows go to
     * {@code choreRows}), the plan settings and the claim, in one round trip: the server plans each statement when
     * its turn comes, so the claim is planned under the settings, and outside {@code BEGIN} everything before the
     * protocol's Sync is one implicit transaction, so the settings end with it.
     */
    void claim(Connection c, List<String> chores, RowConsumer choreRows, List<String> queues, int max, long token,
               long leaseUntil, long now, RowConsumer rows) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (String chore : chores) sql.append(chore).append("; ");
        sql.append(PLAN_SETTINGS).append(claimSql(queues.size()));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (int k = 0; k < chores.size(); k++) ps.setLong(i++, now);
            for (String q : queues) ps.setString(i++, q);
            ps.setInt(i++, max);
            if (queues.size() > 1) ps.setInt(i++, max);
            ps.setLong(i++, token);
            ps.setLong(i++, leaseUntil);
            ps.setLong(i, now);
            // Result sets in order: the chores' (when one returns rows), the settings' one row, the claim's rows.
            List<RowConsumer> sets = new java.util.ArrayList<>(3);
            if (choreRows != null) sets.add(choreRows);
            sets.add(null);
            sets.add(rows);
            int seen = 0;
            boolean isRows = ps.execute();
            while (isRows || ps.getUpdateCount() != -1) {
                if (isRows) {
                    RowConsumer consumer = seen < sets.size() ? sets.get(seen) : null;
                    seen++;
                    try (ResultSet rs = ps.getResultSet()) {
                        while (consumer != null && rs.next()) consumer.accept(rs);
                    }
                }
                isRows = ps.getMoreResults();
            }
            if (seen != sets.size()) {
                throw new SQLException("the claim returned " + seen + " result sets, not " + sets.size() + ": " + sql);
            }
        }
    }

    /**
     * The plan the claim must get (docs/SQL.md): without these the planner drifts to a bitmap scan and a sort of
     * every ready row after bulk changes. {@code set_config(…, true)}: they end with the fetch's transaction (an
     * explicit one, or the implicit one of a round trip outside {@code BEGIN}, where {@code SET LOCAL} would log a
     * warning each time).
     */
    static final String PLAN_SETTINGS = plannerOff("enable_seqscan", "enable_bitmapscan", "enable_sort");

    /**
     * One statement turning the named planner methods off until the transaction ends ({@code set_config(…, true)},
     * which, unlike {@code SET LOCAL}, logs nothing outside {@code BEGIN}).
     */
    private static String plannerOff(String... settings) {
        return java.util.Arrays.stream(settings).map(name -> "set_config('" + name + "', 'off', true)")
                .collect(java.util.stream.Collectors.joining(", ", "SELECT ", "; "));
    }

    /** The claim statement; public so a test can EXPLAIN it and pin the plan. */
    String claimSql(int queueCount) {
        String pick;
        if (queueCount == 1) {
            pick = "SELECT id FROM " + table + " WHERE state = 'READY' AND queue = ? "
                    + "ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
        } else {
            // Each queue walks its own index range in order; the best n of those are claimed.
            pick = "SELECT c.id FROM (VALUES " + "(?), ".repeat(queueCount - 1) + "(?)) AS q(name) "
                    + "CROSS JOIN LATERAL (SELECT id, priority, run_at FROM " + table
                    + " WHERE state = 'READY' AND queue = q.name ORDER BY priority DESC, run_at, id LIMIT ? "
                    + "FOR UPDATE SKIP LOCKED) c ORDER BY c.priority DESC, c.run_at, c.id LIMIT ?";
        }
        // Only what the worker needs: returning the error history and result as well cost the claim for nothing.
        String cols = JobRows.JOB_COLUMNS.replaceAll("(\\w+)", "j.$1");
        return "WITH next AS MATERIALIZED (" + pick + ") UPDATE " + table + " j SET state = 'RUNNING', "
                + "deliveries = j.deliveries + 1, lease_token = ?, lease_until = ?, updated_at = ? FROM next "
                + "WHERE j.id = next.id RETURNING " + cols;
    }

    /** One {@code INSERT … SELECT FROM unnest(…)} for the whole batch, instead of a statement per job. */
    java.util.Set<String> insertAll(Connection c, List<dev.conveyor.job.Job> jobs, long now) throws SQLException {
        if (jobs.size() == 1) return insertOne(c, jobs.get(0), now);
        int n = jobs.size();
        String[] id = new String[n], queue = new String[n], task = new String[n], state = new String[n];
        String[] args = new String[n], headers = new String[n], uniqueKey = new String[n];
        String[] parent = new String[n], group = new String[n];
        Integer[] priority = new Integer[n], attempt = new Integer[n], deliveries = new Integer[n];
        Integer[] maxAttempts = new Integer[n], maxDeliveries = new Integer[n];
        Long[] runAt = new Long[n], enqueuedAt = new Long[n], expiresAt = new Long[n], timeout = new Long[n];
        Long[] uniqueFor = new Long[n], updated = new Long[n], keepResult = new Long[n];
        for (int i = 0; i < n; i++) {
            dev.conveyor.job.Job j = jobs.get(i);
            id[i] = j.id();
            queue[i] = j.queue();
            task[i] = j.task();
            state[i] = j.runAt().toEpochMilli() > now ? "SCHEDULED" : "READY";
            priority[i] = j.priority();
            runAt[i] = j.runAt().toEpochMilli();
            enqueuedAt[i] = j.enqueuedAt().toEpochMilli();
            attempt[i] = j.attempt();
            deliveries[i] = j.deliveries();
            maxAttempts[i] = j.maxAttempts();
            maxDeliveries[i] = j.maxDeliveries();
            args[i] = j.args();
            headers[i] = j.headers().isEmpty() ? null : JobRows.json(j.headers());
            expiresAt[i] = j.expiresAt() == null ? null : j.expiresAt().toEpochMilli();
            timeout[i] = j.timeout() == null ? null : j.timeout().toMillis();
            uniqueKey[i] = j.uniqueKey();
            uniqueFor[i] = j.uniqueFor() == null ? null : j.uniqueFor().toMillis();
            parent[i] = j.parentId();
            group[i] = j.groupId();
            updated[i] = now;
            keepResult[i] = JobRows.keepResultMs(j);
        }
        Object[][] columns = {id, queue, task, state, priority, runAt, enqueuedAt, attempt, deliveries,
            maxAttempts, maxDeliveries, args, headers, expiresAt, timeout, uniqueKey, uniqueFor, parent, group, updated,
            keepResult};
        String[] types = {"text", "text", "text", "text", "integer", "bigint", "bigint", "integer", "integer",
            "integer", "integer", "text", "text", "bigint", "bigint", "text", "bigint", "text", "text", "bigint", "bigint"};
        return insertReturningIds(c, "SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::smallint[], "
                + "?::bigint[], ?::bigint[], ?::integer[], ?::integer[], ?::integer[], ?::integer[], ?::text[], ?::text[], "
                + "?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])", ps -> {
                    for (int k = 0; k < columns.length; k++) ps.setArray(k + 1, c.createArrayOf(types[k], columns[k]));
                    return columns.length + 1;
                });
    }

    /**
     * A single job (the common enqueue from a web request): plain parameters instead of 21 one-element arrays,
     * which cost a cold JVM milliseconds to encode and the server more to parse.
     */
    private java.util.Set<String> insertOne(Connection c, dev.conveyor.job.Job job, long now) throws SQLException {
        dev.conveyor.job.JobState state = job.runAt().toEpochMilli() > now
                ? dev.conveyor.job.JobState.SCHEDULED : dev.conveyor.job.JobState.READY;
        return insertReturningIds(c, "VALUES (" + JobRows.INSERT_PARAMS + ")",
                ps -> JobRows.bindInsert(ps, 1, job, state, java.time.Instant.ofEpochMilli(now)));
    }

    /** Binds a statement's parameters from the first; returns the index of the next one. */
    private interface Binder {
        int bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Inserts the rows {@code source} produces and notifies, in one statement; returns the ids inserted (an id
     * already in the table is skipped). Outside a transaction the plain insert goes first: {@code ON CONFLICT}
     * makes every row a speculative insertion (a primary-key probe before it and a confirmation record in the WAL
     * after: 4 WAL records per job instead of 3, 14.2 against 12.0 µs of the server's time per job, 2026-11-26).
     * A duplicate id then fails the whole statement, and nothing of it stays, so the guarded form runs after it.
     * Inside a caller's transaction a failed statement would abort the transaction: the guarded form only.
     */
    private java.util.Set<String> insertReturningIds(Connection c, String source, Binder binder) throws SQLException {
        boolean guarded = !c.getAutoCommit();
        while (true) {
            // The NOTIFY rides in the same statement (a materialized CTE runs once; its row comes back as a NULL id).
            try (PreparedStatement ps = c.prepareStatement("WITH ins AS (INSERT INTO " + table + " ("
                    + JobRows.INSERT_COLUMNS + ") " + source + (guarded ? " ON CONFLICT (id) DO NOTHING" : "")
                    + " RETURNING id), " + NOTIFY_CTE + " SELECT id FROM ins UNION ALL SELECT NULL FROM n")) {
                ps.setString(binder.bind(ps), channel);
                java.util.Set<String> inserted = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String row = rs.getString(1);
                        if (row != null) inserted.add(row);
                    }
                }
                return inserted;
            } catch (SQLException e) {
                if (guarded || !UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
                guarded = true; // an id that is already there (or twice in the batch): skip it, insert the rest
            }
        }
    }

    /** SQLSTATE of a duplicate key; the jobs table's only unique index is its primary key. */
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * One {@code UPDATE … FROM unnest(…)} for the whole batch: a JDBC batch of single-row updates costs the server
     * a statement execution per job (about 60 µs each here), the array form one for all of them.
     */
    java.util.Set<String> ackAll(Connection c, List<dev.conveyor.broker.Completion> items, long now)
            throws SQLException {
        String[] ids = new String[items.size()];
        Long[] tokens = new Long[items.size()];
        String[] results = new String[items.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = items.get(i).lease().jobId();
            tokens[i] = items.get(i).lease().token();
            results[i] = items.get(i).result();
        }
        java.util.Set<String> current = new java.util.HashSet<>();
        // The plan settings and the ack go in one round trip and one transaction (the ack runs in autocommit;
        // everything before the protocol's Sync is one implicit transaction, so is_local settings end with it).
        try (PreparedStatement ps = c.prepareStatement(ACK_PLAN_SETTINGS + ackSql())) {
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setArray(3, c.createArrayOf("text", ids));
            ps.setArray(4, c.createArrayOf("bigint", tokens));
            ps.setArray(5, c.createArrayOf("text", results));
            ps.setLong(6, now);
            ps.setString(7, doneChannel);
            ps.execute();
            if (!ps.getMoreResults()) throw new SQLException("the ack returned no rows: " + ackSql());
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (id != null) current.add(id);
                }
            }
        }
        return current;
    }

    /**
     * The ack of a batch (parameters: finished_at, updated_at, ids, tokens, results, now, done channel); public so a
     * test can EXPLAIN it and pin the plan.
     */
    String ackSql() {
        return "WITH u AS (UPDATE " + table + " j SET state = 'SUCCEEDED', "
                + "result = u.result, finished_at = ?, updated_at = ?, lease_token = NULL, lease_until = NULL "
                + "FROM unnest(?::text[], ?::bigint[], ?::text[]) AS u(id, token, result) "
                + "WHERE j.id = u.id AND j.state = " + RUNNING_UNINDEXED + " AND j.lease_token = u.token AND j.lease_until > ? "
                + "RETURNING j.id), " + NOTIFY_CTE + " SELECT id FROM u UNION ALL SELECT NULL FROM n";
    }

    /**
     * The ack's plan (docs/SQL.md, "The ack's plan"): a nested loop probing the primary key once per acked job.
     * Without these the planner, which underrates those probes on a table it has no statistics for, picks a
     * sequential scan of the whole table and a hash join while the table is small (tens of thousands of rows).
     * {@code set_config(…, true)} rather than {@code SET LOCAL}: the ack runs outside {@code BEGIN}, where
     * {@code SET LOCAL} would log a warning each time.
     */
    static final String ACK_PLAN_SETTINGS =
            plannerOff("enable_seqscan", "enable_bitmapscan", "enable_hashjoin", "enable_mergejoin");

    /**
     * The ack's state test, written so no partial index can serve it: a constant {@code state = 'RUNNING'} lets the
     * planner answer the batch from the lease index ({@code lease_until > now}) — a hash join over every running
     * job, read by a bitmap scan that also visits the entries of every job finished within the lease time (dead
     * until vacuum, and a bitmap scan never marks them dead). An init-plan value is never a constant to the planner,
     * so no partial index qualifies; with {@link #ACK_PLAN_SETTINGS} the only way left to the rows is the primary
     * key, one probe per acked job.
     */
    static final String RUNNING_UNINDEXED = "(SELECT 'RUNNING'::text)";

    /** A NOTIFY inside a data-modifying statement: {@code MATERIALIZED}, so it runs exactly once. */
    private static final String NOTIFY_CTE = "n AS MATERIALIZED (SELECT pg_notify(?, '') AS sent)";
}
