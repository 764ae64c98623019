package dev.conveyor.broker;

import dev.conveyor.job.AttemptError;
import java.time.Instant;
import java.util.Objects;

/**
 * A run that did not succeed, for {@link Broker#retry} (with the time to run again) or {@link Broker#bury}.
 *
 * @param lease         the lease it ran under
 * @param error         what went wrong; appended to the job's error history
 * @param runAt         for {@code retry}: when the job becomes ready again; ignored by {@code bury}
 * @param countsAttempt true when the handler ran and failed ({@code attempt} grows by one); false when the
 *                      job was refused without running (unknown task, malformed args, too old)
 */
public record Failure(Lease lease, AttemptError error, Instant runAt, boolean countsAttempt) {
    public Failure {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(error, "error");
    }

    public static Failure retryAt(Lease lease, AttemptError error, Instant runAt) {
        return new Failure(lease, error, Objects.requireNonNull(runAt, "runAt"), true);
    }

    public static Failure bury(Lease lease, AttemptError error, boolean countsAttempt) {
        return new Failure(lease, error, null, countsAttempt);
    }
}
