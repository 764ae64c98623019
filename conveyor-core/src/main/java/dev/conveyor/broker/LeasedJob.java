package dev.conveyor.broker;

import dev.conveyor.job.Job;
import java.time.Instant;
import java.util.Objects;

/**
 * A job handed out by {@link Broker#fetch}: the job as it now stands ({@code deliveries} already counts this
 * lease) and the lease that proves this worker holds it.
 *
 * @param job        the job
 * @param lease      the receipt for ack/retry/bury/extend/release
 * @param leaseUntil when the lease expires unless extended (by the broker's clock)
 */
public record LeasedJob(Job job, Lease lease, Instant leaseUntil) {
    public LeasedJob {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
    }
}
