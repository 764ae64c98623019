package dev.conveyor.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Objects;

/**
 * What went wrong in one attempt (or why a job was dead-lettered without running).
 *
 * @param attempt    the attempt number this error ended (1 = first run); 0 when the handler never ran
 * @param at         when it was recorded (UTC)
 * @param type       exception class name, or a short kind such as {@code unknown-task}
 * @param message    human-readable reason
 * @param stackTrace full stack trace text, or {@code null} when there was no exception
 */
public record AttemptError(int attempt, Instant at, String type, String message, String stackTrace) {
    /** Longest stack trace kept, so a deep recursion error cannot bloat the store. */
    public static final int MAX_STACK_TRACE_CHARS = 16_384;

    public AttemptError {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
        if (stackTrace != null && stackTrace.length() > MAX_STACK_TRACE_CHARS) {
            stackTrace = stackTrace.substring(0, MAX_STACK_TRACE_CHARS) + "\n\t... (truncated)";
        }
    }

    /** An error caused by an exception the handler threw. */
    public static AttemptError of(int attempt, Instant at, Throwable error) {
        StringWriter sw = new StringWriter();
        error.printStackTrace(new PrintWriter(sw));
        String msg = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return new AttemptError(attempt, at, error.getClass().getName(), msg, sw.toString());
    }

    /** An error with no exception behind it (unknown task, expired message, quarantine…). */
    public static AttemptError reason(int attempt, Instant at, String type, String message) {
        return new AttemptError(attempt, at, type, message, null);
    }
}
