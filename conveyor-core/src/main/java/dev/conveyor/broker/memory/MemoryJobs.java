package dev.conveyor.broker.memory;

import dev.conveyor.internal.Json;
import dev.conveyor.job.JobIds;
import dev.conveyor.broker.Lease;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The memory broker's data: every job by id, and the indexes a fetch walks (ready per queue in fetch order,
 * scheduled by due time, running by lease deadline, unique keys). Not thread-safe: {@link MemoryBroker} calls
 * it under its lock. Each method keeps the indexes consistent; an entry's sort keys never change while it is
 * in an index.
 */
final class MemoryJobs {
    /** Ready order: higher priority, then earlier runAt, then lower id. */
    static final Comparator<Entry> READY_ORDER = Comparator.<Entry>comparingInt(e -> -e.job.priority())
            .thenComparing(e -> e.job.runAt()).thenComparing(e -> e.job.id());

    static final Comparator<Entry> DUE_ORDER = Comparator.<Entry, Instant>comparing(e -> e.job.runAt())
            .thenComparing(e -> e.job.id());

    static final Comparator<Entry> LEASE_ORDER = Comparator.<Entry, Instant>comparing(e -> e.leaseUntil)
            .thenComparing(e -> e.job.id());

    final TreeMap<String, Entry> byId = new TreeMap<>();

    final Map<String, TreeSet<Entry>> ready = new HashMap<>();

    final TreeSet<Entry> scheduled = new TreeSet<>(DUE_ORDER);

    final TreeSet<Entry> running = new TreeSet<>(LEASE_ORDER);

    final Map<String, Entry> uniqueKeys = new HashMap<>();

    /** Per queue and fairness key, the entry placed last ({@link dev.conveyor.broker.FairOrder}); dropped when it leaves ready. */
    final Map<String, Entry> lastPlaced = new HashMap<>();

    static final class Entry {
        Job job;
        JobState state;
        final List<AttemptError> errors = new ArrayList<>();
        String result;
        Instant updatedAt;
        Instant finishedAt;
        Instant leaseUntil;
        long token;
        String deadReason;
        /** The envelope text of a record that could not be decoded; such an entry is buried when fetched. */
        String corruptEnvelope;
        String corruptReason;
        /** Set when a cancel was asked for while it ran. */
        boolean cancelRequested;
        dev.conveyor.job.Progress progress;
        /** The delivery during which a worker marked its handler started ({@link dev.conveyor.broker.Broker#markStarted}); 0 if none. */
        int startedDelivery;
    }

    boolean holdsKey(Entry holder, Instant now) {
        if (byId.get(holder.job.id()) != holder) return false;
        if (!holder.state.isFinished()) return true;
        Duration keep = holder.job.uniqueFor();
        return keep != null && holder.finishedAt != null && holder.finishedAt.plus(keep).isAfter(now);
    }

    static String uniqueIndexKey(String queue, String key) {
        return queue + '\u0000' + key;
    }

    void promoteDue(Instant now) {
        while (!scheduled.isEmpty() && !scheduled.first().job.runAt().isAfter(now)) {
            Entry e = scheduled.pollFirst();
            e.state = JobState.READY;
            readySet(e.job.queue()).add(e);
        }
    }

    void reclaimExpired(Instant now) {
        while (!running.isEmpty() && !running.first().leaseUntil.isAfter(now)) {
            Entry e = running.pollFirst();
            e.leaseUntil = null;
            int lost = e.job.deliveries() - e.job.attempt();
            // After the first, a lost lease counts only if its handler had started (see Broker#markStarted).
            boolean unproven = lost >= 2 && e.startedDelivery != e.job.deliveries();
            e.startedDelivery = 0;
            if (e.cancelRequested) {
                // Its worker is gone and it was cancelled: it ends here rather than running again.
                cancel(e, now);
            } else {
                // Even one lost maxDeliveries times goes back to ready: the worker that leases it next buries it
                // unrun (quarantine is the worker's call, so its workflow and listeners hear of it).
                if (unproven) e.job = e.job.withDeliveries(e.job.deliveries() - 1); // given back, as a release
                e.state = JobState.READY;
                e.updatedAt = now;
                e.progress = null; // progress belongs to the lost run
                readySet(e.job.queue()).add(e);
            }
        }
    }

    /** The fair-order lookups over the ready sets: the head of a queue and priority, a key's last place. */
    dev.conveyor.broker.FairOrder.Lookup<RuntimeException> fairLookup() {
        return new dev.conveyor.broker.FairOrder.Lookup<>() {
            @Override
            public Long head(String queue, int priority) {
                TreeSet<Entry> s = ready.get(queue);
                if (s == null) return null;
                Entry first = s.ceiling(probe(queue, priority));
                return first == null || first.job.priority() != priority ? null : first.job.runAt().toEpochMilli();
            }

            @Override
            public Long last(String queue, String key) {
                Entry e = lastPlaced.get(fairIndexKey(queue, key));
                return e == null || e.state != JobState.READY || byId.get(e.job.id()) != e
                        ? null : e.job.runAt().toEpochMilli();
            }
        };
    }

