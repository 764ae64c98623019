package dev.conveyor;

/** Base of the exceptions Conveyor's API throws. */
public class ConveyorException extends RuntimeException {
    public ConveyorException(String message) {
        super(message);
    }

    public ConveyorException(String message, Throwable cause) {
        super(message, cause);
    }
}
