package dev.conveyor.web;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import java.time.Clock;
import java.util.Objects;

/**
 * The broker as the dashboard sees it: its job store (required), its shared state (null when the broker keeps
 * none: then schedules, workers and queue pausing show as unavailable), and the clock for relative times.
 */
record Backend(Broker broker, JobStore store, StateStore state, Clock clock) {
    Backend {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(clock, "clock");
    }

    static Backend of(Broker broker, Clock clock) {
        if (!(broker instanceof JobStore store) || !broker.capabilities().contains(Capability.INSPECTION)) {
            throw new IllegalArgumentException("the dashboard needs a broker that keeps job state (capability "
                    + "INSPECTION); " + broker.getClass().getSimpleName() + " has " + broker.capabilities());
        }
        StateStore state = broker instanceof StateStore s && broker.capabilities().contains(Capability.STATE) ? s : null;
        return new Backend(broker, store, state, clock);
    }

    /** The state store, or a 501 naming the missing capability. */
    StateStore requireState(String feature) {
        if (state == null) throw new HttpProblem(501, feature + " needs a broker with shared state (capability STATE)");
        return state;
    }
}
