package dev.conveyor.broker;

import dev.conveyor.job.Job;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Where jobs wait and are leased. The whole seam between Conveyor and a storage technology: the worker
 * runtime talks to nothing else. Every call is batch-first so a broker can amortise round trips; every call
 * that changes a leased job carries its {@link Lease} and is refused ({@link Outcome#STALE}) when that lease
 * is no longer current.
 *
 * <p>Common rules for all methods:
 * <ul>
 *   <li>Calls are thread-safe; a broker is shared by every processor of a worker and by producers.</li>
 *   <li>Batch calls answer with one element per input element, in the same order.</li>
 *   <li>"Now" is the broker's {@link BrokerContext#clock()}, never the wall clock directly.</li>
 *   <li>Failures to reach storage throw {@link BrokerException}; for batch calls that throw, the caller must
 *       assume any subset was applied and may repeat the call (all calls are safe to repeat).</li>
 *   <li>A call blocks only for its own I/O, except {@link #awaitWork}, which blocks up to its bound.</li>
 * </ul>
 *
 * <p>Brokers that hold their own state (memory, SQL, Redis) also implement {@link JobStore}.
 */
public interface Broker extends AutoCloseable {

    /** The optional abilities this broker has. Constant for the broker's lifetime. */
    Set<Capability> capabilities();

    /**
     * Stores new jobs, atomically per job with its unique-key check.
     * <ul>
     *   <li>A job whose {@code runAt} is after now is {@code SCHEDULED}, else {@code READY}.</li>
     *   <li>If a job with the same id exists, nothing changes and the answer is that id, {@code duplicate}.
     *       So repeating an enqueue after an error is safe.</li>
     *   <li>If the job has a {@code uniqueKey} and the same queue holds a job with that key that is unfinished,
     *       or finished less than its {@code uniqueFor} ago, nothing is stored and the answer is the existing
     *       job's id, {@code duplicate}. Two concurrent enqueues of one key create exactly one job.</li>
     *   <li>Jobs of one batch are checked in order, so a batch may contain the duplicate of an earlier item.</li>
     * </ul>
     * Idempotent by job id. Never blocks beyond its I/O.
     */
    List<EnqueueResult> enqueue(List<Job> jobs);

    /**
     * Leases up to {@code max} jobs from the given queues and returns them at once; empty means none is ready
     * right now (it never waits for work: see {@link #awaitWork}).
     * <ul>
     *   <li>A job is eligible when it is ready ({@code READY}, or {@code SCHEDULED} with {@code runAt} ≤ now),
     *       or {@code RUNNING} with an expired lease (its worker was lost).</li>
     *   <li>Order: higher priority first (if {@link Capability#PRIORITIES}), then earlier {@code runAt},
     *       then lower id; the returned list is in that order. The queues form one pool; their order in the
     *       list does not matter.</li>
     *   <li>A lease expires at its deadline: at now = {@code leaseUntil} it is no longer current.</li>
     *   <li>Each returned job is {@code RUNNING} with {@code deliveries + 1}, a new fencing token, and a lease
     *       until now + {@code leaseFor}.</li>
     *   <li>A job reclaimed from an expired lease whose lost leases ({@code deliveries - attempt}) have reached
     *       {@code maxDeliveries} is not returned: it is moved to {@code DEAD} with a reason saying it was
     *       quarantined (by the worker that leases it next) after its worker was lost that many times.</li>
     * </ul>
     * Not idempotent (each call takes new leases). Never returns a job to two callers with overlapping leases.
     */
    List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor);

    /**
     * Records successful runs: the job becomes {@code SUCCEEDED} with its result stored (if
     * {@link Capability#RESULTS}). Answers {@link Outcome#STALE} for a lease that is not current or expired.
     * Repeating an applied ack answers {@code STALE} (the lease is gone) and changes nothing.
     */
    List<Outcome> ack(List<Completion> completions);

    /**
     * Schedules failed runs again: the job becomes {@code SCHEDULED} (or {@code READY} if due) at
     * {@link Failure#runAt()}, the error is appended to its history (nothing for a
     * {@link Failure#postpone postponement}), and {@code attempt} grows by one when {@link Failure#countsAttempt()}. Stale leases are refused as in {@link #ack}.
     */
    List<Outcome> retry(List<Failure> failures);

    /**
     * Dead-letters jobs: they become {@code DEAD} with the error appended (its message is the dead reason),
     * {@code attempt} growing by one when {@link Failure#countsAttempt()}. Stale leases are refused.
     */
    List<Outcome> bury(List<Failure> failures);

    /**
     * Extends current leases to now + {@code leaseFor} (the worker's heartbeat). A lease that is not current
     * or already expired gets {@link Outcome#STALE}: the worker has lost the job and its later ack will be
     * refused. Idempotent.
     */
    List<Outcome> extend(List<Lease> leases, Duration leaseFor);

    /**
     * Hands leased jobs back unrun (graceful shutdown): they become {@code READY} at once, the delivery is not
     * counted ({@code deliveries - 1}) and no attempt is used. Stale leases are refused.
     */
    List<Outcome> release(List<Lease> leases);

    /**
     * Records that the handlers of these leased jobs are starting now, so that a worker lost while they run is
     * told apart from one lost before it started them. Workers call it only for redelivered jobs (a lost lease
     * already counted), just before their handlers start, so it costs nothing on the common path.
     *
     * <p>Crash-loop detection counts lost leases ({@code deliveries - attempt}, quarantine at
     * {@code maxDeliveries}). A job's first lost lease counts unproven; every later one counts only if this
     * mark was set during that lease: otherwise the reclaim gives the delivery back ({@code deliveries - 1})
     * as a release would. So an innocent job leased in a batch by workers that die before starting it (a kill
     * storm, a starved machine) is never quarantined, while a handler that kills its JVM is, after
     * {@code maxDeliveries} deaths. Brokers with {@link Capability#START_MARKS} implement it; the default does
     * nothing (such a broker counts every lost lease). Stale leases get {@link Outcome#STALE}.
     */
    default List<Outcome> markStarted(List<Lease> leases) {
        return java.util.Collections.nCopies(leases.size(), Outcome.OK);
    }

    /**
     * Stores running jobs' progress (the latest report per job wins), for {@link JobStore#get}. Stale leases are
     * refused as in {@link #ack}. Brokers with {@link Capability#PROGRESS} implement it; the default refuses.
     */
    default List<Outcome> reportProgress(List<ProgressUpdate> updates) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not store progress (capability PROGRESS)");
    }

    /**
     * Blocks until work may be ready in one of {@code queues}, {@code maxWait} (real time) has passed, or the
     * thread is interrupted (then returns with the interrupt flag set). Returning early is allowed, and so is
     * returning with nothing ready: the caller simply fetches. Must not sleep through work that became ready
     * after the calling thread's last {@code fetch} began (a worker calls this right after a fetch that found
     * fewer jobs than it asked for): look for ready work before blocking, or count wake-ups from the start of
     * that fetch. Should not throw (the worker treats an exception
     * as a failed wait and polls after its poll interval). Brokers with {@link Capability#PUSH_WAKEUP}
     * return within milliseconds of an enqueue; others may just sleep a poll interval.
     */
    void awaitWork(Collection<String> queues, Duration maxWait);

    /** Releases connections and threads. Jobs stay where they are. Idempotent. */
    @Override
    void close();
}
