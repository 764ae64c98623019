package dev.conveyor.redis;

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
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import io.lettuce.core.ScoredValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis broker and job store ({@code redis://}, {@code rediss://}, {@code redis-cluster://}). Jobs live in
 * per-queue keys under one prefix (layout: {@code docs/PROTOCOL.md}, operations: {@code docs/REDIS.md}); every
 * change is a Lua script run by SHA, one call per queue for a whole batch:
 * <ol>
 *   <li>enqueue registers the ids in the id → queue index, then stores each queue's jobs with their unique-key
 *       checks in one call per queue, and publishes a wake-up;</li>
 *   <li>fetch promotes due delayed jobs, reclaims expired leases (back to ready: the worker that leases a job
 *       lost {@code maxDeliveries} times quarantines it) and leases the best ready jobs, with a fencing token;</li>
 *   <li>ack, retry, bury, extend and release check each lease's token and deadline in the script and answer
 *       {@link Outcome#STALE} for leases that are no longer current;</li>
 *   <li>idle workers wait in {@link #awaitWork} on a pub/sub wake-up, bounded by the next due delayed job.</li>
 * </ol>
 * Every instant comes from the {@link BrokerContext#clock()} and is passed to the scripts (never Redis'
 * {@code TIME}), so across machines clocks must agree to well under a lease length (NTP).
 *
 * <pre>{@code
 * record Mail(String to) {}
 * Task<Mail, Void> sendMail = Task.named("send_mail", Mail.class).action(m -> System.out.println("to " + m.to()));
 * try (Conveyor conveyor = Conveyor.builder().broker("redis://127.0.0.1:6379/0?prefix=shop").task(sendMail).build()) {
 *     conveyor.startWorker(WorkerOptions.defaults());
 *     conveyor.enqueue(sendMail, new Mail("ada@example.com")).await(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class RedisBroker implements Broker, JobStore, RawEnvelopeSink, StateStore {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final Set<Capability> CAPABILITIES = EnumSet.of(Capability.DELAYED, Capability.PRIORITIES,
            Capability.UNIQUE_KEYS, Capability.RESULTS, Capability.INSPECTION, Capability.PUSH_WAKEUP, Capability.STATE,
            Capability.CANCELLATION, Capability.PROGRESS, Capability.FAIR_KEYS,
            Capability.PRIORITY_AGING, Capability.START_MARKS);
    /** Longest one awaitWork waits without looking again: covers a wake-up lost while reconnecting. */
    static final Duration WAIT_CAP = Duration.ofSeconds(1);
    /** Whether the last {@link #finishedNews} found the done channel subscribed. */
    private volatile boolean newsHeard;

    private final RedisConnection redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final RedisEnqueue enqueuer;
    private final RedisSettler settler;
    private final RedisFetcher fetcher;
    private final RedisInspection inspection;
    private final RedisState state;
    private final WakeSignals wake;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    RedisBroker(RedisConnection redis, Clock clock) {
        this.redis = redis;
        this.keys = new RedisKeys(redis.url().prefix());
        this.clock = clock;
        this.wake = new WakeSignals(redis::openPubSub, keys.wakeChannel(), keys.doneChannel());
        // This JVM's idle workers are woken when the enqueue is sent, not when its reply (or the pub/sub message)
        // comes back: their fetch goes out on the same connection behind it, so Redis runs it after the enqueue.
        this.enqueuer = new RedisEnqueue(redis, keys, clock, redis.url().payloadLimit(), new RedisEnqueue.Announcements() {
            @Override
            public void sending(String queue) {
                wake.expectEcho(keys.wakeChannel(), queue);
            }

            @Override
            public void sent(String queue) {
                wake.signal(keys.wakeChannel(), queue);
            }

            @Override
            public void storedNothing(String queue) {
                wake.noEcho(keys.wakeChannel(), queue);
            }
        });
        this.settler = new RedisSettler(redis, keys, clock);
        this.fetcher = new RedisFetcher(redis, keys, clock, settler);
        this.inspection = new RedisInspection(redis, keys, clock);
        this.state = new RedisState(redis, keys);
    }

    /** Opens a broker for a Redis URL (see {@link RedisUrl}); same as {@code Brokers.open(url, context)}. */
    public static RedisBroker open(String url, BrokerContext context) {
        return RedisBrokerProvider.openBroker(url, context);
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public List<EnqueueResult> enqueue(List<Job> jobs) {
        if (jobs.isEmpty()) return List.of();
        return enqueuer.enqueue(jobs); // wakes this JVM's waiters as it sends (see the constructor)
    }

    @Override
    public String insertRawEnvelope(String queue, String envelope) {
        return enqueuer.insertRaw(queue, envelope);
    }

    @Override
    public List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        if (queues.isEmpty()) return List.of();
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(queues));
        distinct.forEach(Job::requireQueueName); // a brace in a name would break the hash tags
        // The wake-ups seen before the fetch looks: if it runs the queues dry, the wait that follows on this
        // thread needs no look of its own (see awaitWork).
        long[] seen = wake.subscribe() ? wake.generations(keys.wakeChannel(), distinct) : null;
        RedisFetcher.Fetched f = fetcher.fetch(distinct, max, leaseFor);
        lastLook.set(seen != null && f.nextDueMs() != RedisFetcher.NOT_KNOWN
                ? new Look(List.copyOf(distinct), seen, f.nextDueMs()) : null);
        return f.jobs();
    }

    /** What a fetch that ran its queues dry saw: the wake-ups before it and when the next work is due. */
    private record Look(List<String> queues, long[] seen, long nextDueMs) {}

    /** The last fetch of each fetching thread, when it ran its queues dry; taken by its next awaitWork. */
    private final ThreadLocal<Look> lastLook = new ThreadLocal<>();

    @Override
    public List<Outcome> ack(List<Completion> completions) {
        return settler.ack(completions);
    }

    @Override
    public List<Outcome> retry(List<Failure> failures) {
        return settler.retry(failures);
    }

    @Override
    public List<Outcome> bury(List<Failure> failures) {
        return settler.bury(failures);
    }

    @Override
    public List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        return settler.extend(leases, leaseFor);
    }

    @Override
    public List<Outcome> release(List<Lease> leases) {
        return settler.release(leases);
    }

    @Override
    public List<Outcome> markStarted(List<Lease> leases) {
        return settler.markStarted(leases);
    }

    @Override
    public List<Outcome> reportProgress(List<dev.conveyor.broker.ProgressUpdate> updates) {
        return settler.reportProgress(updates);
    }

    /**
     * Returns at once when a queue has ready work, a due delayed job or an expired lease; else waits for a
     * wake-up published by an enqueue, retry or release (from any process), at most until the earliest delayed
     * job or lease falls due by the broker's clock, {@link #WAIT_CAP} and {@code maxWait}. Never throws: if Redis
     * cannot be asked, it waits the bounded time and lets the caller's fetch report the problem.
     */
    @Override
    public void awaitWork(Collection<String> queues, Duration maxWait) {
        if (Thread.currentThread().isInterrupted() || queues.isEmpty()) return;
        long waitNanos = Math.min(maxWait.toNanos(), WAIT_CAP.toNanos());
        boolean subscribed = wake.subscribe();
        List<String> qs = List.copyOf(new LinkedHashSet<>(queues));
        Look look = lastLook.get();
        lastLook.remove();
        if (subscribed && look != null && look.queues().equals(qs)
                && !wake.movedSince(keys.wakeChannel(), qs, look.seen())) {
            // This thread's fetch just found these queues dry and nothing was announced since it began: its look
            // stands (a job enqueued from now on moves a generation, which ends the wait at once), and a light
            // load costs one call per job fewer. When something was announced meanwhile (often the pub/sub echo
            // of a job that fetch took), look again below rather than fetch again.
            long untilDue = look.nextDueMs() == RedisFetcher.NONE_DUE ? Long.MAX_VALUE : look.nextDueMs() - clock.millis();
            if (untilDue <= 0) return;
            wake.await(keys.wakeChannel(), qs, look.seen(), Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(untilDue)));
            return;
        }
        long[] seen = wake.generations(keys.wakeChannel(), qs);
        if (subscribed) {
            try {
                long untilDue = millisUntilWork(qs);
                if (untilDue <= 0) return;
                waitNanos = Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(untilDue));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.debug("could not look for work in {}: {}", qs, e.toString());
            }
        }
        wake.await(keys.wakeChannel(), qs, seen, waitNanos);
    }

    /** 0 when work is there now; else ms until the earliest delayed job or lease is due (MAX_VALUE if none). */
    private long millisUntilWork(List<String> queues) throws InterruptedException {
        long now = clock.millis();
        List<CompletableFuture<Long>> ready = new ArrayList<>();
        List<CompletableFuture<List<ScoredValue<String>>>> next = new ArrayList<>();
        for (String q : queues) {
            String base = keys.base(q);
            ready.add(redis.commands().zcard(base + "ready").toCompletableFuture());
            next.add(redis.commands().zrangeWithScores(base + "scheduled", 0, 0).toCompletableFuture());
            next.add(redis.commands().zrangeWithScores(base + "leased", 0, 0).toCompletableFuture());
            next.add(redis.commands().zrangeWithScores(base + "batches", 0, 0).toCompletableFuture()); // column jobs' fetches
        }
        long earliest = Long.MAX_VALUE;
        try {
            for (CompletableFuture<Long> f : ready) {
                if (f.get(redis.url().timeout().toMillis(), TimeUnit.MILLISECONDS) > 0) return 0;
            }
            for (CompletableFuture<List<ScoredValue<String>>> f : next) {
                for (ScoredValue<String> v : f.get(redis.url().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    earliest = Math.min(earliest, (long) v.getScore());
                }
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw redis.failure(e, "looking for work");
        }
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, earliest - now);
    }

    // ---- JobStore ---------------------------------------------------------------------------------------------

    @Override
    public Optional<JobInfo> get(String id) {
        return inspection.get(id);
    }

    /**
     * Waits for the job to finish without polling hot: acks and buries publish their queue on
     * {@code {prefix}:done}, and each message makes this read the job again (at least every
     * {@link #WAIT_CAP}, for messages lost while reconnecting).
     */
    @Override
    public Optional<JobInfo> awaitFinished(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean subscribed = wake.subscribe();
        List<String> queue = null;
        long[] seen = null;
        while (true) {
            if (queue != null) seen = wake.generations(keys.doneChannel(), queue); // before the read: no lost news
            Optional<JobInfo> info = get(id);
            if (info.isEmpty() || info.get().state().isFinished()) return info;
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) return info;
            if (queue == null) {
                queue = List.of(info.get().job().queue());
                continue; // read again now that news of its queue is being counted
            }
            long cap = subscribed ? WAIT_CAP.toNanos() : TimeUnit.MILLISECONDS.toNanos(50);
            wake.await(keys.doneChannel(), queue, seen, Math.min(left, cap));
            if (Thread.currentThread().isInterrupted()) return get(id);
        }
    }

    @Override
    public long finishedNews() {
        newsHeard = wake.subscribe();
        return wake.generations(keys.doneChannel(), List.of(WakeSignals.ANY_QUEUE))[0];
    }

    @Override
    public void awaitFinishedNews(long mark, Duration maxWait) {
        Duration cap = newsHeard ? WAIT_CAP : Duration.ofMillis(50); // not subscribed: look again soon
        wake.await(keys.doneChannel(), List.of(WakeSignals.ANY_QUEUE), new long[] {mark},
                Math.min(maxWait.toNanos(), cap.toNanos()));
    }

    @Override
    public List<QueueStats> queues() {
        return inspection.queues();
    }

    @Override
    public Page<JobInfo> list(JobQuery query) {
        return inspection.list(query);
    }

    @Override
    public int redrive(List<String> ids) {
        return inspection.redrive(ids);
    }

    @Override
    public List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        return inspection.cancel(ids);
    }

    @Override
    public int delete(List<String> ids) {
        return inspection.delete(ids);
    }

    @Override
    public long purge(JobState state, String queue) {
        return inspection.purge(state, queue);
    }

    @Override
    public int prune(JobState state, String queue, Instant finishedBefore, int limit) {
        return inspection.prune(state, queue, finishedBefore, limit);
    }

    @Override
    public int agePriority(String queue, int priority, Instant readySince, int limit) {
        JobStore.checkAgePriority(queue, priority, readySince, limit);
        Object moved = redis.await(redis.run(LuaScript.AGE, new String[] {keys.ready(queue)},
                Long.toString(clock.millis()), Integer.toString(priority), Long.toString(readySince.toEpochMilli()),
                Integer.toString(limit)), "aging priorities");
        return (int) Replies.number(Replies.list(moved).get(0));
    }

    // ---- StateStore -------------------------------------------------------------------------------------------

    @Override
    public Optional<String> readState(String key) {
        return state.read(key);
    }

    @Override
    public boolean compareAndSetState(String key, String expected, String value) {
        return state.compareAndSet(key, expected, value);
    }

    @Override
    public java.util.Map<String, String> readStates(String prefix) {
        return state.readAll(prefix);
    }

    /** Closes the connections (the jobs stay in Redis). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            wake.close();
        } finally {
            redis.close();
        }
    }

    @Override
    public String toString() {
        return "RedisBroker[" + redis.url().redacted() + "]";
    }
}
