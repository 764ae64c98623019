package dev.conveyor.broker;

/** What a broker did with one item of a batched call that changes a leased job. */
public enum Outcome {
    /** Applied. */
    OK,
    /**
     * Refused: the lease's fencing token is not the job's current lease, or that lease has expired, or the job
     * no longer exists. Nothing changed; the job belongs to whoever holds its current lease (or will be
     * redelivered). Not an error: a worker that was paused or partitioned past its lease gets this.
     */
    STALE,
    /**
     * {@link Broker#extend} only: the lease was extended, and someone asked to cancel the job
     * ({@link JobStore#cancel}). The worker should interrupt the run and settle it; the broker records a
     * buried or retried run of such a job as {@code CANCELLED}.
     */
    CANCEL_REQUESTED
}
