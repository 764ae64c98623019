package dev.conveyor;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a handler to fail this attempt and choose when the next one runs, instead of the task's
 * retry policy: e.g. an API answered 429 with {@code Retry-After: 120}. The attempt still counts toward
 * {@code maxAttempts}.
 */
public class RetryLaterException extends RuntimeException {
    private final Duration delay;

    public RetryLaterException(Duration delay, String message) {
        super(message);
        this.delay = Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }

    public RetryLaterException(Duration delay, String message, Throwable cause) {
        this(delay, message);
        initCause(cause);
    }

    public Duration delay() {
        return delay;
    }
}
