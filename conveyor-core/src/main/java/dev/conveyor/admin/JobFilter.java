package dev.conveyor.admin;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.job.SensitiveFields;
import java.util.Locale;

/**
 * What an operator looks for. Null (or blank) fields match everything. {@code state}, {@code queue} and
 * {@code task} go to the broker's indexed listing ({@link JobQuery}); {@code id} is a direct lookup; {@code args}
 * and {@code error} are case-insensitive substrings matched here, page by page ({@link JobSearch}).
 *
 * @param state only this state
 * @param queue only this queue
 * @param task  only this task name
 * @param id    only the job with this id
 * @param args  text the args JSON contains, with sensitive fields masked (a masked value never matches)
 * @param error text one of the job's errors contains (type, message or stack trace)
 */
public record JobFilter(JobState state, String queue, String task, String id, String args, String error) {
    public JobFilter {
        queue = blankToNull(queue);
        task = blankToNull(task);
        id = blankToNull(id);
        args = blankToNull(args);
        error = blankToNull(error);
        if (queue != null) Job.requireQueueName(queue);
    }

    /** Every job. */
    public static JobFilter all() {
        return new JobFilter(null, null, null, null, null, null);
    }

    /** Dead jobs, of one queue or of all when {@code queue} is null. */
    public static JobFilter dead(String queue) {
        return new JobFilter(JobState.DEAD, queue, null, null, null, null);
    }

    /** This filter in another state. */
    public JobFilter inState(JobState newState) {
        return new JobFilter(newState, queue, task, id, args, error);
    }

    /** True when the filter has conditions the broker cannot apply (args or error text). */
    public boolean needsScan() {
        return args != null || error != null;
    }

    /** The broker-side part of the filter, as a query for one page of {@code limit}. */
    public JobQuery query(String afterId, int limit) {
        return new JobQuery(state, queue, task, afterId, limit);
    }

    /** True when {@code info} meets every condition (the broker-side ones included). */
    public boolean matches(JobInfo info) {
        Job job = info.job();
        if (state != null && info.state() != state) return false;
        if (queue != null && !queue.equals(job.queue())) return false;
        if (task != null && !task.equals(job.task())) return false;
        if (id != null && !id.equals(job.id())) return false;
        if (args != null && !contains(SensitiveFields.maskedArgs(job), args)) return false;
        if (error != null && info.errors().stream().noneMatch(this::errorMatches)) return false;
        return true;
    }

    private boolean errorMatches(AttemptError e) {
        return contains(e.type(), error) || contains(e.message(), error) || contains(e.stackTrace(), error);
    }

    private static boolean contains(String haystack, String needle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
