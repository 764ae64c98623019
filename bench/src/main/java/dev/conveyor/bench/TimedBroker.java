package dev.conveyor.bench;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Instant;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a broker and counts, per SPI method, calls, items and the time spent in them (two {@code nanoTime}
 * reads per batch call: nothing per job, no extra broker traffic). It shows how well the worker batches (jobs
 * per fetch, per ack) and where the broker's time goes. A call's time includes waiting for the broker's own
 * locks (on SQLite, the one write lock that every write takes).
 */
public class TimedBroker implements Broker {
    private final Broker delegate;
    private final Map<String, Meter> meters = new LinkedHashMap<>();
    private final Meter enqueue = meter("enqueue");
    private final Meter fetch = meter("fetch");
    private final Meter emptyFetch = meter("fetch(empty)");
    private final Meter ack = meter("ack");
    private final Meter retry = meter("retry");
    private final Meter bury = meter("bury");
    private final Meter extend = meter("extend");
    private final Meter release = meter("release");
    /** Chaos workers: told of every lease and hand-back, for the ledger. */
    private volatile java.util.function.BiConsumer<Character, String> observer = (kind, id) -> {};
    private final Meter awaitWork = meter("awaitWork");
    /** Each non-empty fetch call's time, for windows of a run ({@link #fetchWindow}). */
    private final Recorder fetchTimes = new Recorder(3);

    public TimedBroker(Broker delegate) {
        this.delegate = delegate;
    }

    /** A timed broker that is also a {@link JobStore} when the delegate is one (the worker then prunes through it). */
    /** Reports each leased job ('L'), each hand-back ('H') and each start mark ('M') by id. */
    TimedBroker observe(java.util.function.BiConsumer<Character, String> observer) {
        this.observer = observer;
        return this;
    }

    public static TimedBroker of(Broker delegate) {
        return delegate instanceof JobStore s ? new Store(delegate, s) : new TimedBroker(delegate);
    }

    /** The non-empty fetch calls since the previous call of this method (the first: since creation). */
    public Histogram fetchWindow() {
        return fetchTimes.getIntervalHistogram();
    }

    Meter meterNamed(String name) {
        return meters.get(name);
    }

    private Meter meter(String name) {
        Meter m = new Meter();
        meters.put(name, m);
        return m;
    }

    public Broker delegate() {
        return delegate;
    }

    /** Clears every counter (after a warm-up). */
    public void reset() {
        meters.values().forEach(Meter::reset);
    }

    /** Per method with at least one call: calls, items, items per call, total and mean and max ms, share of wall time. */
    public Map<String, Object> snapshot(long wallNanos) {
        Map<String, Object> out = new LinkedHashMap<>();
        meters.forEach((name, m) -> {
            long calls = m.calls.sum();
            if (calls == 0) return;
            long items = m.items.sum();
            long nanos = m.nanos.sum();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("calls", calls);
            e.put("items", items);
            e.put("itemsPerCall", round(items / (double) calls, 1));
            e.put("totalMs", round(nanos / 1e6, 1));
            e.put("meanMs", round(nanos / 1e6 / calls, 3));
            e.put("maxMs", round(m.maxNanos.get() / 1e6, 3));
            if (wallNanos > 0) e.put("shareOfWall", round(nanos / (double) wallNanos, 3));
            out.put(name, e);
        });
        return out;
    }

