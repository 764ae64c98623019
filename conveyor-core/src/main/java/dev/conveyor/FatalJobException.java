package dev.conveyor;

/**
 * Thrown by a handler to fail its job for good: no retry, straight to the dead set with this message. For
 * errors no retry can fix (invalid input, a record that no longer exists). A task's
 * {@code fatalOn(...)} option marks other exception types the same way.
 */
public class FatalJobException extends RuntimeException {
    public FatalJobException(String message) {
        super(message);
    }

    public FatalJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
