package dev.conveyor.broker;

import java.util.Map;
import java.util.Optional;

/**
 * A small shared key-value store for coordination between workers and processes: a schedule's last fire time
 * and pause flag, and the like. Brokers that can hold such state atomically implement it beside
 * {@link Broker} and declare {@link Capability#STATE}. Features that need it (cron schedules) fail at startup
 * with a message naming the capability when the configured broker lacks it.
 *
 * <p>Keys are at most 255 characters of printable ASCII; values are strings (Conveyor stores JSON) of at most
 * 64 KiB. Every write is a compare-and-set, so concurrent writers never lose each other's updates silently:
 * a writer that loses reads again and decides again. Calls are thread-safe and block only for their I/O;
 * failures to reach storage throw {@link BrokerException}.
 *
 * <pre>{@code
 * StateStore state = (StateStore) broker;
 * Optional<String> seen = state.readState("example:counter");
 * state.compareAndSetState("example:counter", seen.orElse(null), "42");  // false if someone else wrote first
 * }</pre>
 */
public interface StateStore {
    /** Longest key accepted. */
    int MAX_KEY_LENGTH = 255;
    /** Largest value accepted, in characters. */
    int MAX_VALUE_LENGTH = 64 * 1024;

    /** The value stored under {@code key}, or empty if none. */
    Optional<String> readState(String key);

    /**
     * Atomically replaces the value under {@code key} when it currently equals {@code expected}.
     *
     * @param expected the value the caller last read, or null to require that the key is absent
     * @param value    the new value, or null to delete the key
     * @return true if the write happened; false if the stored value was not {@code expected}
     */
    boolean compareAndSetState(String key, String expected, String value);

    /** Every key starting with {@code prefix}, with its value, in key order. Meant for small sets (hundreds). */
    Map<String, String> readStates(String prefix);

    /** Checks a key and a value against the limits above; brokers call it before writing. */
    static void checkEntry(String key, String value) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("state key must be 1-" + MAX_KEY_LENGTH
                    + " printable ASCII characters without spaces, was " + (key == null ? "null" : "'" + key + "'"));
        }
        if (value != null && value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("state value for '" + key + "' is " + value.length()
                    + " characters; the limit is " + MAX_VALUE_LENGTH);
        }
    }
}
