package dev.conveyor.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before running a failed job again. One method; the stock strategies are the static
 * factories below. How many times to try is the task's {@code maxAttempts}, not the policy's business.
 *
 * <p>The default, {@link #DEFAULT} = {@code exponential(1s, 1h)}, waits a random time (full jitter) up to
 * 1 s, 2 s, 4 s, 8 s … after failures 1, 2, 3, 4 …, capped at 1 h from the 13th failure on. Full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter") spreads a burst of failures out instead of
 * retrying them in lock-step against a struggling dependency.
 */
@FunctionalInterface
public interface RetryPolicy {
    /** {@code exponential(1s, 1h)}. */
    RetryPolicy DEFAULT = exponential(Duration.ofSeconds(1), Duration.ofHours(1));

    /**
     * The delay before the next run.
     *
     * @param failures how many runs have failed so far, including the one just ended (≥ 1)
     * @param random   the randomness to jitter with
     */
    Duration delay(int failures, RandomGenerator random);

    /**
     * Capped exponential backoff with full jitter: a uniformly random delay in
     * {@code [0, min(cap, base × 2^(failures-1))]}.
     */
    static RetryPolicy exponential(Duration base, Duration cap) {
        requirePositive(base, "base");
        requirePositive(cap, "cap");
        if (cap.compareTo(base) < 0) throw new IllegalArgumentException("cap (" + cap + ") must be >= base (" + base + ")");
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        return (failures, random) -> {
            int shift = Math.min(Math.max(failures, 1) - 1, 40);
            long ceiling = baseMs << shift;
            if (ceiling <= 0 || ceiling > capMs) ceiling = capMs;
            return Duration.ofMillis(random.nextLong(ceiling + 1));
        };
    }

    /** Capped exponential backoff without jitter: exactly {@code min(cap, base × 2^(failures-1))}. */
    static RetryPolicy exponentialNoJitter(Duration base, Duration cap) {
        requirePositive(base, "base");
        requirePositive(cap, "cap");
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        return (failures, random) -> {
            int shift = Math.min(Math.max(failures, 1) - 1, 40);
            long d = baseMs << shift;
            return Duration.ofMillis(d <= 0 || d > capMs ? capMs : d);
        };
    }

    /** The same delay after every failure. */
    static RetryPolicy fixed(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative, was " + delay);
        return (failures, random) -> delay;
    }

    /** Retry at once. */
    static RetryPolicy immediate() {
        return fixed(Duration.ZERO);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
}
