package dev.conveyor.broker;

/** What {@link JobStore#cancel} did with one job. */
public enum CancelResult {
    /** It had not started (ready or scheduled): it is {@code CANCELLED} now and will never run. */
    CANCELLED,
    /** It is running: its worker learns at its next heartbeat, interrupts it, and it ends {@code CANCELLED}. */
    REQUESTED,
    /** It had already finished (succeeded, dead or cancelled): nothing changed. */
    FINISHED,
    /** No such job. */
    NOT_FOUND
}
