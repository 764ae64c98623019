package dev.conveyor.job;

import java.time.Instant;
import java.util.Objects;

/**
 * How far a running job has got, as its handler last reported it ({@code JobContext.progress}).
 *
 * @param percent 0–100
 * @param message a short note for people ("page 3 of 10"), at most {@value #MAX_MESSAGE} characters; may be empty
 * @param at      when it was reported (the worker's clock)
 */
public record Progress(int percent, String message, Instant at) {
    public static final int MAX_MESSAGE = 500;

    public Progress {
        if (percent < 0 || percent > 100) throw new IllegalArgumentException("progress percent must be 0-100, was " + percent);
        message = message == null ? "" : message;
        if (message.length() > MAX_MESSAGE) {
            throw new IllegalArgumentException("progress message is " + message.length() + " characters; the limit is "
                    + MAX_MESSAGE);
        }
        Objects.requireNonNull(at, "at");
    }
}
