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
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
public final class MemoryBroker implements Broker, JobStore, RawEnvelopeSink, StateStore {
    private static final Set<Capability> CAPABILITIES = EnumSet.allOf(Capability.class);


    private final Clock clock;
    private final Runnable onClose;
    private final MemoryJobs jobs;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Changes so far (enqueues, finishes, hand-backs): the mark of {@link #finishedNews}. Guarded by lock. */
    private long changes;
    private long nextToken = 1;
    private final TreeMap<String, String> state = new TreeMap<>();


    public MemoryBroker(BrokerContext context) {
        this(context, () -> {});
    }

    MemoryBroker(BrokerContext context, Runnable onClose) {
        this.clock = context.clock();
        this.jobs = new MemoryJobs();
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
            Long[] places = dev.conveyor.broker.FairOrder.places(jobs, now.toEpochMilli(), this.jobs.fairLookup());
            for (int i = 0; i < jobs.size(); i++) out.add(enqueueOne(jobs.get(i), places[i], now));
            signalChange();
        } finally {
            lock.unlock();
        }
        return out;
    }

    private EnqueueResult enqueueOne(Job job, Long place, Instant now) {
        if (jobs.byId.containsKey(job.id())) return new EnqueueResult(job.id(), true);
        if (job.uniqueKey() != null) {
            MemoryJobs.Entry holder = jobs.uniqueKeys.get(jobs.uniqueIndexKey(job.queue(), job.uniqueKey()));
            if (holder != null && jobs.holdsKey(holder, now)) return new EnqueueResult(holder.job.id(), true);
        }
        MemoryJobs.Entry e = new MemoryJobs.Entry();
        e.job = job;
        e.updatedAt = now;
        jobs.byId.put(job.id(), e);
        if (job.uniqueKey() != null) jobs.uniqueKeys.put(jobs.uniqueIndexKey(job.queue(), job.uniqueKey()), e);
        if (place != null) {
            // Ready now, waiting at its fair place (which may lie ahead of the clock).
            e.job = job.withRunAt(Instant.ofEpochMilli(place));
            e.state = JobState.READY;
            jobs.readySet(job.queue()).add(e);
            jobs.lastPlaced.put(MemoryJobs.fairIndexKey(job.queue(), job.fairKey()), e);
        } else {
            jobs.makeWaiting(e, now);
        }
        return new EnqueueResult(job.id(), false);
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
                MemoryJobs.Entry c = new MemoryJobs.Entry();
                c.job = MemoryJobs.placeholder(queue, envelope, now, clock);
                c.corruptEnvelope = envelope;
                c.corruptReason = "corrupt record: " + e.getMessage();
                c.updatedAt = now;
                jobs.byId.put(c.job.id(), c);
                jobs.makeWaiting(c, now);
                signalChange();
                return c.job.id();
            } finally {
                lock.unlock();
            }
        }
        return enqueue(List.of(job)).get(0).id();
    }

    // ---- fetch --------------------------------------------------------------------------------------------

    @Override
    public List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        lock.lock();
        try {
            Instant now = clock.instant();
            jobs.promoteDue(now);
            jobs.reclaimExpired(now);
            List<LeasedJob> out = new ArrayList<>(Math.min(max, 256));
            List<TreeSet<MemoryJobs.Entry>> pools = new ArrayList<>();
            for (String q : queues) {
                TreeSet<MemoryJobs.Entry> s = jobs.ready.get(q);
                if (s != null && !s.isEmpty()) pools.add(s);
            }
            while (out.size() < max) {
                TreeSet<MemoryJobs.Entry> best = null;
                for (TreeSet<MemoryJobs.Entry> s : pools) {
                    if (!s.isEmpty() && (best == null || jobs.READY_ORDER.compare(s.first(), best.first()) < 0)) best = s;
                }
                if (best == null) break;
                MemoryJobs.Entry e = best.pollFirst();
                jobs.leftReady(e);
                if (e.corruptEnvelope != null) {
                    jobs.toDead(e, AttemptError.reason(0, now, "corrupt-record", e.corruptReason), false, now);
                    continue;
                }
                e.job = e.job.withDeliveries(e.job.deliveries() + 1);
                e.state = JobState.RUNNING;
                e.token = nextToken++;
                e.leaseUntil = now.plus(leaseFor);
                e.updatedAt = now;
                jobs.running.add(e);
                out.add(new LeasedJob(e.job, new Lease(e.job.id(), e.token), e.leaseUntil));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }





    // ---- settle -------------------------------------------------------------------------------------------


    @Override
    public List<Outcome> ack(List<Completion> completions) {
        return settle(completions, Completion::lease, (e, c, now) -> {
            jobs.running.remove(e);
            e.result = c.result();
            jobs.finish(e, JobState.SUCCEEDED, now);
        });
    }

    @Override
    public List<Outcome> retry(List<Failure> failures) {
        return settle(failures, Failure::lease, (e, f, now) -> {
            if (f.runAt() == null) throw new IllegalArgumentException("retry of job " + e.job.id() + " has no runAt");
            jobs.running.remove(e);
            if (f.error() != null) e.errors.add(f.error());
            e.job = e.job.withAttempt(e.job.attempt() + (f.countsAttempt() ? 1 : 0)).withRunAt(f.runAt());
            // A postponement gives its delivery back, as a release does: waiting on a limit is not a lost worker.
            if (f.isPostponement()) e.job = e.job.withDeliveries(Math.max(0, e.job.deliveries() - 1));
            e.progress = null; // progress belongs to the run that ended
            e.updatedAt = now;
            if (e.cancelRequested) jobs.cancel(e, now); // a cancelled job is not retried
            else jobs.makeWaiting(e, now);
        });
    }

    @Override
    public List<Outcome> bury(List<Failure> failures) {
        return settle(failures, Failure::lease, (e, f, now) -> {
            jobs.running.remove(e);
            if (e.cancelRequested) {
                e.errors.add(f.error());
                jobs.cancel(e, now);
            } else {
                jobs.toDead(e, f.error(), f.countsAttempt(), now);
            }
        });
    }

    @Override
    public List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        List<Outcome> out = settle(leases, l -> l, (e, l, now) -> {
            jobs.running.remove(e);
            e.leaseUntil = now.plus(leaseFor);
            jobs.running.add(e);
        });
        lock.lock();
        try {
            for (int i = 0; i < out.size(); i++) {
                MemoryJobs.Entry e = jobs.byId.get(leases.get(i).jobId());
                if (out.get(i) == Outcome.OK && e != null && e.cancelRequested) out.set(i, Outcome.CANCEL_REQUESTED);
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    @Override
    public List<Outcome> markStarted(List<Lease> leases) {
        return settle(leases, l -> l, (e, l, now) -> e.startedDelivery = e.job.deliveries());
    }

    @Override
    public List<Outcome> reportProgress(List<dev.conveyor.broker.ProgressUpdate> updates) {
        return settle(updates, dev.conveyor.broker.ProgressUpdate::lease, (e, u, now) -> e.progress = u.progress());
    }

    @Override
    public List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        List<dev.conveyor.broker.CancelResult> out = new ArrayList<>(ids.size());
        lock.lock();
        try {
            Instant now = clock.instant();
            for (String id : ids) {
                MemoryJobs.Entry e = jobs.byId.get(id);
                if (e == null) {
                    out.add(dev.conveyor.broker.CancelResult.NOT_FOUND);
                } else if (e.state.isFinished()) {
                    out.add(dev.conveyor.broker.CancelResult.FINISHED);
                } else if (e.state == JobState.RUNNING) {
                    e.cancelRequested = true;
                    e.updatedAt = now;
                    out.add(dev.conveyor.broker.CancelResult.REQUESTED);
                } else {
                    jobs.scheduled.remove(e);
                    TreeSet<MemoryJobs.Entry> r = jobs.ready.get(e.job.queue());
                    if (r != null) r.remove(e);
                    jobs.leftReady(e);
                    jobs.cancel(e, now);
                    out.add(dev.conveyor.broker.CancelResult.CANCELLED);
                }
            }
            signalChange();
        } finally {
            lock.unlock();
        }
        return out;
    }

    @Override
    public List<Outcome> release(List<Lease> leases) {
        return settle(leases, l -> l, (e, l, now) -> {
            jobs.running.remove(e);
            if (e.cancelRequested) { // handed back after a cancel: it ends here instead of running again
                jobs.cancel(e, now);
                return;
            }
            e.job = e.job.withDeliveries(Math.max(0, e.job.deliveries() - 1));
            e.startedDelivery = 0;
            e.progress = null;
            e.updatedAt = now;
            e.leaseUntil = null;
            e.state = JobState.READY;
            jobs.readySet(e.job.queue()).add(e);
        });
    }

    private interface Change<T> {
        void apply(MemoryJobs.Entry e, T item, Instant now);
    }

    private <T> List<Outcome> settle(List<T> items, java.util.function.Function<T, Lease> leaseOf, Change<T> change) {
        List<Outcome> out = new ArrayList<>(items.size());
        lock.lock();
        try {
            Instant now = clock.instant();
            for (T item : items) {
                MemoryJobs.Entry e = jobs.current(leaseOf.apply(item), now);
                if (e == null) {
                    out.add(Outcome.STALE);
                } else {
                    change.apply(e, item, now);
                    out.add(Outcome.OK);
                }
            }
            signalChange();
        } finally {
            lock.unlock();
        }
        return out;
    }



    // ---- wake-up ------------------------------------------------------------------------------------------

    @Override
    public void awaitWork(Collection<String> queues, Duration maxWait) {
        lock.lock();
        try {
            Instant now = clock.instant();
            if (jobs.hasWork(queues, now)) return;
            long waitNanos = maxWait.toNanos();
            // Wake when the earliest delayed job or lease falls due (by the broker's clock).
            Instant next = null;
            if (!jobs.scheduled.isEmpty()) next = jobs.scheduled.first().job.runAt();
            if (!jobs.running.isEmpty() && (next == null || jobs.running.first().leaseUntil.isBefore(next))) {
                next = jobs.running.first().leaseUntil;
            }
            if (next != null) waitNanos = Math.max(0, Math.min(waitNanos, Duration.between(now, next).toNanos()));
            if (waitNanos > 0) changed.awaitNanos(waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }


    // ---- inspection ---------------------------------------------------------------------------------------

    @Override
    public Optional<JobInfo> get(String id) {
        lock.lock();
        try {
            MemoryJobs.Entry e = jobs.byId.get(id);
            return e == null ? Optional.empty() : Optional.of(jobs.info(e, clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: wakes every waiter (fetchers, result and news waiters). */
    private void signalChange() {
        changes++;
        changed.signalAll();
    }

    @Override
    public long finishedNews() {
        lock.lock();
        try {
            return changes;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void awaitFinishedNews(long mark, Duration maxWait) {
        long nanos = maxWait.toNanos();
        lock.lock();
        try {
            while (changes == mark && nanos > 0) nanos = changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
                MemoryJobs.Entry e = jobs.byId.get(id);
                if (e == null) return Optional.empty();
                long left = deadline - System.nanoTime();
                if (e.state.isFinished() || left <= 0) return Optional.of(jobs.info(e, clock.instant()));
                changed.awaitNanos(left);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return get(id);
        } finally {
            lock.unlock();
        }
    }



    @Override
    public List<QueueStats> queues() {
        lock.lock();
        try {
            Instant now = clock.instant();
            Map<String, Map<JobState, Long>> counts = new TreeMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            for (MemoryJobs.Entry e : jobs.byId.values()) {
                JobState s = jobs.visibleState(e, now);
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
            var tail = query.afterId() == null ? jobs.byId : jobs.byId.tailMap(query.afterId(), false);
            String last = null;
            for (MemoryJobs.Entry e : tail.values()) {
                if (query.queue() != null && !query.queue().equals(e.job.queue())) continue;
                if (query.task() != null && !query.task().equals(e.job.task())) continue;
                if (query.state() != null && query.state() != jobs.visibleState(e, now)) continue;
                if (items.size() == query.limit()) return new Page<>(items, last);
                items.add(jobs.info(e, now));
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
                MemoryJobs.Entry e = jobs.byId.get(id);
                if (e == null || (e.state != JobState.DEAD && e.state != JobState.CANCELLED) || e.corruptEnvelope != null) {
                    continue;
                }
                e.job = e.job.withAttempt(0).withDeliveries(0).withRunAt(now);
                e.result = null;
                e.finishedAt = null;
                e.deadReason = null;
                e.cancelRequested = false;
                e.progress = null;
                e.updatedAt = now;
                if (e.job.uniqueKey() != null) jobs.uniqueKeys.putIfAbsent(jobs.uniqueIndexKey(e.job.queue(), e.job.uniqueKey()), e);
                jobs.makeWaiting(e, now);
                n++;
            }
            if (n > 0) signalChange();
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
                MemoryJobs.Entry e = jobs.byId.get(id);
                if (e == null || e.state == JobState.RUNNING) continue;
                jobs.remove(e);
                n++;
            }
            if (n > 0) signalChange();
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int agePriority(String queue, int priority, Instant readySince, int limit) {
        JobStore.checkAgePriority(queue, priority, readySince, limit);
        lock.lock();
        try {
            jobs.promoteDue(clock.instant());
            TreeSet<MemoryJobs.Entry> ready = jobs.ready.get(queue);
            if (ready == null) return 0;
            List<MemoryJobs.Entry> moving = new ArrayList<>();
            for (MemoryJobs.Entry e : ready.tailSet(jobs.probe(queue, priority), true)) {
                if (moving.size() == limit || e.job.priority() != priority || e.job.runAt().isAfter(readySince)) break;
                moving.add(e);
            }
            for (MemoryJobs.Entry e : moving) {
                ready.remove(e);
                e.job = e.job.withPriority(priority + 1);
                ready.add(e);
            }
            return moving.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int prune(JobState state, String queue, Instant finishedBefore, int limit) {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException("prune takes a finished state (SUCCEEDED, DEAD or CANCELLED), was " + state);
        }
        lock.lock();
        try {
            Instant now = clock.instant();
            List<MemoryJobs.Entry> doomed = jobs.prunable(state, queue, finishedBefore, limit, now);
            doomed.forEach(jobs::remove);
            return doomed.size();
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
            List<MemoryJobs.Entry> doomed = jobs.byId.values().stream()
                    .filter(e -> e.state == state && (queue == null || queue.equals(e.job.queue()))).toList();
            doomed.forEach(jobs::remove);
            if (!doomed.isEmpty()) signalChange();
            return doomed.size();
        } finally {
            lock.unlock();
        }
    }


    @Override
    public void close() {
        onClose.run();
    }

    @Override
    public String toString() {
        return "MemoryBroker";
    }

    // ---- state --------------------------------------------------------------------------------------------

    @Override
    public Optional<String> readState(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(state.get(key));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean compareAndSetState(String key, String expected, String value) {
        StateStore.checkEntry(key, value);
        lock.lock();
        try {
            if (!java.util.Objects.equals(state.get(key), expected)) return false;
            if (value == null) state.remove(key);
            else state.put(key, value);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, String> readStates(String prefix) {
        lock.lock();
        try {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (var e : state.tailMap(prefix, true).entrySet()) {
                if (!e.getKey().startsWith(prefix)) break;
                out.put(e.getKey(), e.getValue());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }
}
