package dev.conveyor.broker;

import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Read and operator access to stored jobs: what {@code JobHandle}, the CLI and the dashboard use. Brokers that
 * hold their own state implement it beside {@link Broker} and declare {@link Capability#INSPECTION}.
 * Nothing here takes or needs a lease. All calls are thread-safe and block only for their I/O, except
 * {@link #awaitFinished}.
 */
public interface JobStore {

    /**
     * The job with this id, or empty if there is none (never enqueued, deleted or purged, or not an id this
     * store could have issued: a malformed id is simply not found, never an error).
     */
    Optional<JobInfo> get(String id);

    /**
     * Waits up to {@code timeout} (real time) for the job to reach a finished state and returns what is then
     * stored, finished or not; empty if the job does not exist. The default polls {@link #get} with a backoff
     * from 1 ms to 50 ms; brokers with a push signal override it.
     */
    default Optional<JobInfo> awaitFinished(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 1;
        while (true) {
            Optional<JobInfo> info = get(id);
            if (info.isEmpty() || info.get().state().isFinished()) return info;
            long left = deadline - System.nanoTime();
            if (left <= 0) return info;
            try {
                Thread.sleep(Math.min(sleepMs, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return info;
            }
            sleepMs = Math.min(50, sleepMs * 2);
        }
    }

    /**
     * A mark of the news of finished jobs this store has heard so far; pass it to {@link #awaitFinishedNews}.
     * Read it <em>before</em> looking at what you wait for, so a finish in between is not missed.
     */
    default long finishedNews() {
        return 0;
    }

    /**
     * Waits until this store hears that some job finished after {@code mark} was read ({@link #finishedNews}),
     * {@code maxWait} passed, or the thread is interrupted (returns with the flag set). Brokers with a push
     * channel (pub/sub, NOTIFY, a lock condition) return within milliseconds of a finish; the default hears
     * nothing and sleeps up to 50 ms. May return early: the caller looks again. Used to await state written
     * before a job's ack (a workflow's record).
     */
    default void awaitFinishedNews(long mark, Duration maxWait) {
        try {
            Thread.sleep(Math.max(1, Math.min(50, maxWait.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Per queue: how many jobs are in each state and how long the oldest ready job has waited. */
    List<QueueStats> queues();

    /**
     * One page of jobs matching the query, ordered by id (oldest first). Pass the returned
     * {@link Page#nextCursor()} as {@link JobQuery#afterId()} for the next page; a null cursor means the end.
     */
    Page<JobInfo> list(JobQuery query);

    /**
     * Re-drives dead (or cancelled) jobs: each becomes {@code READY} now with {@code attempt} and
     * {@code deliveries} reset to 0; its error history is kept. Ids that are missing or not dead/cancelled
     * are skipped. Returns how many were re-driven. Idempotent.
     */
    int redrive(List<String> ids);

    /**
     * Cancels jobs, one answer per id in order ({@link CancelResult}): a ready or scheduled job becomes
     * {@code CANCELLED} at once and never runs; for a running job the cancel is recorded, {@link Broker#extend}
     * answers {@link Outcome#CANCEL_REQUESTED} for it from then on, a bury or retry of it is recorded as
     * {@code CANCELLED}, and if its lease expires it is not delivered again but becomes {@code CANCELLED}. A run
     * that succeeds anyway is recorded as succeeded. Idempotent. Brokers with {@link Capability#CANCELLATION}
     * implement it; the default refuses.
     */
    default List<CancelResult> cancel(List<String> ids) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot cancel jobs (capability CANCELLATION)");
    }

    /**
     * Priority aging: raises up to {@code limit} ready jobs of {@code queue} from {@code priority} to
     * {@code priority + 1} (their {@code runAt} unchanged), those ready since {@code readySince} or earlier
     * ({@code runAt <= readySince}), earliest first. {@code priority} is 0 to 8. Returns how many moved; call
     * again while it returns {@code limit}. Brokers with {@link Capability#PRIORITY_AGING} implement it; the
     * default refuses.
     */
    default int agePriority(String queue, int priority, java.time.Instant readySince, int limit) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " cannot age priorities (capability PRIORITY_AGING)");
    }

    /** Validates {@link #agePriority}'s arguments, naming the one that is wrong. */
    static void checkAgePriority(String queue, int priority, java.time.Instant readySince, int limit) {
        dev.conveyor.job.Job.requireQueueName(queue);
        if (priority < dev.conveyor.job.Job.MIN_PRIORITY || priority >= dev.conveyor.job.Job.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority to age must be " + dev.conveyor.job.Job.MIN_PRIORITY + " to "
                    + (dev.conveyor.job.Job.MAX_PRIORITY - 1) + ", was " + priority);
        }
        java.util.Objects.requireNonNull(readySince, "readySince");
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }

    /**
     * Deletes jobs that are not running (a running job must finish or be cancelled first). Frees their
     * unique keys. Returns how many were deleted; missing ids are skipped. Idempotent.
     */
    int delete(List<String> ids);

    /**
     * Deletes every job in a finished state ({@code SUCCEEDED}, {@code DEAD} or {@code CANCELLED}), in one
     * queue or in all when {@code queue} is null. Other states are refused with
     * {@link IllegalArgumentException}. Returns how many were deleted.
     */
    long purge(JobState state, String queue);

    /**
     * Retention: deletes up to {@code limit} jobs in a finished state, in one queue or in all when
     * {@code queue} is null, whose {@code finishedAt} is before
     * {@code finishedBefore} (any age when null), oldest first (by enqueue or by finish time, whichever the store indexes; the two orders agree for jobs that ran in the order they came), skipping jobs whose unique key is still
     * held ({@code finishedAt + uniqueFor} not yet passed). A succeeded job with its own keep time
     * ({@link dev.conveyor.job.Job#keepResultFor()}) is deleted once {@code finishedAt + keepResultFor} has
     * passed, whatever {@code finishedBefore} is (null too), and never before. Returns how many were deleted; call again while it
     * returns {@code limit}. Meant for small batches (hundreds), so it never holds locks for long.
     * Other states are refused with {@link IllegalArgumentException}.
     */
    int prune(JobState state, String queue, java.time.Instant finishedBefore, int limit);
}
