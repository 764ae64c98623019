package dev.conveyor.events;

import dev.conveyor.job.Job;
import java.time.Duration;

/**
 * Hears what happens to jobs and workers: the hook metrics (the {@code conveyor-metrics} module), audit logs
 * and tests attach to. Every method has a no-op default; implement the ones you need. Register it with
 * {@code Conveyor.builder().listener(...)}.
 *
 * <p>Calls come from Conveyor's own threads (the enqueuing thread, a job's thread, the completer) and must be
 * quick and thread-safe. An exception thrown here is logged and ignored: a listener never changes how a job
 * runs.
 *
 * <pre>{@code
 * LongAdder dead = new LongAdder();
 * Conveyor conveyor = Conveyor.builder()
 *         .broker("memory:")
 *         .task(SEND_REPORT)
 *         .listener(new JobListener() {
 *             @Override
 *             public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
 *                 if (outcome == JobOutcome.DEAD) dead.increment();
 *             }
 *         })
 *         .build();
 * }</pre>
 */
public interface JobListener {
    /** Listens to nothing. */
    JobListener NONE = new JobListener() {};

    /**
     * A job was stored by one of {@code Conveyor}'s enqueue methods or by a cron schedule. Not called for a
     * duplicate of a unique job (nothing new was stored). Inside a caller's SQL transaction it is called when the
     * insert is made, before the caller commits.
     */
    default void enqueued(Job job) {}

    /**
     * A worker is about to run the job's handler (after its limits let it start).
     *
     * @param waited how long the job was due before it started: from its {@code runAt} (for a first run, the
     *               enqueue time or the delay's end; for a retry, the retry's due time) to now
     */
    default void started(Job job, Duration waited) {}

    /**
     * The broker recorded how a run ended (a refused outcome comes as {@link JobOutcome#REFUSED}, so an ack the
     * broker did not take is never a success).
     *
     * @param handlerFailed true when the handler ran and threw or timed out (whether the job then retries or dies)
     * @param runTime       how long the handler ran, or null when it never started (refused unrun, postponed,
     *                      handed back)
     */
    default void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {}

    /** A worker started fetching jobs. */
    default void workerStarted(WorkerView worker) {}

    /** A worker stopped: every job it held is recorded or handed back. */
    default void workerStopped(WorkerView worker) {}
}
