package dev.conveyor.broker;

import java.util.Objects;

/**
 * A successful run to record with {@link Broker#ack}.
 *
 * @param lease  the lease the run happened under
 * @param result the handler's result as JSON text, or null when it has none
 */
public record Completion(Lease lease, String result) {
    public Completion {
        Objects.requireNonNull(lease, "lease");
    }
}
