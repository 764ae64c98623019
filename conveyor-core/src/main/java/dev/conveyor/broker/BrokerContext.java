package dev.conveyor.broker;

import java.time.Clock;
import java.util.Objects;

/**
 * What Conveyor gives a broker when opening it.
 *
 * @param clock the clock every lease deadline, due time and timestamp is computed from. Tests pass a
 *              settable clock shared with the worker, so no test has to sleep.
 */
public record BrokerContext(Clock clock) {
    public BrokerContext {
        Objects.requireNonNull(clock, "clock");
    }

    public static BrokerContext defaults() {
        return new BrokerContext(Clock.systemUTC());
    }
}
