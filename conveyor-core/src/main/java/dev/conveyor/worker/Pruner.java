package dev.conveyor.worker;

import dev.conveyor.Retention;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link Retention} policy: deletes finished jobs past their age (succeeded jobs with a keep time of
 * their own once it has passed), then the oldest succeeded jobs beyond the count limit, a small batch per store call (one short transaction each), for at most a few seconds per round. Safe to run in every worker at once: each call deletes what is there to delete.
 */
public final class Pruner {
    private static final Logger log = LoggerFactory.getLogger(Pruner.class);
    /**
     * Longest a round keeps deleting full batches of one state: long enough to keep up with a busy queue
     * (a count cap of 20 batches held a 60 ms-per-call store to ~4,500 jobs/s), short enough to end promptly.
     */
    private static final long ROUND_NANOS = 5_000_000_000L;

    private final JobStore store;
    private final Retention retention;
    private final Clock clock;

    public Pruner(JobStore store, Retention retention, Clock clock) {
        this.store = store;
        this.retention = retention;
        this.clock = clock;
    }

    /** One round; returns how many jobs were deleted. Never throws: a failed round is logged and retried next time. */
    public int runOnce() {
        try {
            Instant now = clock.instant();
            int deleted = 0;
            // Always one pass over succeeded jobs: those with their own keep time (Job.keepResultFor) go when it
            // has passed even under a policy with no age limit (a cutoff at the epoch prunes nothing by age).
            Instant succeededCutoff = retention.succeededFor() != null ? now.minus(retention.succeededFor()) : Instant.EPOCH;
            deleted += drain(JobState.SUCCEEDED, succeededCutoff, Long.MAX_VALUE);
            if (retention.deadFor() != null) {
                Instant cutoff = now.minus(retention.deadFor());
                deleted += drain(JobState.DEAD, cutoff, Long.MAX_VALUE);
                deleted += drain(JobState.CANCELLED, cutoff, Long.MAX_VALUE);
            }
            if (retention.maxSucceeded() > 0) {
                long succeeded = store.queues().stream().mapToLong(q -> q.count(JobState.SUCCEEDED)).sum();
                if (succeeded > retention.maxSucceeded()) {
                    deleted += drain(JobState.SUCCEEDED, null, succeeded - retention.maxSucceeded());
                }
            }
            if (deleted > 0) log.debug("pruned {} finished job(s)", deleted);
            return deleted;
        } catch (RuntimeException e) {
            log.warn("pruning finished jobs failed: {}; trying again next round", e.toString());
            return 0;
        }
    }

    private int drain(JobState state, Instant finishedBefore, long atMost) {
        int deleted = 0;
        long until = System.nanoTime() + ROUND_NANOS;
        while (deleted < atMost && System.nanoTime() < until) {
            int want = (int) Math.min(retention.batch(), atMost - deleted);
            int n = store.prune(state, null, finishedBefore, want);
            deleted += n;
            if (n < want) break;
        }
        return deleted;
    }

}
