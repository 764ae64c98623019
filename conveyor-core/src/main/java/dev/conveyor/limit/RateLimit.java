package dev.conveyor.limit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * At most {@code permits} job starts per {@code per}, across all workers, for a task or for each key derived
 * from its args (e.g. per tenant or per API host). Bursts up to {@code burst} starts at once are allowed after a
 * quiet period; then starts are spaced {@code per / permits} apart (the generic cell rate algorithm, one
 * compare-and-set per start). Set on a task with {@code Task.Builder.rateLimit}.
 *
 * @param permits     starts per window, ≥ 1
 * @param per         the window, ≥ 1 ms
 * @param burst       starts allowed back to back, 1–{@code permits}; defaults to {@code permits}
 * @param keyFromArgs the key whose starts are counted, or null for one limit for the whole task
 */
public record RateLimit<A>(int permits, Duration per, int burst, Function<? super A, String> keyFromArgs) {
    public RateLimit {
        if (permits < 1) throw new IllegalArgumentException("rate limit permits must be >= 1, was " + permits);
        Objects.requireNonNull(per, "per");
        if (per.toMillis() < 1) throw new IllegalArgumentException("rate limit window must be at least 1 ms, was " + per);
        if (burst < 1 || burst > permits) {
            throw new IllegalArgumentException("rate limit burst must be 1-" + permits + ", was " + burst);
        }
    }

    /** The spacing between starts once the burst is used: {@code per / permits}, in nanoseconds. */
    public long intervalNanos() {
        return per.toNanos() / permits;
    }
}
