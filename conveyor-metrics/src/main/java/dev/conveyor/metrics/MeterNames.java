package dev.conveyor.metrics;

/**
 * Every meter Conveyor registers, by its Micrometer name. Prometheus shows dots as underscores, adds
 * {@code _total} to counters and {@code _seconds} to timers and second-valued gauges (docs/METRICS.md lists both).
 */
public final class MeterNames {
    /** Counters, tagged {@code task} and {@code queue}. */
    public static final String ENQUEUED = "conveyor.jobs.enqueued";
    public static final String STARTED = "conveyor.jobs.started";
    public static final String SUCCEEDED = "conveyor.jobs.succeeded";
    /** Runs whose handler threw or timed out, whether the job then retried or died. */
    public static final String FAILED = "conveyor.jobs.failed";
    public static final String RETRIED = "conveyor.jobs.retried";
    public static final String DEAD = "conveyor.jobs.dead";
    public static final String CANCELLED = "conveyor.jobs.cancelled";
    public static final String POSTPONED = "conveyor.jobs.postponed";
    public static final String RELEASED = "conveyor.jobs.released";
    public static final String REFUSED = "conveyor.jobs.refused";

    /** Timers (histograms), tagged {@code task} and {@code queue}. */
    public static final String RUN_TIME = "conveyor.job.run";
    public static final String WAIT_TIME = "conveyor.job.wait";

    /** Gauges from the cached {@code JobStore.queues()}: depth tagged {@code queue} and {@code state}, age tagged {@code queue}. */
    public static final String QUEUE_DEPTH = "conveyor.queue.depth";
    public static final String QUEUE_OLDEST_READY_AGE = "conveyor.queue.oldest.ready.age";
    /** Seconds since the queue gauges were last refreshed from the store (a stuck poller shows here). */
    public static final String QUEUE_STATS_AGE = "conveyor.queue.stats.age";

    /** Gauges tagged {@code worker} (its name: host/pid/random). */
    public static final String WORKER_IN_FLIGHT = "conveyor.worker.inflight";
    public static final String WORKER_CONCURRENCY = "conveyor.worker.concurrency";
    /** Of the in-flight jobs, those leased ahead of a free slot and waiting for one (WorkerOptions.prefetch). */
    public static final String WORKER_HELD = "conveyor.worker.held";
    public static final String WORKER_HEARTBEAT_AGE = "conveyor.worker.heartbeat.age";

    private MeterNames() {}
}
