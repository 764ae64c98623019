package dev.conveyor;

import dev.conveyor.job.Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a worker runs: which queues, how many jobs at once, lease and heartbeat timing, shutdown grace.
 * Immutable; each method returns a changed copy and validates its value.
 *
 * <pre>{@code
 * Worker worker = conveyor.startWorker(WorkerOptions.defaults()
 *         .queues("default", "emails")
 *         .concurrency(200));
 * }</pre>
 */
public record WorkerOptions(
        List<String> queues,
        int concurrency,
        int fetchBatch,
        int fetchers,
        Duration leaseDuration,
        Duration heartbeatInterval,
        Duration pollInterval,
        Duration shutdownGrace,
        Duration stuckAfter,
        int completionBatch,
        boolean shutdownOnSigterm,
        Map<String, Integer> queuePlatformThreads,
        Retention retention,
        Duration priorityAging,
        int prefetch) {

    /** Defaults to the {@code default} queue. */
    public static final List<String> DEFAULT_QUEUES = List.of(Job.DEFAULT_QUEUE);
    /** Defaults to 64 jobs at once (each on its own virtual thread). */
    public static final int DEFAULT_CONCURRENCY = 64;
    /** Defaults to fetching up to 256 jobs per broker call (never more than free slots). */
    public static final int DEFAULT_FETCH_BATCH = 256;
    /** Defaults to two fetch loops; the second fetches only while fetches come back full (see {@link #fetchers}). */
    public static final int DEFAULT_FETCHERS = 2;
    /** At most this many fetch loops per worker. */
    public static final int MAX_FETCHERS = 8;
    /** Defaults to 30 s leases: a lost worker's jobs come back within this. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** Defaults to a heartbeat every 10 s (a third of the lease, so two can fail before the lease does). */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    /** Defaults to checking for work at least every 1 s when the broker has no push wake-up. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    /** Defaults to 25 s to finish in-flight jobs on shutdown (inside Kubernetes' 30 s termination grace). */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(25);
    /** Defaults to reporting a job as stuck 30 s after its timeout interrupt if it has not returned. */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofSeconds(30);
    /** Defaults to holding up to 256 jobs ahead of free slots (never more than the concurrency; see {@link #prefetch}). */
    public static final int DEFAULT_PREFETCH = 256;
    /** Defaults to recording up to 1,000 completions per broker call. */
    public static final int DEFAULT_COMPLETION_BATCH = 1000;

    public WorkerOptions {
        queues = List.copyOf(queues);
        if (queues.isEmpty()) throw new IllegalArgumentException("queues must name at least one queue");
        queues.forEach(Job::requireQueueName);
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        if (fetchBatch < 1) throw new IllegalArgumentException("fetchBatch must be >= 1, was " + fetchBatch);
        if (fetchers < 1 || fetchers > MAX_FETCHERS) {
            throw new IllegalArgumentException("fetchers must be between 1 and " + MAX_FETCHERS + ", was " + fetchers
                    + " (2 is enough to keep one fetch in flight while another batch is dispatched)");
        }
        requirePositive(leaseDuration, "leaseDuration");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than leaseDuration (" + leaseDuration + "); a third of it is a good choice");
        }
        requirePositive(pollInterval, "pollInterval");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative");
        requirePositive(stuckAfter, "stuckAfter");
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be >= 0 (0 holds no job ahead of a free slot), was " + prefetch);
        }
        if (completionBatch < 1) throw new IllegalArgumentException("completionBatch must be >= 1, was " + completionBatch);
        queuePlatformThreads = Map.copyOf(queuePlatformThreads);
        Objects.requireNonNull(retention, "retention");
        if (priorityAging != null && priorityAging.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("priorityAging must be at least 1 s (or null for none), was " + priorityAging);
        }
    }

    public static WorkerOptions defaults() {
        return new WorkerOptions(DEFAULT_QUEUES, DEFAULT_CONCURRENCY, DEFAULT_FETCH_BATCH, DEFAULT_FETCHERS, DEFAULT_LEASE,
                DEFAULT_HEARTBEAT, DEFAULT_POLL, DEFAULT_SHUTDOWN_GRACE, DEFAULT_STUCK_AFTER,
                DEFAULT_COMPLETION_BATCH, true, Map.of(), Retention.defaults(), null, DEFAULT_PREFETCH);
    }

    /** The queues to take jobs from, as one pool (priority first, then age). */
    public WorkerOptions queues(String... queues) {
        return new WorkerOptions(List.of(queues), concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval,
                pollInterval, shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions queues(List<String> queues) {
        return queues(queues.toArray(String[]::new));
    }

    /** Most jobs running at once in this worker. */
    public WorkerOptions concurrency(int concurrency) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    /**
     * Most jobs leased per broker call (never more than the free slots). A worker has one fetch in flight, so it
     * starts at most this many jobs per round trip to the broker: for many short jobs, raise it and give the worker
     * about twice as many slots, because a fetch can lease only free ones — on PostgreSQL,
     * {@code concurrency(1024).fetchBatch(512)} took one worker from about 40,000 to 46,000 no-op jobs/s
     * (docs/BENCHMARKS.md). A larger batch also lets one worker hold more jobs ahead of other workers and keys.
     *
     * <pre>{@code
     * Worker worker = conveyor.startWorker(WorkerOptions.defaults().concurrency(1024).fetchBatch(512));
     * }</pre>
     */
    public WorkerOptions fetchBatch(int fetchBatch) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    /**
     * Fetch loops of this worker, each with one fetch in flight, all over the same {@link #concurrency} slots.
     * One loop leaves the broker idle for this worker while a fetched batch is decoded and dispatched, and a slot
     * freed meanwhile waits for that fetch to end before its own can start; two (the default) overlap them, which
     * pays when many jobs keep the slots turning over (docs/BENCHMARKS.md, "Two fetch loops"). The second loop
     * fetches only while the last fetch came back full, so at light load it makes no broker calls, and it leases
     * nothing before the worker's first handler started. One loop fetches the fewest jobs ahead of need.
     *
     * <pre>{@code
     * Worker worker = conveyor.startWorker(WorkerOptions.defaults().fetchers(1));
     * }</pre>
     */
    public WorkerOptions fetchers(int fetchers) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval,
                pollInterval, shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads,
                retention, priorityAging, prefetch);
    }

    /** Lease length; the heartbeat is set to a third of it. */
    public WorkerOptions leaseDuration(Duration lease) {
        requirePositive(lease, "leaseDuration");
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, lease, lease.dividedBy(3), pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions heartbeatInterval(Duration heartbeat) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeat, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions pollInterval(Duration poll) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, poll,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions shutdownGrace(Duration grace) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                grace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions stuckAfter(Duration stuckAfter) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    public WorkerOptions completionBatch(int completionBatch) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    /** Whether a JVM shutdown (SIGTERM, Ctrl-C) shuts this worker down gracefully first. Defaults to true. */
    public WorkerOptions shutdownOnSigterm(boolean enabled) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, enabled, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    /** Runs jobs from {@code queue} on a pool of {@code threads} platform threads (CPU-bound work). */
    public WorkerOptions platformThreads(String queue, int threads) {
        Job.requireQueueName(queue);
        if (threads < 1) throw new IllegalArgumentException("platformThreads must be >= 1, was " + threads);
        Map<String, Integer> m = new LinkedHashMap<>(queuePlatformThreads);
        m.put(queue, threads);
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, m, retention, priorityAging, prefetch);
    }

    /** Which finished jobs this worker prunes, and when. Defaults to {@link Retention#defaults()}. */
    public WorkerOptions retention(Retention retention) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging, prefetch);
    }

    /**
     * Priority aging, against starvation: every {@code step}, a ready job of this worker's queues that has waited
     * at least {@code step} moves up one priority (up to 9), so a job waiting {@code k} steps runs as if it had
     * been enqueued {@code k} priorities higher. Strict priority (no aging) is the default. One worker does each
     * round per queue (shared state, capability {@code STATE}); give every worker of a queue the same step.
     *
     * <pre>{@code
     * conveyor.startWorker(WorkerOptions.defaults().queues("reports").priorityAging(Duration.ofMinutes(1)));
     * }</pre>
     */
    public WorkerOptions priorityAging(Duration step) {
        Objects.requireNonNull(step, "step");
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, step, prefetch);
    }

    /**
     * Most jobs this worker leases ahead of its free slots, held in memory and started the moment a slot frees
     * (never more than {@link #concurrency}; 0 holds none). Without them a freed slot waits for a fetch to come
     * back; with them the next job starts at once and the fetch refills the held jobs meanwhile: I/O-bound jobs that
     * end together start their next wave without a round trip, and short jobs keep every slot busy. A held job's
     * lease is extended like a running one's; a held job that has not started within {@value
     * dev.conveyor.worker.Worker#HOLD_LIMIT_MS} ms goes back to its queue (a hand-back costs the job nothing) and
     * the worker holds none for the next {@value dev.conveyor.worker.Worker#HOLD_PAUSE_SECONDS} s, as its jobs
     * are too long to gain from holding; at shutdown held jobs go back at once. Set 0 when jobs run for seconds
     * or more and several workers share a queue: a held job waits for this worker while another may be idle.
     * Held jobs were leased in priority order; a job of higher priority enqueued after them starts after them.
     *
     * <pre>{@code
     * Worker worker = conveyor.startWorker(WorkerOptions.defaults().concurrency(200).prefetch(200));
     * }</pre>
     */
    public WorkerOptions prefetch(int prefetch) {
        return new WorkerOptions(queues, concurrency, fetchBatch, fetchers, leaseDuration, heartbeatInterval, pollInterval,
                shutdownGrace, stuckAfter, completionBatch, shutdownOnSigterm, queuePlatformThreads, retention, priorityAging,
                prefetch);
    }

    private static void requirePositive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(field + " must be positive, was " + d);
    }
}
