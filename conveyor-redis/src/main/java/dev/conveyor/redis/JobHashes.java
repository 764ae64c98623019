package dev.conveyor.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Reads job hashes. Everything in Redis is untrusted input — another language, an old version or a stray
 * {@code HSET} may have written it — so a hash that cannot be read as a job becomes a placeholder that says what
 * is wrong (task {@value #CORRUPT_TASK}, the raw envelope as a JSON string in {@code args}), never an exception.
 */
final class JobHashes {
    static final String CORRUPT_TASK = "(corrupt record)";
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final TypeReference<List<AttemptError>> ERRORS = new TypeReference<>() {};

    private JobHashes() {}

    /**
     * The job a fetch hands out: the envelope with the hash's current counters, runAt and priority (which aging
     * raises). Throws
     * {@link JobCodec.CorruptJobException} (message: the problem) when the record cannot run.
     */
    static Job leased(String id, String queue, String envelope, String attempt, String deliveries, String runAt,
                      String priority) {
        Job job = JobCodec.decode(envelope);
        if (!job.id().equals(id)) {
            throw new JobCodec.CorruptJobException("envelope id '" + job.id() + "' differs from the id it is stored under, '"
                    + id + "'");
        }
        if (!job.queue().equals(queue)) {
            throw new JobCodec.CorruptJobException("envelope queue '" + job.queue() + "' differs from the queue it is "
                    + "stored in, '" + queue + "'");
        }
        try {
            // The hash keeps milliseconds; while runAt is unchanged the envelope's (maybe finer) instant stands,
            // and a hash without runAt (a minimal foreign writer) has the envelope's.
            Instant due = job.runAt();
            if (runAt != null && job.runAt().toEpochMilli() != Long.parseLong(runAt)) {
                due = Instant.ofEpochMilli(Long.parseLong(runAt));
            }
            return new Job(job.id(), job.task(), queue, job.args(), job.headers(),
                    priority == null ? job.priority() : Integer.parseInt(priority),
                    attempt == null ? 0 : Integer.parseInt(attempt), deliveries == null ? 0 : Integer.parseInt(deliveries),
                    job.maxAttempts(), job.maxDeliveries(),
                    due, job.enqueuedAt(), job.expiresAt(), job.timeout(),
                    job.uniqueKey(), job.uniqueFor(), job.parentId(), job.groupId());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new JobCodec.CorruptJobException("job hash fields attempt/deliveries/runAt/priority are not valid ("
                    + attempt + ", " + deliveries + ", " + runAt + ", " + priority + ")");
        }
    }

    /** Everything the store knows about the job in {@code hash} (the fields of {@code HGETALL}). */
    static JobInfo info(String id, String queue, Map<String, String> hash, Instant now) {
        JobState state = state(hash.get("state"));
        Job job;
        String problem = null;
        try {
            job = leased(id, queue, hash.get("envelope"), hash.get("attempt"), hash.get("deliveries"), hash.get("runAt"),
                    hash.get("priority"));
        } catch (JobCodec.CorruptJobException e) {
            problem = "corrupt record: " + e.getMessage();
            job = placeholder(id, queue, hash.get("envelope"), now);
        }
        if (state == null) {
            problem = problem != null ? problem : "corrupt record: unknown state '" + hash.get("state") + "'";
            state = JobState.DEAD;
        }
        if (state == JobState.SCHEDULED && !job.runAt().isAfter(now)) state = JobState.READY;
        List<AttemptError> errors = errors(hash.get("errors"), now);
        String deadReason = state == JobState.DEAD || state == JobState.CANCELLED ? hash.get("deadReason") : null;
        if (problem != null && errors.isEmpty()) {
            // Not yet fetched (so not yet buried): say what a worker will find.
            errors = List.of(AttemptError.reason(0, now, "corrupt-record", problem));
        }
        if (state == JobState.DEAD && deadReason == null) deadReason = errors.isEmpty() ? problem : errors.getLast().message();
        return new JobInfo(job, state, errors, hash.get("result"), millis(hash.get("updatedAt")),
                millis(hash.get("finishedAt")), state == JobState.RUNNING ? millis(hash.get("leaseUntil")) : null,
                deadReason, progress(hash.get("progress")), "1".equals(hash.get("cancelRequested")));
    }

    /** Stands in for a record that does not decode, so it can be listed and inspected. */
    static Job placeholder(String id, String queue, String envelope, Instant now) {
        String raw = MAPPER.getNodeFactory().textNode(envelope == null ? "" : envelope).toString();
        return new Job(id, CORRUPT_TASK, Job.isQueueName(queue) ? queue : Job.DEFAULT_QUEUE, raw,
                Map.of(), Job.DEFAULT_PRIORITY, 0, 0, 1, 1, now, now, null, null, null, null, null, null);
    }

    private static JobState state(String s) {
        try {
            return s == null ? null : JobState.valueOf(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<AttemptError> errors(String json, Instant now) {
        if (json == null || json.isEmpty()) return List.of();
        try {
            List<AttemptError> errors = MAPPER.readValue(json, ERRORS);
            return errors == null ? List.of() : errors;
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            return List.of(AttemptError.reason(0, now, "corrupt-record", "error history is not a JSON array of errors"));
        }
    }

    /** The last progress report, or null (also when unreadable: progress is informational). */
    private static dev.conveyor.job.Progress progress(String json) {
        if (json == null || json.isEmpty()) return null;
        try {
            return MAPPER.readValue(json, dev.conveyor.job.Progress.class);
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    private static Instant millis(String v) {
        if (v == null) return null;
        try {
            return Instant.ofEpochMilli(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
