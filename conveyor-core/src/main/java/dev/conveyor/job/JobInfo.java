package dev.conveyor.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a store knows about a job: the job itself plus its lifecycle state, every recorded error and
 * its result. Returned by inspection calls and read by {@code JobHandle}.
 *
 * @param job         the job as last stored
 * @param state       current state
 * @param errors      one entry per failed attempt (and the reason it went dead), oldest first
 * @param result      the handler's result as raw JSON text, or null (not finished, failed, or no result)
 * @param updatedAt   when the state last changed
 * @param finishedAt  when it reached a finished state, or null
 * @param leaseUntil  while running: when its current lease expires; otherwise null
 * @param deadReason  while dead: the one-line reason (same as the last error's message); while cancelled:
 *                    {@code "cancelled"}; otherwise null
 * @param progress    the latest progress its handler reported, or null
 * @param cancelRequested true once a cancel was asked for while it ran (it ends {@code CANCELLED} unless it
 *                    succeeds first)
 */
public record JobInfo(
        Job job,
        JobState state,
        List<AttemptError> errors,
        String result,
        Instant updatedAt,
        Instant finishedAt,
        Instant leaseUntil,
        String deadReason,
        Progress progress,
        boolean cancelRequested) {

    /** Without progress or cancel request, for stores that keep neither. */
    public JobInfo(Job job, JobState state, List<AttemptError> errors, String result, Instant updatedAt,
                   Instant finishedAt, Instant leaseUntil, String deadReason) {
        this(job, state, errors, result, updatedAt, finishedAt, leaseUntil, deadReason, null, false);
    }

    public JobInfo {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(state, "state");
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public String id() {
        return job.id();
    }

    /** The most recent error, or null. */
    public AttemptError lastError() {
        return errors.isEmpty() ? null : errors.get(errors.size() - 1);
    }
}
