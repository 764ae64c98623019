package dev.conveyor.events;

/** How the broker recorded the end of a job's run, as a {@link JobListener} hears it. */
public enum JobOutcome {
    /** The handler returned; the broker stored the result. */
    SUCCEEDED,
    /** The run failed and the job will run again later. */
    RETRIED,
    /** Failed for good: out of attempts, a fatal error, or refused unrun (unknown task, malformed args, too old). */
    DEAD,
    /** Stopped or buried because someone cancelled the job. */
    CANCELLED,
    /** Put back unrun by a rate or concurrency limit; it uses no attempt. */
    POSTPONED,
    /** Handed back unrun or interrupted at shutdown; it uses no attempt. */
    RELEASED,
    /** The broker refused the outcome: the lease had expired or passed to another worker, which decides the job. */
    REFUSED
}