    /** One line per method for the console. */
    public static String describe(Map<String, Object> snapshot) {
        StringBuilder sb = new StringBuilder();
        snapshot.forEach((name, v) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = (Map<String, Object>) v;
            if (name.equals("awaitWork") || !(v instanceof Map<?, ?>)) return;
            if (!(((Map<?, ?>) v).get("calls") instanceof Long)) return;
            sb.append(String.format("      %-13s %,9d calls %,10d items %8.1f/call  mean %7.3f ms  max %8.3f ms  %5.1f%% of wall%n",
                    name, (Long) e.get("calls"), (Long) e.get("items"), (Double) e.get("itemsPerCall"),
                    (Double) e.get("meanMs"), (Double) e.get("maxMs"),
                    100 * ((Number) e.getOrDefault("shareOfWall", 0.0)).doubleValue()));
        });
        return sb.toString();
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public List<EnqueueResult> enqueue(List<Job> jobs) {
        long t = System.nanoTime();
        List<EnqueueResult> r = delegate.enqueue(jobs);
        enqueue.add(jobs.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor) {
        long t = System.nanoTime();
        List<LeasedJob> r = delegate.fetch(queues, max, leaseFor);
        for (LeasedJob j : r) observer.accept('L', j.job().id());
        long d = System.nanoTime() - t;
        (r.isEmpty() ? emptyFetch : fetch).add(r.size(), d);
        if (!r.isEmpty()) fetchTimes.recordValue(d);
        return r;
    }

    @Override
    public List<Outcome> ack(List<Completion> completions) {
        long t = System.nanoTime();
        List<Outcome> r = delegate.ack(completions);
        ack.add(completions.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public List<Outcome> retry(List<Failure> failures) {
        long t = System.nanoTime();
        List<Outcome> r = delegate.retry(failures);
        retry.add(failures.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public List<Outcome> bury(List<Failure> failures) {
        long t = System.nanoTime();
        List<Outcome> r = delegate.bury(failures);
        bury.add(failures.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        long t = System.nanoTime();
        List<Outcome> r = delegate.extend(leases, leaseFor);
        extend.add(leases.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public List<Outcome> markStarted(List<Lease> leases) {
        List<Outcome> r = delegate.markStarted(leases);
        for (Lease l : leases) observer.accept('M', l.jobId());
        return r;
    }

    @Override
    public List<Outcome> release(List<Lease> leases) {
        long t = System.nanoTime();
        List<Outcome> r = delegate.release(leases);
        for (Lease l : leases) observer.accept('H', l.jobId());
        release.add(leases.size(), System.nanoTime() - t);
        return r;
    }

    @Override
    public void awaitWork(Collection<String> queues, Duration maxWait) {
        long t = System.nanoTime();
        delegate.awaitWork(queues, maxWait);
        awaitWork.add(0, System.nanoTime() - t);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Timed[" + delegate + "]";
    }

    /** Also a {@link JobStore}: passes every call through, timing {@code prune} (the worker's retention rounds). */
    static final class Store extends TimedBroker implements JobStore {
        private final JobStore store;
        private final Meter prune;

        Store(Broker delegate, JobStore store) {
            super(delegate);
            this.store = store;
            this.prune = ((TimedBroker) this).meter("prune");
        }

        @Override
        public Optional<JobInfo> get(String id) {
            return store.get(id);
        }

        @Override
        public Optional<JobInfo> awaitFinished(String id, Duration timeout) {
            return store.awaitFinished(id, timeout);
        }

        @Override
        public List<QueueStats> queues() {
            return store.queues();
        }

        @Override
        public Page<JobInfo> list(JobQuery query) {
            return store.list(query);
        }

        @Override
        public int redrive(List<String> ids) {
            return store.redrive(ids);
        }

        @Override
        public int delete(List<String> ids) {
            return store.delete(ids);
        }

        @Override
        public long purge(JobState state, String queue) {
            return store.purge(state, queue);
        }

        @Override
        public int prune(JobState state, String queue, Instant finishedBefore, int limit) {
            long t = System.nanoTime();
            int n = store.prune(state, queue, finishedBefore, limit);
            prune.add(n, System.nanoTime() - t);
            return n;
        }
    }

    static final class Meter {
        final LongAdder calls = new LongAdder();
        final LongAdder items = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);

        void add(int n, long d) {
            calls.increment();
            items.add(n);
            nanos.add(d);
            maxNanos.accumulate(d);
        }

        void reset() {
            calls.reset();
            items.reset();
            nanos.reset();
            maxNanos.reset();
        }
    }

}
