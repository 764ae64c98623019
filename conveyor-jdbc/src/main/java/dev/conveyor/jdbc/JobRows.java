package dev.conveyor.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Maps jobs to rows and back. Rows are untrusted input — another language may have written them — so reading
 * one reports what is wrong with it ({@link CorruptRowException}) instead of failing the whole fetch.
 */
public final class JobRows {
    /** The columns every read selects, in this order. */
    public static final String COLUMNS = "id, queue, task, state, priority, run_at, enqueued_at, attempt, deliveries, "
            + "max_attempts, max_deliveries, lease_token, lease_until, args, headers, expires_at, timeout_ms, "
            + "unique_key, unique_for_ms, parent_id, group_id, result, errors, dead_reason, updated_at, finished_at, "
            + "cancel_requested_at, progress";

    /** The columns {@link #job} reads: what a claim must return (not the error history or the result). */
    public static final String JOB_COLUMNS = "id, queue, task, priority, run_at, enqueued_at, attempt, deliveries, "
            + "max_attempts, max_deliveries, args, headers, expires_at, timeout_ms, unique_key, unique_for_ms, "
            + "parent_id, group_id";

    /** The columns an insert writes, in the order {@link #bindInsert} binds them. */
    public static final String INSERT_COLUMNS = "id, queue, task, state, priority, run_at, enqueued_at, attempt, "
            + "deliveries, max_attempts, max_deliveries, args, headers, expires_at, timeout_ms, unique_key, "
            + "unique_for_ms, parent_id, group_id, updated_at, keep_result_ms";
    public static final String INSERT_PARAMS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    private static final ObjectMapper MAPPER = Json.mapper();
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {};
    private static final TypeReference<List<AttemptError>> ERRORS = new TypeReference<>() {};

    private JobRows() {}

    /** A row that cannot be read as a job; the message says which column and why. */
    public static final class CorruptRowException extends Exception {
        public CorruptRowException(String message) {
            super(message);
        }
    }

    public static void bindInsert(PreparedStatement ps, Job job, JobState state, Instant now) throws SQLException {
        bindInsert(ps, 1, job, state, now);
    }

    /** Binds the {@link #INSERT_COLUMNS} of one job from parameter {@code i} on; returns the next free index. */
    public static int bindInsert(PreparedStatement ps, int i, Job job, JobState state, Instant now) throws SQLException {
        ps.setString(i++, job.id());
        ps.setString(i++, job.queue());
        ps.setString(i++, job.task());
        ps.setString(i++, state.name());
        ps.setInt(i++, job.priority());
        ps.setLong(i++, job.runAt().toEpochMilli());
        ps.setLong(i++, job.enqueuedAt().toEpochMilli());
        ps.setInt(i++, job.attempt());
        ps.setInt(i++, job.deliveries());
        ps.setInt(i++, job.maxAttempts());
        ps.setInt(i++, job.maxDeliveries());
        ps.setString(i++, job.args());
        ps.setString(i++, job.headers().isEmpty() ? null : json(job.headers()));
        setMillis(ps, i++, job.expiresAt());
        setLong(ps, i++, job.timeout() == null ? null : job.timeout().toMillis());
        ps.setString(i++, job.uniqueKey());
        setLong(ps, i++, job.uniqueFor() == null ? null : job.uniqueFor().toMillis());
        ps.setString(i++, job.parentId());
        ps.setString(i++, job.groupId());
        ps.setLong(i++, now.toEpochMilli());
        setLong(ps, i++, keepResultMs(job));
        return i;
    }

    /** The job's own keep time after success in ms (header {@value Job#KEEP_RESULT_HEADER}), or null. */
    public static Long keepResultMs(Job job) {
        java.time.Duration keep = job.keepResultFor();
        return keep == null ? null : keep.toMillis();
    }

    /** Reads the row at the cursor (selected with {@link #COLUMNS} or {@link #JOB_COLUMNS}) as a job. */
    public static Job job(ResultSet rs) throws SQLException, CorruptRowException {
        try {
            return new Job(rs.getString("id"), rs.getString("task"), rs.getString("queue"), requireJson(rs.getString("args")),
                    headers(rs.getString("headers")), rs.getInt("priority"), rs.getInt("attempt"),
                    rs.getInt("deliveries"), rs.getInt("max_attempts"), rs.getInt("max_deliveries"),
                    instant(rs, "run_at"), instant(rs, "enqueued_at"), instant(rs, "expires_at"),
                    duration(rs, "timeout_ms"), rs.getString("unique_key"), duration(rs, "unique_for_ms"),
                    rs.getString("parent_id"), rs.getString("group_id"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CorruptRowException(e.getMessage());
        }
    }

    /** Reads the row at the cursor as everything the store knows. */
    public static JobInfo info(ResultSet rs, Instant now) throws SQLException, CorruptRowException {
        Job job = job(rs);
        JobState state;
        try {
            state = JobState.valueOf(rs.getString("state"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CorruptRowException("unknown state '" + rs.getString("state") + "'");
        }
        if (state == JobState.SCHEDULED && !job.runAt().isAfter(now)) state = JobState.READY;
        List<AttemptError> errors;
        try {
            String e = rs.getString("errors");
            errors = e == null ? List.of() : MAPPER.readValue(e, ERRORS);
        } catch (JsonProcessingException e) {
            throw new CorruptRowException("column errors is not a JSON array of errors: " + e.getOriginalMessage());
        }
        return new JobInfo(job, state, errors, rs.getString("result"), instant(rs, "updated_at"),
                instant(rs, "finished_at"), state == JobState.RUNNING ? instant(rs, "lease_until") : null,
                rs.getString("dead_reason"), progress(rs.getString("progress")), instant(rs, "cancel_requested_at") != null);
    }

    /** The progress column as written by {@link #progressJson}; unreadable text reads as no progress (untrusted). */
    static dev.conveyor.job.Progress progress(String json) {
        if (json == null) return null;
        try {
            com.fasterxml.jackson.databind.JsonNode n = MAPPER.readTree(json);
            return new dev.conveyor.job.Progress(n.path("percent").asInt(), n.path("message").asText(""),
                    Instant.ofEpochMilli(n.path("at").asLong()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    static String progressJson(dev.conveyor.job.Progress p) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("percent", p.percent());
        m.put("message", p.message());
        m.put("at", p.at().toEpochMilli());
        return json(m);
    }

    public static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String requireJson(String args) {
        if (args == null) throw new IllegalArgumentException("column args is null");
        return args; // decoded (and judged) by the worker against the task's args type
    }

    private static Map<String, String> headers(String json) {
        if (json == null || json.isEmpty()) return Map.of();
        try {
            return MAPPER.readValue(json, HEADERS);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("column headers is not a JSON object of strings: " + e.getOriginalMessage());
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    private static Duration duration(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofMillis(ms);
    }

    static void setMillis(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) ps.setNull(i, Types.BIGINT); else ps.setLong(i, t.toEpochMilli());
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT); else ps.setLong(i, v);
    }
}
