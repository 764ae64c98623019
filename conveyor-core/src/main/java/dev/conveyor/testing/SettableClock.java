package dev.conveyor.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until the test moves it: pass it to {@code Conveyor.builder().clock(...)} and
 * delays, retries, leases and age limits happen when you {@link #advance} it, not when the test sleeps.
 * Thread-safe. Always UTC.
 *
 * <pre>{@code
 * SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * conveyor.enqueue(TASK, args, EnqueueOptions.defaults().delay(Duration.ofMinutes(5)));
 * clock.advance(Duration.ofMinutes(5));   // the job is now due
 * }</pre>
 */
public final class SettableClock extends Clock {
    private final AtomicReference<Instant> now;

    private SettableClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    public static SettableClock at(Instant start) {
        return new SettableClock(start);
    }

    /** A clock starting at the current wall-clock time, truncated to milliseconds. */
    public static SettableClock startingNow() {
        return new SettableClock(Instant.ofEpochMilli(System.currentTimeMillis()));
    }

    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /** Moves time forward (a negative duration moves it back). Returns the new time. */
    public Instant advance(Duration d) {
        return now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) return this;
        throw new UnsupportedOperationException("SettableClock is always UTC");
    }

    @Override
    public String toString() {
        return "SettableClock[" + now.get() + "]";
    }
}
