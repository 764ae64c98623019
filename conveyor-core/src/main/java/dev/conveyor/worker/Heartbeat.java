package dev.conveyor.worker;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends the lease of every job the worker holds, every {@code interval}, in batched {@code extend} calls,
 * so a long job is never redelivered while its worker lives. A refused extension means the broker has
 * given the job to someone else (the worker was paused or cut off past its lease): the job is flagged and
 * its completion will be refused by fencing.
 */
final class Heartbeat {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
    private static final int BATCH = 1000;

    private final Broker broker;
    private final Duration leaseFor;
    private final Supplier<Collection<RunningJob>> inFlight;
    private final AtomicLong beats = new AtomicLong();
    private volatile long lastSuccessNanos = System.nanoTime(); // a new worker counts as just heard from

    Heartbeat(Broker broker, Duration leaseFor, Supplier<Collection<RunningJob>> inFlight) {
        this.broker = broker;
        this.leaseFor = leaseFor;
        this.inFlight = inFlight;
    }

    /** One round: extend every held lease. Never throws; a failed round is logged and the next one retries. */
    void beat() {
        List<RunningJob> jobs = new ArrayList<>(inFlight.get());
        try {
            for (int from = 0; from < jobs.size(); from += BATCH) {
                List<RunningJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + BATCH));
                List<Lease> leases = chunk.stream().map(r -> r.leased().lease()).toList();
                List<Outcome> outcomes = broker.extend(leases, leaseFor);
                for (int i = 0; i < chunk.size() && i < outcomes.size(); i++) {
                    RunningJob r = chunk.get(i);
                    // Only a handler still running has lost anything: a run that has returned may have been
                    // acked between the snapshot and this call, and the completer learns its true outcome.
                    if (outcomes.get(i) == Outcome.CANCEL_REQUESTED && r.requestCancel()) {
                        log.info("job {} ({}) was cancelled; interrupting it", r.jobId(), r.leased().job().task());
                    }
                    if (outcomes.get(i) == Outcome.STALE && !r.isLeaseLost() && r.thread() != null) {
                        r.markLeaseLost();
                        log.warn("job {} ({}): the broker refused to extend its lease (it expired or passed to another "
                                + "worker); this run's outcome will be refused", r.jobId(), r.leased().job().task());
                    }
                }
            }
            lastSuccessNanos = System.nanoTime();
        } catch (RuntimeException e) {
            log.warn("heartbeat for {} job(s) failed: {}; retrying next round", jobs.size(), e.toString());
        } finally {
            beats.incrementAndGet();
        }
    }

    /** Time since the last round in which every extend call succeeded (or since start, before the first). */
    java.time.Duration sinceLastSuccess() {
        return java.time.Duration.ofNanos(System.nanoTime() - lastSuccessNanos);
    }

    /** Rounds completed so far (tests wait on it instead of sleeping). */
    long beats() {
        return beats.get();
    }
}
