package dev.conveyor.broker;

/**
 * A filter and page request for {@link JobStore#list}. Null fields match everything.
 *
 * @param state   only jobs in this state (a due {@code SCHEDULED} job matches {@code READY})
 * @param queue   only this queue
 * @param task    only this task name
 * @param afterId the previous page's cursor, or null for the first page
 * @param limit   page size, 1–1000
 */
public record JobQuery(dev.conveyor.job.JobState state, String queue, String task, String afterId, int limit) {
    public static final int MAX_LIMIT = 1000;

    public JobQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    public static JobQuery all(int limit) {
        return new JobQuery(null, null, null, null, limit);
    }

    public static JobQuery inState(dev.conveyor.job.JobState state, int limit) {
        return new JobQuery(state, null, null, null, limit);
    }

    public JobQuery after(String cursor) {
        return new JobQuery(state, queue, task, cursor, limit);
    }
}
