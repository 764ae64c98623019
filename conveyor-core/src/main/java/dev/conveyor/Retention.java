package dev.conveyor;

import java.time.Duration;
import java.util.Objects;

/**
 * How long finished jobs stay in the store. Workers prune in small batches on a timer, so a busy queue's table
 * stays about the same size instead of growing without end (and a SQL claim stays fast).
 *
 * <pre>{@code
 * conveyor.startWorker(WorkerOptions.defaults().retention(Retention.defaults()
 *         .succeededFor(Duration.ofHours(6))
 *         .maxSucceeded(50_000)
 *         .deadFor(Duration.ofDays(90))));
 * }</pre>
 *
 * A job whose unique key is still held ({@code uniqueFor} after it finished) is kept until the hold ends.
 *
 * @param succeededFor how long a succeeded job (and its result) is kept; null = no age limit. Defaults to 1 day
 * @param maxSucceeded most succeeded jobs kept, oldest pruned first; 0 = no count limit. Defaults to 100,000
 * @param deadFor      how long dead and cancelled jobs are kept; null = until purged. Defaults to 30 days
 * @param interval     how often each worker prunes. Defaults to 1 minute
 * @param batch        jobs deleted per store call. Defaults to 500
 */
public record Retention(Duration succeededFor, long maxSucceeded, Duration deadFor, Duration interval, int batch) {
    public static final Duration DEFAULT_SUCCEEDED_FOR = Duration.ofDays(1);
    public static final long DEFAULT_MAX_SUCCEEDED = 100_000;
    public static final Duration DEFAULT_DEAD_FOR = Duration.ofDays(30);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_BATCH = 500;

    public Retention {
        if (succeededFor != null && succeededFor.isNegative()) throw new IllegalArgumentException("succeededFor must not be negative");
        if (maxSucceeded < 0) throw new IllegalArgumentException("maxSucceeded must be >= 0 (0 = no limit), was " + maxSucceeded);
        if (deadFor != null && deadFor.isNegative()) throw new IllegalArgumentException("deadFor must not be negative");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (batch < 1 || batch > 10_000) throw new IllegalArgumentException("batch must be 1 to 10,000, was " + batch);
    }

    public static Retention defaults() {
        return new Retention(DEFAULT_SUCCEEDED_FOR, DEFAULT_MAX_SUCCEEDED, DEFAULT_DEAD_FOR, DEFAULT_INTERVAL, DEFAULT_BATCH);
    }

    /** Keeps everything: nothing is pruned. */
    public static Retention keepAll() {
        return new Retention(null, 0, null, DEFAULT_INTERVAL, DEFAULT_BATCH);
    }

    public boolean prunesAnything() {
        return succeededFor != null || maxSucceeded > 0 || deadFor != null;
    }

    public Retention succeededFor(Duration d) {
        return new Retention(d, maxSucceeded, deadFor, interval, batch);
    }

    public Retention maxSucceeded(long n) {
        return new Retention(succeededFor, n, deadFor, interval, batch);
    }

    public Retention deadFor(Duration d) {
        return new Retention(succeededFor, maxSucceeded, d, interval, batch);
    }

    public Retention interval(Duration d) {
        return new Retention(succeededFor, maxSucceeded, deadFor, d, batch);
    }

    public Retention batch(int n) {
        return new Retention(succeededFor, maxSucceeded, deadFor, interval, n);
    }
}
