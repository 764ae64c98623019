package dev.conveyor.jdbc;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.internal.Json;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read and operator side of {@link SqlBroker}: get, counts, listing, re-drive, delete, purge. */
final class SqlInspection {
    private final SqlDialect dialect;
    private final ConnectionSource db;
    private final Clock clock;
    private final WakeUp wakeUp;
    private final String t;

    SqlInspection(SqlDialect dialect, ConnectionSource db, Clock clock, WakeUp wakeUp) {
        this.dialect = dialect;
        this.db = db;
        this.clock = clock;
        this.wakeUp = wakeUp;
        this.t = dialect.table();
    }

    Optional<JobInfo> get(String id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM " + t + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(infoOrPlaceholder(rs, clock.instant())) : Optional.<JobInfo>empty();
                }
            }
        });
    }

    List<QueueStats> queues() {
        return db.read(c -> {
            long now = clock.millis();
            // A SCHEDULED job that is due counts as READY until a fetch promotes it.
            String visible = "CASE WHEN state = 'SCHEDULED' AND run_at <= ? THEN 'READY' ELSE state END";
            Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
            Map<String, Instant> oldest = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT queue, " + visible + " AS s, COUNT(*), MIN(run_at) FROM "
                    + t + " GROUP BY queue, s ORDER BY queue")) {
                ps.setLong(1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JobState s = parseState(rs.getString(2));
                        if (s == null) continue;
                        counts.computeIfAbsent(rs.getString(1), q -> new EnumMap<>(JobState.class)).put(s, rs.getLong(3));
                        if (s == JobState.READY) oldest.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(4)));
                    }
                }
            }
            List<QueueStats> out = new ArrayList<>();
            counts.forEach((q, m) -> out.add(new QueueStats(q, m, oldest.get(q))));
            return out;
        });
    }

    Page<JobInfo> list(JobQuery q) {
        return db.read(c -> {
            Instant now = clock.instant();
            StringBuilder sql = new StringBuilder("SELECT " + JobRows.COLUMNS + " FROM " + t + " WHERE 1 = 1");
            List<Object> params = new ArrayList<>();
            if (q.afterId() != null) {
                sql.append(" AND id > ?");
                params.add(q.afterId());
            }
            if (q.queue() != null) {
                sql.append(" AND queue = ?");
                params.add(q.queue());
            }
            if (q.task() != null) {
                sql.append(" AND task = ?");
                params.add(q.task());
            }
            if (q.state() == JobState.READY) {
                sql.append(" AND (state = 'READY' OR (state = 'SCHEDULED' AND run_at <= ?))");
                params.add(now.toEpochMilli());
            } else if (q.state() == JobState.SCHEDULED) {
                sql.append(" AND state = 'SCHEDULED' AND run_at > ?");
                params.add(now.toEpochMilli());
            } else if (q.state() != null) {
                // A literal (an enum name, never user text), so the planner can use the partial dead-jobs index.
                sql.append(" AND state = '").append(q.state().name()).append('\'');
            }
            sql.append(" ORDER BY id LIMIT ?");
            params.add(q.limit() + 1);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
                List<JobInfo> items = new ArrayList<>();
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (items.size() == q.limit()) {
                            more = true;
                            break;
                        }
                        items.add(infoOrPlaceholder(rs, now));
                    }
                }
                return new Page<>(items, more ? items.get(items.size() - 1).id() : null);
            }
        });
    }

    /** {@link dev.conveyor.broker.JobStore#cancel}: pending jobs end now, running ones get their cancel recorded. */
    List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<dev.conveyor.broker.CancelResult> out = db.write(c -> {
            long now = clock.millis();
            List<dev.conveyor.broker.CancelResult> results = new ArrayList<>(ids.size());
            try (PreparedStatement pending = c.prepareStatement("UPDATE " + t + " SET state = 'CANCELLED', "
                    + "finished_at = ?, updated_at = ?, dead_reason = 'cancelled' WHERE id = ? AND state IN ('READY', 'SCHEDULED')");
                 PreparedStatement running = c.prepareStatement("UPDATE " + t + " SET cancel_requested_at = "
                    + "COALESCE(cancel_requested_at, ?), updated_at = ? WHERE id = ? AND state = 'RUNNING'");
                 PreparedStatement exists = c.prepareStatement("SELECT 1 FROM " + t + " WHERE id = ?")) {
                for (String id : ids) {
                    pending.setLong(1, now);
                    pending.setLong(2, now);
                    pending.setString(3, id);
                    if (pending.executeUpdate() == 1) {
                        results.add(dev.conveyor.broker.CancelResult.CANCELLED);
                        continue;
                    }
                    running.setLong(1, now);
                    running.setLong(2, now);
                    running.setString(3, id);
                    if (running.executeUpdate() == 1) {
                        results.add(dev.conveyor.broker.CancelResult.REQUESTED);
                        continue;
                    }
                    exists.setString(1, id);
                    try (ResultSet rs = exists.executeQuery()) {
                        results.add(rs.next() ? dev.conveyor.broker.CancelResult.FINISHED
                                : dev.conveyor.broker.CancelResult.NOT_FOUND);
                    }
                }
            }
            return results;
        });
        return out;
    }

    int redrive(List<String> ids) {
        if (ids.isEmpty()) return 0;
        int n = db.write(c -> {
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t + " SET state = 'READY', attempt = 0, "
                    + "deliveries = 0, run_at = ?, result = NULL, finished_at = NULL, dead_reason = NULL, updated_at = ?, "
                    + "cancel_requested_at = NULL, progress = NULL "
                    + "WHERE id = ? AND state IN ('DEAD', 'CANCELLED') AND task <> ?")) {
                for (String id : ids) {
                    ps.setLong(1, now);
                    ps.setLong(2, now);
                    ps.setString(3, id);
                    ps.setString(4, CORRUPT_TASK);
                    ps.addBatch();
                }
                return sum(ps.executeBatch());
            }
        });
        if (n > 0) wakeUp.signal();
        return n;
    }

    int delete(List<String> ids) {
        if (ids.isEmpty()) return 0;
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t + " WHERE id = ? AND state <> 'RUNNING'")) {
                for (String id : ids) {
                    ps.setString(1, id);
                    ps.addBatch();
                }
                return sum(ps.executeBatch());
            }
        });
    }

    long purge(JobState state, String queue) {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException("purge takes a finished state (SUCCEEDED, DEAD or CANCELLED), was " + state);
        }
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t + " WHERE state = ?"
                    + (queue == null ? "" : " AND queue = ?"))) {
                ps.setString(1, state.name());
                if (queue != null) ps.setString(2, queue);
                return (long) ps.executeUpdate();
            }
        });
    }

    int prune(JobState state, String queue, Instant finishedBefore, int limit) {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException("prune takes a finished state (SUCCEEDED, DEAD or CANCELLED), was " + state);
        }
        if (limit < 1) return 0;
        return db.write(c -> {
            long now = clock.millis();
            List<String> ids = new ArrayList<>(limit);
            String notHeld = " AND (unique_for_ms IS NULL OR finished_at + unique_for_ms <= ?)"
                    + (queue == null ? "" : " AND queue = ?");
            boolean succeeded = state == JobState.SUCCEEDED;
            if (succeeded) {
                // Jobs with their own keep time, once it has passed, whatever the cutoff: found by the index on
                // the time they may go (the state literal and IS NOT NULL match the partial index's predicate).
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t + " WHERE state = 'SUCCEEDED' "
                        + "AND keep_result_ms IS NOT NULL AND finished_at + keep_result_ms <= ?" + notHeld
                        + " ORDER BY finished_at + keep_result_ms LIMIT ?")) {
                    int i = 1;
                    ps.setLong(i++, now);
                    ps.setLong(i++, now);
                    if (queue != null) ps.setString(i++, queue);
                    ps.setInt(i, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) ids.add(rs.getString(1));
                    }
                }
            }
            // Oldest first by id (UUIDv7 = enqueue time): the primary key's order, no extra index to maintain.
            // A succeeded job with its own keep time is never taken here: the pass above takes it when due.
            if (ids.size() < limit) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t + " WHERE state = '" + state.name()
                        + "' AND finished_at < ?" + (succeeded ? " AND keep_result_ms IS NULL" : "") + notHeld
                        + " ORDER BY id LIMIT ?")) {
                    int i = 1;
                    ps.setLong(i++, finishedBefore == null ? Long.MAX_VALUE : finishedBefore.toEpochMilli());
                    ps.setLong(i++, now);
                    if (queue != null) ps.setString(i++, queue);
                    ps.setInt(i, limit - ids.size());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) ids.add(rs.getString(1));
                    }
                }
            }
            if (ids.isEmpty()) return 0;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t + " WHERE id = ? AND state = '"
                    + state.name() + "'")) {
                for (String id : ids) {
                    ps.setString(1, id);
                    ps.addBatch();
                }
                return sum(ps.executeBatch());
            }
        });
    }

    /** Task name of the placeholder row standing for a record that could not be decoded. */
    static final String CORRUPT_TASK = "(corrupt record)";

    /** Stores an undecodable envelope as a dead placeholder job whose args hold the raw text. */
    String insertCorrupt(String queue, String envelope, String reason) {
        return db.write(c -> {
            Instant now = clock.instant();
            String id = JobIds.next(clock);
            String raw = Json.mapper().getNodeFactory().textNode(envelope == null ? "" : envelope).toString();
            AttemptError error = AttemptError.reason(0, now, "corrupt-record", reason);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (id, queue, task, state, priority, "
                    + "run_at, enqueued_at, attempt, deliveries, max_attempts, max_deliveries, args, errors, dead_reason, "
                    + "updated_at, finished_at) VALUES (?, ?, ?, 'DEAD', 5, ?, ?, 0, 0, 1, 1, ?, " + dialect.jsonParameter() + ", ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, queue);
                ps.setString(3, CORRUPT_TASK);
                ps.setLong(4, now.toEpochMilli());
                ps.setLong(5, now.toEpochMilli());
                ps.setString(6, raw);
                ps.setString(7, JobRows.json(List.of(error)));
                ps.setString(8, reason);
                ps.setLong(9, now.toEpochMilli());
                ps.setLong(10, now.toEpochMilli());
                ps.executeUpdate();
            }
            return id;
        });
    }

    /**
     * Moves one job to DEAD with an error appended, inside the caller's write transaction; {@code guard} is
     * extra SQL conditions (trusted, built by the caller) the row must still meet.
     */
    void markDead(Connection c, String id, AttemptError error, Instant now, String guard) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t + " SET state = 'DEAD', errors = "
                + dialect.appendError() + ", dead_reason = ?, finished_at = ?, updated_at = ?, lease_token = NULL, "
                + "lease_until = NULL WHERE id = ?" + guard)) {
            ps.setString(1, JobRows.json(error));
            ps.setString(2, error.message());
            ps.setLong(3, now.toEpochMilli());
            ps.setLong(4, now.toEpochMilli());
            ps.setString(5, id);
            ps.executeUpdate();
        }
    }

    /** A row as JobInfo; a row that cannot be read is shown as a corrupt placeholder rather than hidden. */
    private JobInfo infoOrPlaceholder(ResultSet rs, Instant now) throws SQLException {
        try {
            return JobRows.info(rs, now);
        } catch (JobRows.CorruptRowException e) {
            String id = rs.getString("id");
            String queue = rs.getString("queue");
            dev.conveyor.job.Job placeholder = new dev.conveyor.job.Job(id == null ? "(no id)" : id, CORRUPT_TASK,
                    queue != null && queue.matches("[A-Za-z0-9_.-]{1,64}") ? queue : "default", "null", Map.of(), 5,
                    0, 0, 1, 1, now, now, null, null, null, null, null, null);
            JobState state = parseState(rs.getString("state"));
            return new JobInfo(placeholder, state == null ? JobState.DEAD : state,
                    List.of(AttemptError.reason(0, now, "corrupt-record", "corrupt record: " + e.getMessage())),
                    null, now, null, null, "corrupt record: " + e.getMessage());
        }
    }

    private static JobState parseState(String s) {
        try {
            return s == null ? null : JobState.valueOf(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int sum(int[] counts) {
        int n = 0;
        for (int c : counts) n += Math.max(0, c);
        return n;
    }
}
