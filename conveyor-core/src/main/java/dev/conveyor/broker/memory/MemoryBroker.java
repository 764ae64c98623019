package dev.conveyor.broker.memory;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.broker.RawEnvelopeSink;
import dev.conveyor.internal.Json;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code memory:} broker: every capability, held in this JVM, lost when it exits. For tests, demos and
 * the {@code testing} helpers; also the reference implementation of the SPI contracts (one lock, plain
 * collections, so its behaviour is easy to read). Not durable: never use it where jobs must survive a restart.
 */
public final class MemoryBroker implements Broker, JobStore, RawEnvelopeSink {
    private static final Set<Capability> CAPABILITIES = EnumSet.allOf(Capability.class);

    /** Ready order: higher priority, then earlier runAt, then lower id. */
    private static final Comparator<Entry> READY_ORDER = Comparator.<Entry>comparingInt(e -> -e.job.priority())
            .thenComparing(e -> e.job.runAt()).thenComparing(e -> e.job.id());
    private static final Comparator<Entry> DUE_ORDER = Comparator.<Entry, Instant>comparing(e -> e.job.runAt())
            .thenComparing(e -> e.job.id());
    private static final Comparator<Entry> LEASE_ORDER = Comparator.<Entry, Instant>comparing(e -> e.leaseUntil)
            .thenComparing(e -> e.job.id());

    private final Clock clock;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<String, Entry> byId = new TreeMap<>();
    private final Map<String, TreeSet<Entry>> ready = new HashMap<>();
    private final TreeSet<Entry> scheduled = new TreeSet<>(DUE_ORDER);
    private final TreeSet<Entry> running = new TreeSet<>(LEASE_ORDER);
    private final Map<String, Entry> uniqueKeys = new HashMap<>();
    private long nextToken = 1;

    private static final class Entry {
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
    }

    public MemoryBroker(BrokerContext context) {
        this(context, () -> {});
    }

