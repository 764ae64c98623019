package dev.conveyor.broker;

/**
 * Optional abilities a broker declares in {@link Broker#capabilities()}. The conformance suite runs the
 * tests of every capability a broker declares; a feature that needs a capability the configured broker
 * lacks fails at startup with a message naming it.
 */
public enum Capability {
    /** Honours {@code runAt} in the future: delayed jobs and retries with backoff. */
    DELAYED,
    /** Fetch returns higher-priority ready jobs first. */
    PRIORITIES,
    /** Enforces {@code uniqueKey} atomically with the enqueue. */
    UNIQUE_KEYS,
    /** Stores results given to {@code ack} and serves them through {@link JobStore#get}. */
    RESULTS,
    /** Implements {@link JobStore}: get, list, counts, re-drive, delete, purge. */
    INSPECTION,
    /** {@link Broker#awaitWork} returns promptly when work arrives, instead of only after its timeout. */
    PUSH_WAKEUP,
    /** Implements {@link StateStore}: shared compare-and-set state (cron schedules' fire times, pause flags). */
    STATE,
    /** Implements {@link JobStore#cancel}: pending jobs never run, running ones are told through {@link Broker#extend}. */
    CANCELLATION,
    /** Implements {@link Broker#reportProgress}: a running job's progress is stored and served by {@link JobStore#get}. */
    PROGRESS,
    /**
     * Places jobs with a fairness key ({@link dev.conveyor.job.Job#fairKey()}) by {@link FairOrder}: within a
     * queue and priority, keys take turns. A broker without it fetches keyed jobs in plain order.
     */
    FAIR_KEYS,
    /** Implements {@link JobStore#agePriority}: waiting jobs can be moved up a priority (starvation-free option). */
    PRIORITY_AGING,
    /**
     * Implements {@link Broker#markStarted}: after a job's first lost lease, only leases lost while its handler
     * ran count toward quarantine.
     */
    START_MARKS
}
