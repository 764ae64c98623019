package dev.conveyor.broker;

import dev.conveyor.job.AttemptError;
import java.time.Instant;
import java.util.Objects;

/**
 * A run that did not succeed, for {@link Broker#retry} (with the time to run again) or {@link Broker#bury}.
 *
 * @param lease         the lease it ran under
 * @param error         what went wrong; appended to the job's error history. Null only for a postponement
 *                      ({@link #postpone}): a retry that records no error
 * @param runAt         for {@code retry}: when the job becomes ready again; ignored by {@code bury}
 * @param countsAttempt true when the handler ran and failed ({@code attempt} grows by one); false when the
 *                      job was refused without running (unknown task, malformed args, too old)
 */
public record Failure(Lease lease, AttemptError error, Instant runAt, boolean countsAttempt) {
    public Failure {
        Objects.requireNonNull(lease, "lease");
        if (error == null && (runAt == null || countsAttempt)) {
            throw new IllegalArgumentException("only a postponement (a retry that counts no attempt) may have no error");
        }
    }

    /**
     * Puts a job back unrun until {@code runAt} (a rate or concurrency limit was reached): for {@link Broker#retry},
     * it uses no attempt and records no error.
     */
    public static Failure postpone(Lease lease, Instant runAt) {
        return new Failure(lease, null, Objects.requireNonNull(runAt, "runAt"), false);
    }

    /** True for a {@link #postpone}ment. */
    public boolean isPostponement() {
        return error == null;
    }

    public static Failure retryAt(Lease lease, AttemptError error, Instant runAt) {
        return new Failure(lease, error, Objects.requireNonNull(runAt, "runAt"), true);
    }

    public static Failure bury(Lease lease, AttemptError error, boolean countsAttempt) {
        return new Failure(lease, error, null, countsAttempt);
    }
}
