package dev.conveyor.broker;

/**
 * A broker could not do what was asked for reasons outside the caller's control: unreachable, timed out,
 * misconfigured. The message names the broker URL (without its password) and what to check.
 */
public class BrokerException extends RuntimeException {
    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
