package dev.conveyor.broker;

import java.util.Objects;

/**
 * A worker's claim on one leased job: the receipt every call that changes the job must carry.
 *
 * @param jobId the leased job
 * @param token the fencing token of this lease: unique among the leases of this job, opaque to workers.
 *              A broker refuses a call whose token is not the job's current lease, or whose lease expired.
 */
public record Lease(String jobId, long token) {
    public Lease {
        Objects.requireNonNull(jobId, "jobId");
    }
}