    MemoryBroker(BrokerContext context, Runnable onClose) {
        this.clock = context.clock();
        this.onClose = onClose;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    // ---- enqueue ------------------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> enqueue(List<Job> jobs) {
        List<EnqueueResult> out = new ArrayList<>(jobs.size());
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Job job : jobs) out.add(enqueueOne(job, now));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return out;
    }

    private EnqueueResult enqueueOne(Job job, Instant now) {
        if (byId.containsKey(job.id())) return new EnqueueResult(job.id(), true);
        if (job.uniqueKey() != null) {
            Entry holder = uniqueKeys.get(uniqueIndexKey(job.queue(), job.uniqueKey()));
            if (holder != null && holdsKey(holder, now)) return new EnqueueResult(holder.job.id(), true);
        }
        Entry e = new Entry();
        e.job = job;
        e.updatedAt = now;
        byId.put(job.id(), e);
        if (job.uniqueKey() != null) uniqueKeys.put(uniqueIndexKey(job.queue(), job.uniqueKey()), e);
        makeWaiting(e, now);
        return new EnqueueResult(job.id(), false);
    }

    private boolean holdsKey(Entry holder, Instant now) {
        if (byId.get(holder.job.id()) != holder) return false;
        if (!holder.state.isFinished()) return true;
        Duration keep = holder.job.uniqueFor();
        return keep != null && holder.finishedAt != null && holder.finishedAt.plus(keep).isAfter(now);
    }

    private static String uniqueIndexKey(String queue, String key) {
        return queue + '\u0000' + key;
    }

    @Override
    public String insertRawEnvelope(String queue, String envelope) {
        Job.requireQueueName(queue);
        Job job;
        try {
            job = JobCodec.decode(envelope);
        } catch (JobCodec.CorruptJobException e) {
            lock.lock();
            try {
                Instant now = clock.instant();
                Entry c = new Entry();
                c.job = placeholder(queue, envelope, now);
                c.corruptEnvelope = envelope;
                c.corruptReason = "corrupt record: " + e.getMessage();
                c.updatedAt = now;
                byId.put(c.job.id(), c);
                makeWaiting(c, now);
                changed.signalAll();
                return c.job.id();
            } finally {
                lock.unlock();
            }
        }
        return enqueue(List.of(job)).get(0).id();
    }

    /** Stands in for an undecodable record so it can be listed and inspected: args hold the raw text. */
    private Job placeholder(String queue, String envelope, Instant now) {
        String rawAsJson = Json.mapper().getNodeFactory().textNode(envelope == null ? "" : envelope).toString();
        return new Job(JobIds.next(clock), "(corrupt record)", queue, rawAsJson, Map.of(), Job.DEFAULT_PRIORITY, 0, 0,
                1, 1, now, now, null, null, null, null, null, null);
    }

    // ---- fetch --------------------------------------------------------------------------------------------

    @Override
    public List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        lock.lock();
        try {
            Instant now = clock.instant();
            promoteDue(now);
            reclaimExpired(now);
            List<LeasedJob> out = new ArrayList<>(Math.min(max, 256));
            List<TreeSet<Entry>> pools = new ArrayList<>();
            for (String q : queues) {
                TreeSet<Entry> s = ready.get(q);
                if (s != null && !s.isEmpty()) pools.add(s);
            }
            while (out.size() < max) {
                TreeSet<Entry> best = null;
                for (TreeSet<Entry> s : pools) {
                    if (!s.isEmpty() && (best == null || READY_ORDER.compare(s.first(), best.first()) < 0)) best = s;
                }
                if (best == null) break;
                Entry e = best.pollFirst();
                if (e.corruptEnvelope != null) {
                    toDead(e, AttemptError.reason(0, now, "corrupt-record", e.corruptReason), false, now);
                    continue;
                }
                e.job = e.job.withDeliveries(e.job.deliveries() + 1);
                e.state = JobState.RUNNING;
                e.token = nextToken++;
                e.leaseUntil = now.plus(leaseFor);
                e.updatedAt = now;
                running.add(e);
                out.add(new LeasedJob(e.job, new Lease(e.job.id(), e.token), e.leaseUntil));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void promoteDue(Instant now) {
        while (!scheduled.isEmpty() && !scheduled.first().job.runAt().isAfter(now)) {
            Entry e = scheduled.pollFirst();
            e.state = JobState.READY;
            readySet(e.job.queue()).add(e);
        }
    }

    private void reclaimExpired(Instant now) {
        while (!running.isEmpty() && !running.first().leaseUntil.isAfter(now)) {
            Entry e = running.pollFirst();
            e.leaseUntil = null;
            int lost = e.job.deliveries() - e.job.attempt();
            if (lost >= e.job.maxDeliveries()) {
                toDead(e, AttemptError.reason(e.job.attempt(), now, "quarantined",
                        "quarantined: its worker was lost " + lost + " time" + (lost == 1 ? "" : "s")
                                + " while running it (maxDeliveries=" + e.job.maxDeliveries() + ")"), false, now);
            } else {
                e.state = JobState.READY;
                e.updatedAt = now;
                readySet(e.job.queue()).add(e);
            }
        }
    }

    private TreeSet<Entry> readySet(String queue) {
        return ready.computeIfAbsent(queue, q -> new TreeSet<>(READY_ORDER));
    }

    /** Files an entry under READY or SCHEDULED by its runAt. The entry must be in no index. */
    private void makeWaiting(Entry e, Instant now) {
        e.leaseUntil = null;
        if (e.job.runAt().isAfter(now)) {
            e.state = JobState.SCHEDULED;
            scheduled.add(e);
        } else {
            e.state = JobState.READY;
            readySet(e.job.queue()).add(e);
        }
    }

    // ---- settle -------------------------------------------------------------------------------------------

    /** The entry if the lease is its current, unexpired lease; else null. Caller holds the lock. */
    private Entry current(Lease lease, Instant now) {
        Entry e = byId.get(lease.jobId());
        if (e == null || e.state != JobState.RUNNING || e.token != lease.token() || !e.leaseUntil.isAfter(now)) {
            return null;
        }
        return e;
    }

    @Override
    public List<Outcome> ack(List<Completion> completions) {
        return settle(completions, Completion::lease, (e, c, now) -> {
            running.remove(e);
            e.result = c.result();
            finish(e, JobState.SUCCEEDED, now);
        });
    }

    @Override
    public List<Outcome> retry(List<Failure> failures) {
        return settle(failures, Failure::lease, (e, f, now) -> {
            if (f.runAt() == null) throw new IllegalArgumentException("retry of job " + e.job.id() + " has no runAt");
            running.remove(e);
            e.errors.add(f.error());
            e.job = e.job.withAttempt(e.job.attempt() + (f.countsAttempt() ? 1 : 0)).withRunAt(f.runAt());
            e.updatedAt = now;
            makeWaiting(e, now);
        });
    }

    @Override
    public List<Outcome> bury(List<Failure> failures) {
        return settle(failures, Failure::lease, (e, f, now) -> {
            running.remove(e);
            toDead(e, f.error(), f.countsAttempt(), now);
        });
    }

    @Override
    public List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        return settle(leases, l -> l, (e, l, now) -> {
            running.remove(e);
            e.leaseUntil = now.plus(leaseFor);
            running.add(e);
        });
    }

    @Override
    public List<Outcome> release(List<Lease> leases) {
        return settle(leases, l -> l, (e, l, now) -> {
            running.remove(e);
            e.job = e.job.withDeliveries(Math.max(0, e.job.deliveries() - 1));
            e.updatedAt = now;
            e.leaseUntil = null;
            e.state = JobState.READY;
            readySet(e.job.queue()).add(e);
        });
    }

    private interface Change<T> {
        void apply(Entry e, T item, Instant now);
    }

    private <T> List<Outcome> settle(List<T> items, java.util.function.Function<T, Lease> leaseOf, Change<T> change) {
        List<Outcome> out = new ArrayList<>(items.size());
        lock.lock();
        try {
            Instant now = clock.instant();
            for (T item : items) {
                Entry e = current(leaseOf.apply(item), now);
                if (e == null) {
                    out.add(Outcome.STALE);
                } else {
                    change.apply(e, item, now);
                    out.add(Outcome.OK);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return out;
    }

    private void toDead(Entry e, AttemptError error, boolean countsAttempt, Instant now) {
        e.errors.add(error);
        if (countsAttempt) e.job = e.job.withAttempt(e.job.attempt() + 1);
        e.deadReason = error.message();
        finish(e, JobState.DEAD, now);
    }

    private void finish(Entry e, JobState state, Instant now) {
        e.state = state;
        e.leaseUntil = null;
        e.updatedAt = now;
        e.finishedAt = now;
        if (e.job.uniqueKey() != null && (e.job.uniqueFor() == null || e.job.uniqueFor().isZero())) {
            uniqueKeys.remove(uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
        }
    }

    // ---- wake-up ------------------------------------------------------------------------------------------

    @Override
    public void awaitWork(Collection<String> queues, Duration maxWait) {
        lock.lock();
        try {
            Instant now = clock.instant();
            if (hasWork(queues, now)) return;
            long waitNanos = maxWait.toNanos();
            // Wake when the earliest delayed job or lease falls due (by the broker's clock).
            Instant next = null;
            if (!scheduled.isEmpty()) next = scheduled.first().job.runAt();
            if (!running.isEmpty() && (next == null || running.first().leaseUntil.isBefore(next))) {
                next = running.first().leaseUntil;
            }
            if (next != null) waitNanos = Math.max(0, Math.min(waitNanos, Duration.between(now, next).toNanos()));
            if (waitNanos > 0) changed.awaitNanos(waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean hasWork(Collection<String> queues, Instant now) {
        for (String q : queues) {
            TreeSet<Entry> s = ready.get(q);
            if (s != null && !s.isEmpty()) return true;
        }
        if (!scheduled.isEmpty() && !scheduled.first().job.runAt().isAfter(now)) return true;
        return !running.isEmpty() && !running.first().leaseUntil.isAfter(now);
    }

    // ---- inspection ---------------------------------------------------------------------------------------

    @Override
    public Optional<JobInfo> get(String id) {
        lock.lock();
        try {
            Entry e = byId.get(id);
            return e == null ? Optional.empty() : Optional.of(info(e, clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<JobInfo> awaitFinished(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Entry e = byId.get(id);
                if (e == null) return Optional.empty();
                long left = deadline - System.nanoTime();
                if (e.state.isFinished() || left <= 0) return Optional.of(info(e, clock.instant()));
                changed.awaitNanos(left);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return get(id);
        } finally {
            lock.unlock();
        }
    }

    private JobInfo info(Entry e, Instant now) {
        return new JobInfo(e.job, visibleState(e, now), e.errors, e.result, e.updatedAt, e.finishedAt,
                e.state == JobState.RUNNING ? e.leaseUntil : null, e.deadReason);
    }

    private static JobState visibleState(Entry e, Instant now) {
        return e.state == JobState.SCHEDULED && !e.job.runAt().isAfter(now) ? JobState.READY : e.state;
    }

    @Override
    public List<QueueStats> queues() {
        lock.lock();
        try {
            Instant now = clock.instant();
            Map<String, Map<JobState, Long>> counts = new TreeMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            for (Entry e : byId.values()) {
                JobState s = visibleState(e, now);
                counts.computeIfAbsent(e.job.queue(), q -> new java.util.EnumMap<>(JobState.class)).merge(s, 1L, Long::sum);
                if (s == JobState.READY) oldest.merge(e.job.queue(), e.job.runAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
            List<QueueStats> out = new ArrayList<>();
            counts.forEach((q, c) -> out.add(new QueueStats(q, c, oldest.get(q))));
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Page<JobInfo> list(JobQuery query) {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<JobInfo> items = new ArrayList<>(query.limit());
            var tail = query.afterId() == null ? byId : byId.tailMap(query.afterId(), false);
            String last = null;
            for (Entry e : tail.values()) {
                if (query.queue() != null && !query.queue().equals(e.job.queue())) continue;
                if (query.task() != null && !query.task().equals(e.job.task())) continue;
                if (query.state() != null && query.state() != visibleState(e, now)) continue;
                if (items.size() == query.limit()) return new Page<>(items, last);
                items.add(info(e, now));
                last = e.job.id();
            }
            return new Page<>(items, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int redrive(List<String> ids) {
        lock.lock();
        try {
            Instant now = clock.instant();
            int n = 0;
            for (String id : ids) {
                Entry e = byId.get(id);
                if (e == null || (e.state != JobState.DEAD && e.state != JobState.CANCELLED) || e.corruptEnvelope != null) {
                    continue;
                }
                e.job = e.job.withAttempt(0).withDeliveries(0).withRunAt(now);
                e.result = null;
                e.finishedAt = null;
                e.deadReason = null;
                e.updatedAt = now;
                if (e.job.uniqueKey() != null) uniqueKeys.putIfAbsent(uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
                makeWaiting(e, now);
                n++;
            }
            if (n > 0) changed.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int delete(List<String> ids) {
        lock.lock();
        try {
            int n = 0;
            for (String id : ids) {
                Entry e = byId.get(id);
                if (e == null || e.state == JobState.RUNNING) continue;
                remove(e);
                n++;
            }
            if (n > 0) changed.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long purge(JobState state, String queue) {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException("purge takes a finished state (SUCCEEDED, DEAD or CANCELLED), was " + state);
        }
        lock.lock();
        try {
            List<Entry> doomed = byId.values().stream()
                    .filter(e -> e.state == state && (queue == null || queue.equals(e.job.queue()))).toList();
            doomed.forEach(this::remove);
            if (!doomed.isEmpty()) changed.signalAll();
            return doomed.size();
        } finally {
            lock.unlock();
        }
    }

    private void remove(Entry e) {
        byId.remove(e.job.id());
        scheduled.remove(e);
        TreeSet<Entry> r = ready.get(e.job.queue());
        if (r != null) r.remove(e);
        if (e.job.uniqueKey() != null) uniqueKeys.remove(uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
    }

    @Override
    public void close() {
        onClose.run();
    }

    @Override
    public String toString() {
        return "MemoryBroker";
    }
}