    /** Sorts before every ready entry of this priority and after every higher one. */
    Entry probe(String queue, int priority) {
        Entry probe = new Entry();
        probe.job = new Job("0", "probe", queue, "{}", Map.of(), priority, 0, 0, 1, 1, Instant.MIN, Instant.MIN,
                null, null, null, null, null, null);
        return probe;
    }

    static String fairIndexKey(String queue, String key) {
        return queue + '\u0000' + key;
    }

    /** Forgets a key's last place once that job leaves ready, so the map holds only keys with waiting jobs. */
    void leftReady(Entry e) {
        String key = e.job.fairKey();
        if (key != null) lastPlaced.remove(fairIndexKey(e.job.queue(), key), e);
    }

    TreeSet<Entry> readySet(String queue) {
        return ready.computeIfAbsent(queue, q -> new TreeSet<>(READY_ORDER));
    }

    /** Files an entry under READY or SCHEDULED by its runAt. The entry must be in no index. */
    void makeWaiting(Entry e, Instant now) {
        e.leaseUntil = null;
        if (e.job.runAt().isAfter(now)) {
            e.state = JobState.SCHEDULED;
            scheduled.add(e);
        } else {
            e.state = JobState.READY;
            readySet(e.job.queue()).add(e);
        }
    }

    /** The entry if the lease is its current, unexpired lease; else null. Caller holds the lock. */
    Entry current(Lease lease, Instant now) {
        Entry e = byId.get(lease.jobId());
        if (e == null || e.state != JobState.RUNNING || e.token != lease.token() || !e.leaseUntil.isAfter(now)) {
            return null;
        }
        return e;
    }

    void toDead(Entry e, AttemptError error, boolean countsAttempt, Instant now) {
        e.errors.add(error);
        if (countsAttempt) e.job = e.job.withAttempt(e.job.attempt() + 1);
        e.deadReason = error.message();
        finish(e, JobState.DEAD, now);
    }

    /** Ends a job as cancelled. The entry must be in no ready, scheduled or running index. */
    void cancel(Entry e, Instant now) {
        e.deadReason = "cancelled";
        finish(e, JobState.CANCELLED, now);
    }

    void finish(Entry e, JobState state, Instant now) {
        e.state = state;
        e.leaseUntil = null;
        e.updatedAt = now;
        e.finishedAt = now;
        if (e.job.uniqueKey() != null && (e.job.uniqueFor() == null || e.job.uniqueFor().isZero())) {
            uniqueKeys.remove(uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
        }
    }

    boolean hasWork(Collection<String> queues, Instant now) {
        for (String q : queues) {
            TreeSet<Entry> s = ready.get(q);
            if (s != null && !s.isEmpty()) return true;
        }
        if (!scheduled.isEmpty() && !scheduled.first().job.runAt().isAfter(now)) return true;
        return !running.isEmpty() && !running.first().leaseUntil.isAfter(now);
    }

    JobInfo info(Entry e, Instant now) {
        return new JobInfo(e.job, visibleState(e, now), e.errors, e.result, e.updatedAt, e.finishedAt,
                e.state == JobState.RUNNING ? e.leaseUntil : null, e.deadReason, e.progress, e.cancelRequested);
    }

    static JobState visibleState(Entry e, Instant now) {
        return e.state == JobState.SCHEDULED && !e.job.runAt().isAfter(now) ? JobState.READY : e.state;
    }

    void remove(Entry e) {
        byId.remove(e.job.id());
        scheduled.remove(e);
        TreeSet<Entry> r = ready.get(e.job.queue());
        if (r != null) r.remove(e);
        leftReady(e);
        if (e.job.uniqueKey() != null) uniqueKeys.remove(uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
    }

    /** Finished jobs a retention round may delete: oldest id first, unique-key holds respected. */
    List<Entry> prunable(JobState state, String queue, Instant finishedBefore, int limit, Instant now) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byId.values()) {
            if (out.size() == limit) break;
            if (e.state != state || e.finishedAt == null) continue;
            if (queue != null && !queue.equals(e.job.queue())) continue;
            Duration ownKeep = state == JobState.SUCCEEDED ? e.job.keepResultFor() : null;
            if (ownKeep != null) {
                // its own keep time, whatever the cutoff (and a count limit, which passes none) says
                if (e.finishedAt.plus(ownKeep).isAfter(now)) continue;
            } else if (finishedBefore != null && !e.finishedAt.isBefore(finishedBefore)) continue;
            if (e.job.uniqueFor() != null && e.finishedAt.plus(e.job.uniqueFor()).isAfter(now)) continue;
            out.add(e);
        }
        return out;
    }

    /** Stands in for an undecodable record so it can be listed and inspected: args hold the raw text. */
    static Job placeholder(String queue, String envelope, Instant now, java.time.Clock clock) {
        String rawAsJson = Json.mapper().getNodeFactory().textNode(envelope == null ? "" : envelope).toString();
        return new Job(JobIds.next(clock), "(corrupt record)", queue, rawAsJson, Map.of(), Job.DEFAULT_PRIORITY, 0, 0,
                1, 1, now, now, null, null, null, null, null, null);
    }
}
