package dev.conveyor.job;

/**
 * Where a job is in its lifecycle: enqueue → {@code READY} (or {@code SCHEDULED} until due) → {@code RUNNING}
 * (leased) → {@code SUCCEEDED} | {@code SCHEDULED} again (retry) | {@code DEAD}. {@code CANCELLED} is reserved
 * for cancellation.
 */
public enum JobState {
    /** Waiting for its {@code runAt} (a delayed job or a retry). Becomes ready when due. */
    SCHEDULED,
    /** Due and waiting for a worker. */
    READY,
    /** Leased by a worker; comes back to ready if the lease expires. */
    RUNNING,
    /** Finished; its result (if any) is stored. */
    SUCCEEDED,
    /** Gave up: out of attempts, fatal error, unknown task, malformed args, too old or crash-looping. */
    DEAD,
    /** Cancelled before it finished. */
    CANCELLED;

    /** True for states a job never leaves on its own: succeeded, dead, cancelled. */
    public boolean isFinished() {
        return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }
}
