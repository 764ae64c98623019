package dev.conveyor.admin;

import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;

/**
 * Re-driving dead jobs by filter, shared by {@code conveyor dlq redrive --all} and the dashboard: the same
 * filter gives the dry-run count and the re-drive, so what an operator previews is what runs.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** How many dead jobs match {@code filter} (its state is taken as {@code DEAD}): the dry run. */
    public static long count(JobStore store, JobFilter filter) {
        JobFilter dead = filter.inState(JobState.DEAD);
        if (!dead.needsScan() && dead.task() == null && dead.id() == null) {
            // Counts per queue come from one aggregate query: no need to page through the dead set.
            return store.queues().stream().filter(q -> dead.queue() == null || q.queue().equals(dead.queue()))
                    .mapToLong(q -> q.count(JobState.DEAD)).sum();
        }
        return JobSearch.forEach(store, dead, page -> true);
    }

    /**
     * Re-drives every dead job matching {@code filter} (its state is taken as {@code DEAD}), a page of up to
     * 1,000 per {@link JobStore#redrive} call. Returns how many were re-driven (a job that changed meanwhile is
     * skipped by the store).
     */
    public static long redrive(JobStore store, JobFilter filter) {
        long[] total = {0};
        // Re-driven jobs leave the dead set, and the listing is keyset by id, so the cursor stays valid.
        JobSearch.forEach(store, filter.inState(JobState.DEAD), page -> {
            total[0] += store.redrive(page.stream().map(JobInfo::id).toList());
            return true;
        });
        return total[0];
    }

    /** The outcome of {@link #redrive} or its dry run. */
    public record Outcome(long count, boolean dryRun) {}

    /** {@link #count} when {@code dryRun}, else {@link #redrive}. */
    public static Outcome redrive(JobStore store, JobFilter filter, boolean dryRun) {
        return new Outcome(dryRun ? count(store, filter) : redrive(store, filter), dryRun);
    }
}
