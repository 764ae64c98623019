package dev.conveyor.limit;

import java.util.function.Function;

/**
 * At most {@code max} jobs of a task running at once across all workers, for the whole task or for each key
 * derived from its args (e.g. at most 2 jobs at once per customer). A running job holds a slot under a lease
 * that its worker's heartbeat extends, so the slot of a job whose worker crashed frees itself when the lease
 * runs out. Set on a task with {@code Task.Builder.concurrencyLimit}.
 *
 * @param max         jobs at once, 1–{@value #MAX} (the holders are one state value of at most 64 KiB)
 * @param keyFromArgs the key whose running jobs are counted, or null for one limit for the whole task
 */
public record ConcurrencyLimit<A>(int max, Function<? super A, String> keyFromArgs) {
    /** Largest limit. */
    public static final int MAX = 500;

    public ConcurrencyLimit {
        if (max < 1 || max > MAX) throw new IllegalArgumentException("concurrency limit must be 1-" + MAX + ", was " + max);
    }
}
