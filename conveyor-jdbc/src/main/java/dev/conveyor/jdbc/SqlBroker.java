package dev.conveyor.jdbc;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.FairOrder;
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
import dev.conveyor.broker.TransactionalEnqueue;
import dev.conveyor.internal.EnqueueCombiner;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL broker and job store: one table of jobs, the lifecycle in a {@code state} column, leases as a token
 * and a deadline. Every call is one transaction; batches are one statement or one JDBC batch, so a fetch of
 * 256 jobs or an ack of 1,000 costs one commit (one fsync on SQLite with {@code synchronous=FULL}). What differs
 * between databases is in the {@link SqlDialect} and the {@link ConnectionSource}.
 */
public final class SqlBroker implements Broker, JobStore, RawEnvelopeSink, TransactionalEnqueue, StateStore {
    private static final Set<Capability> CAPABILITIES = EnumSet.of(Capability.DELAYED, Capability.PRIORITIES,
            Capability.UNIQUE_KEYS, Capability.RESULTS, Capability.INSPECTION, Capability.STATE, Capability.CANCELLATION, Capability.PROGRESS,
            Capability.FAIR_KEYS, Capability.PRIORITY_AGING, Capability.START_MARKS);

    private final SqlDialect dialect;
    private final ConnectionSource db;
    private final Clock clock;
    private final Duration pollCap;
    private final WakeUp wakeUp = new WakeUp();
    /** Most jobs of concurrent enqueue calls stored in one transaction (as many as a producer's usual batch). */
    private static final int COMBINED_JOBS = 1000;
    private final EnqueueCombiner<Job> combiner;
    private final SqlInspection inspection;
    private final SqlFetcher fetcher;
    private final SqlStateStore state;
    private final String t;
    private final String currentLease;
    private final List<JoiningDataSource> joined = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeWithBroker = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** News of finished jobs, for result waiters. */
    private final WakeUp finished = new WakeUp();
    private volatile Duration finishedCap = Duration.ofMillis(50);

    /**
     * The schema must be current ({@link SchemaMigrator}): the providers migrate or check it before this.
     *
     * @param pollCap longest {@link #awaitWork} waits before letting the caller poll again: enqueues from other
     *                processes are only seen by polling (or a NOTIFY listener calling {@link #signalWork})
     */
    public SqlBroker(SqlDialect dialect, ConnectionSource db, Clock clock, Duration pollCap) {
        this.dialect = dialect;
        this.db = db;
        this.clock = clock;
        this.pollCap = pollCap;
        this.t = dialect.table();
        this.currentLease = " WHERE id = ? AND state = 'RUNNING' AND lease_token = ? AND lease_until > ?";
        this.inspection = new SqlInspection(dialect, db, clock, wakeUp);
        this.fetcher = new SqlFetcher(dialect, inspection);
        this.state = new SqlStateStore(dialect, db, clock);
        // Concurrent single enqueues (a web app's requests) share a transaction: one commit, one fsync, for all.
        this.combiner = new EnqueueCombiner<>(COMBINED_JOBS, dialect.enqueueLanes(), db.describe(), this::storeTogether);
    }

    /**
     * Makes enqueues on a thread that is inside {@code dataSource.inTransaction(...)} join that transaction. The
     * data source must reach this broker's database (and schema).
     */
    public void joinTransactionsOf(JoiningDataSource dataSource) {
        joined.add(java.util.Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** Tells in-JVM idle fetchers that work may have arrived (a LISTEN thread calls it on NOTIFY). */
    public void signalWork() {
        wakeUp.signal();
    }

    /**
     * Tells in-JVM result waiters ({@link #awaitFinished}) that jobs may have finished (a LISTEN thread calls it
     * on NOTIFY), and sets how long a waiter trusts that news before it reads again anyway.
     */
    public void signalFinished() {
        finished.signal();
    }

    /**
     * Longest {@link #awaitFinished} waits between reads: short when jobs finished by other processes are seen
     * only by reading (SQLite, MariaDB), longer with a NOTIFY listener (PostgreSQL), which calls {@link #signalFinished}.
     */
    public void finishedNewsArrivesWithin(Duration cap) {
        this.finishedCap = cap;
    }

    @Override
    public long finishedNews() {
        return finished.sequence();
    }

    @Override
    public void awaitFinishedNews(long mark, Duration maxWait) {
        finished.awaitAfter(mark, maxWait.compareTo(finishedCap) < 0 ? maxWait : finishedCap);
    }

    /** Waits for a finish without polling hot: acks and buries signal, here and (NOTIFY) from other processes. */
    @Override
    public Optional<JobInfo> awaitFinished(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = finished.sequence(); // before the read: a finish in between is not missed
            Optional<JobInfo> info = get(id);
            if (info.isEmpty() || info.get().state().isFinished()) return info;
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) return info;
            finished.awaitAfter(seen, Duration.ofNanos(Math.min(left, finishedCap.toNanos())));
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    // ---- enqueue ------------------------------------------------------------------------------------------

    /**
     * Enqueues on the current thread's transaction when one of the {@link JoiningDataSource}s this broker joins
     * has one open (see {@link #joinTransactionsOf}); otherwise in a transaction of its own.
     */
    @Override
    public List<EnqueueResult> enqueue(List<Job> jobs) {
        if (jobs.isEmpty()) return List.of();
        for (JoiningDataSource ds : joined) {
            Connection current = ds.currentTransaction();
            if (current != null) return enqueue(current, jobs);
        }
        return combiner.enqueue(jobs); // with what other threads enqueue meanwhile: one transaction for all
    }

    /**
     * Stores the jobs of one or several concurrent enqueue calls in one transaction (see {@link EnqueueCombiner}):
     * all or nothing, so an error is every caller's and none of their jobs was stored.
     */
    private Object[] storeTogether(List<Job> jobs) {
        Instant now = clock.instant();
        List<EnqueueResult> out = plainInsert(jobs, now)
                ? db.writeOneStatement(c -> insertJobs(c, jobs, now)) // one statement: insert and notify
                : db.write(c -> insert(c, jobs, now));
        wakeUp.signal();
        return out.toArray();
    }

    @Override
    public List<EnqueueResult> enqueue(Connection transaction, List<Job> jobs) {
        if (jobs.isEmpty()) return List.of();
        try {
            List<EnqueueResult> out = insert(transaction, jobs, clock.instant());
            wakeUp.signal(); // early for an uncommitted transaction: harmless, the fetch finds nothing yet
            return out;
        } catch (SQLException e) {
            throw new dev.conveyor.broker.BrokerException(db.describe() + ": enqueue in the caller's transaction failed: "
                    + e.getMessage(), e);
        }
    }

    /** True when the dialect inserts (and notifies) these jobs in one statement: no unique or fairness key among them. */
    private boolean plainInsert(List<Job> jobs, Instant now) {
        if (!dialect.notifiesInOneStatement()) return false;
        long at = now.toEpochMilli();
        for (Job j : jobs) {
            if (j.uniqueKey() != null || FairOrder.applies(j, at)) return false;
        }
        return true;
    }

    private List<EnqueueResult> insert(Connection c, List<Job> jobs, Instant now) throws SQLException {
        Long[] places = placeKeyed(c, jobs, now);
        List<EnqueueResult> results = insertJobs(c, jobs, now);
        if (places != null) movePlaced(c, jobs, places, results);
        return results;
    }

    /** The fair places of the batch's keyed due jobs, read before the batch is inserted; null when none has a key. */
    private Long[] placeKeyed(Connection c, List<Job> jobs, Instant now) throws SQLException {
        long at = now.toEpochMilli();
        if (jobs.stream().noneMatch(j -> FairOrder.applies(j, at))) return null;
        try (PreparedStatement head = c.prepareStatement(dialect.fairHeadSql());
             PreparedStatement last = c.prepareStatement(dialect.fairLastSql())) {
            return FairOrder.places(jobs, at, new FairOrder.Lookup<SQLException>() {
                @Override
                public Long head(String queue, int priority) throws SQLException {
                    head.setString(1, queue);
                    head.setInt(2, priority);
                    return firstLong(head);
                }

                @Override
                public Long last(String queue, String key) throws SQLException {
                    last.setString(1, queue);
                    last.setString(2, key);
                    return firstLong(last);
                }
            });
        }
    }

    private static Long firstLong(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }

    /** Moves the newly inserted keyed jobs to their places (a duplicate keeps the place it has). */
    private void movePlaced(Connection c, List<Job> jobs, Long[] places, List<EnqueueResult> results)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dialect.fairPlaceSql())) {
            int n = 0;
            for (int i = 0; i < places.length; i++) {
                if (places[i] == null || results.get(i).duplicate()) continue;
                ps.setLong(1, places[i]);
                ps.setString(2, jobs.get(i).fairKey());
                ps.setString(3, jobs.get(i).id());
                ps.addBatch();
                n++;
            }
            if (n > 0) ps.executeBatch();
        }
    }

    private List<EnqueueResult> insertJobs(Connection c, List<Job> jobs, Instant now) throws SQLException {
        EnqueueResult[] results = new EnqueueResult[jobs.size()];
        try (PreparedStatement ins = c.prepareStatement(dialect.insertJob());
             PreparedStatement holder = c.prepareStatement(dialect.uniqueHolder())) {
            List<Integer> batched = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                if (job.uniqueKey() == null) {
                    batched.add(i);
                    continue;
                }
                // Jobs of a batch are checked in order: flush earlier inserts before a unique check.
                flush(c, ins, batched, jobs, results, now);
                dialect.lockUniqueKey(c, job.queue(), job.uniqueKey());
                holder.setString(1, job.queue());
                holder.setString(2, job.uniqueKey());
                holder.setLong(3, now.toEpochMilli());
                try (ResultSet rs = holder.executeQuery()) {
                    if (rs.next()) {
                        results[i] = new EnqueueResult(rs.getString(1), true);
                        continue;
                    }
                }
                JobRows.bindInsert(ins, job, stateFor(job, now), now);
                results[i] = new EnqueueResult(job.id(), ins.executeUpdate() == 0);
            }
            boolean notified = flush(c, ins, batched, jobs, results, now);
            if (!notified) dialect.notifyEnqueued(c);
        }
        return List.of(results);
    }

    /**
     * Inserts the jobs collected so far: in one statement where the dialect can, else as a JDBC batch. Returns
     * true when that statement also notified listeners ({@link SqlDialect#notifiesInOneStatement}).
     */
    private boolean flush(Connection c, PreparedStatement ins, List<Integer> batched, List<Job> jobs,
                          EnqueueResult[] results, Instant now) throws SQLException {
        if (batched.isEmpty()) return false;
        List<Job> batch = new ArrayList<>(batched.size());
        for (int i : batched) batch.add(jobs.get(i));
        java.util.Set<String> inserted = dialect.insertAll(c, batch, now.toEpochMilli());
        if (inserted != null) {
            for (int i : batched) {
                String id = jobs.get(i).id();
                results[i] = new EnqueueResult(id, !inserted.remove(id)); // a repeated id: only the first is new
            }
            batched.clear();
            return dialect.notifiesInOneStatement();
        }
        for (Job job : batch) {
            JobRows.bindInsert(ins, job, stateFor(job, now), now);
            ins.addBatch();
        }
        int[] counts = ins.executeBatch();
        for (int k = 0; k < batched.size(); k++) {
            int i = batched.get(k);
            results[i] = new EnqueueResult(jobs.get(i).id(), counts[k] == 0);
        }
        batched.clear();
        return false;
    }

    private static JobState stateFor(Job job, Instant now) {
        return job.runAt().isAfter(now) ? JobState.SCHEDULED : JobState.READY;
    }

    @Override
    public String insertRawEnvelope(String queue, String envelope) {
        Job.requireQueueName(queue);
        try {
            return enqueue(List.of(JobCodec.decode(envelope))).get(0).id();
        } catch (JobCodec.CorruptJobException e) {
            return inspection.insertCorrupt(queue, envelope, "corrupt record: " + e.getMessage());
        }
    }

    // ---- fetch --------------------------------------------------------------------------------------------

    @Override
    public List<LeasedJob> fetch(Collection<String> queues, int max, Duration leaseFor) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        if (queues.isEmpty()) return List.of();
        wakeUp.observe();
        SqlWork<List<LeasedJob>> fetch = c -> {
            Instant now = clock.instant();
            return fetcher.fetch(c, List.copyOf(queues), max, now, now.plus(leaseFor));
        };
        // In one round trip outside a transaction where the dialect can (SqlFetcher#fetch says why that is safe).
        return dialect.claimsWithChores() ? db.writeOneStatement(fetch) : db.write(fetch);
    }

    // ---- settle -------------------------------------------------------------------------------------------

    @Override
    public List<Outcome> ack(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        // The dialect's single statement (which notifies too) where it has one, else a JDBC batch in a transaction.
        List<Outcome> out = dialect.notifiesInOneStatement()
                ? db.writeOneStatement(c -> ackOn(c, completions, clock.millis()))
                : db.write(c -> {
                    List<Outcome> res = ackOn(c, completions, clock.millis());
                    dialect.notifyFinished(c);
                    return res;
                });
        finished.signal();
        return out;
    }

    private List<Outcome> ackOn(Connection c, List<Completion> completions, long now) throws SQLException {
        {
            java.util.Set<String> current = dialect.ackAll(c, completions, now);
            if (current == null) {
                return settleOn(c, completions, "UPDATE " + t + " SET state = 'SUCCEEDED', result = ?, finished_at = ?, "
                        + "updated_at = ?, lease_token = NULL, lease_until = NULL" + currentLease, (ps, item, at) -> {
                    ps.setString(1, item.result());
                    ps.setLong(2, at);
                    ps.setLong(3, at);
                    return bindLease(ps, 4, item.lease(), at);
                }, Completion::lease, now);
            }
            List<Outcome> out = new ArrayList<>(completions.size());
            for (Completion done : completions) {
                // An id listed twice in one batch: only its first entry can have been the current lease.
                out.add(current.remove(done.lease().jobId()) ? Outcome.OK : Outcome.STALE);
            }
            return out;
        }
    }

    @Override
    public List<Outcome> retry(List<Failure> failures) {
        if (failures.isEmpty()) return List.of();
        for (Failure f : failures) {
            if (f.runAt() == null) throw new IllegalArgumentException("retry of " + f.lease().jobId() + " has no runAt");
        }
        // Retries append their error; postponements (a limit was reached) record nothing. One transaction for both.
        List<Outcome> outcomes = db.write(c -> {
            long now = clock.millis();
            Outcome[] out = new Outcome[failures.size()];
            List<Integer> withError = new ArrayList<>();
            List<Integer> postponed = new ArrayList<>();
            for (int i = 0; i < failures.size(); i++) (failures.get(i).isPostponement() ? postponed : withError).add(i);
            for (List<Integer> part : List.of(withError, postponed)) {
                if (part.isEmpty()) continue;
                boolean append = part == withError;
                List<Failure> items = part.stream().map(failures::get).toList();
                List<Outcome> done = settleOn(c, items, retrySql(append), (ps, f, at) -> {
                    int k = 1;
                    ps.setString(k++, f.runAt().toEpochMilli() > at ? "SCHEDULED" : "READY");
                    ps.setLong(k++, at);
                    ps.setLong(k++, f.runAt().toEpochMilli());
                    ps.setInt(k++, f.countsAttempt() ? 1 : 0);
                    if (append) ps.setString(k++, JobRows.json(f.error()));
                    ps.setLong(k++, at);
                    return bindLease(ps, k, f.lease(), at);
                }, Failure::lease, now);
                for (int k = 0; k < part.size(); k++) out[part.get(k)] = done.get(k);
            }
            return List.of(out);
        });
        finished.signal(); // a job cancelled while it ran ends here (other processes see it at their next look)
        return outcomes;
    }

    /** A job cancelled while it ran is not retried: it ends CANCELLED. */
    private String retrySql(boolean appendError) {
        return "UPDATE " + t + " SET state = CASE WHEN cancel_requested_at IS NULL THEN ? ELSE "
                + "'CANCELLED' END, finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ? END, "
                + "dead_reason = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE 'cancelled' END, "
                + "run_at = ?, attempt = attempt + ?, progress = NULL, "
                + (appendError ? "errors = " + dialect.appendError() + ", "
                    // a postponement gives its delivery back, as a release does: waiting on a limit is not a lost worker
                    : "deliveries = CASE WHEN deliveries > 0 THEN deliveries - 1 ELSE 0 END, ")
                + "lease_token = NULL, lease_until = NULL, updated_at = ?" + currentLease;
    }

    @Override
    public List<Outcome> bury(List<Failure> failures) {
        return settleFinishing(failures, "UPDATE " + t + " SET state = CASE WHEN cancel_requested_at IS NULL THEN 'DEAD' ELSE "
                // a run stopped by a cancel uses no attempt, whatever the handler threw (as on every broker)
                + "'CANCELLED' END, attempt = attempt + CASE WHEN cancel_requested_at IS NULL THEN ? ELSE 0 END, "
                + "errors = " + dialect.appendError() + ", dead_reason = CASE "
                + "WHEN cancel_requested_at IS NULL THEN ? ELSE 'cancelled' END, finished_at = ?, updated_at = ?, "
                + "lease_token = NULL, lease_until = NULL" + currentLease, (ps, f, now) -> {
            ps.setInt(1, f.countsAttempt() ? 1 : 0);
            ps.setString(2, JobRows.json(f.error()));
            ps.setString(3, f.error().message());
            ps.setLong(4, now);
            ps.setLong(5, now);
            return bindLease(ps, 6, f.lease(), now);
        }, Failure::lease);
    }

    @Override
    public List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        if (leases.isEmpty()) return List.of();
        return db.write(c -> {
            long now = clock.millis();
            List<Outcome> out = new ArrayList<>(settleOn(c, leases, "UPDATE " + t + " SET lease_until = ?" + currentLease,
                    (ps, l, at) -> {
                        ps.setLong(1, at + leaseFor.toMillis());
                        return bindLease(ps, 2, l, at);
                    }, l -> l, now));
            // Tell the worker which of the jobs it holds were cancelled meanwhile.
            java.util.Set<String> cancelled = cancelRequested(c, leases.stream().map(Lease::jobId).toList());
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i) == Outcome.OK && cancelled.contains(leases.get(i).jobId())) out.set(i, Outcome.CANCEL_REQUESTED);
            }
            return out;
        });
    }

    private java.util.Set<String> cancelRequested(Connection c, List<String> ids) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t + " WHERE id IN ("
                    + SqlDialect.placeholders(chunk.size())
                    + ") AND cancel_requested_at IS NOT NULL")) {
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Override
    public List<Outcome> reportProgress(List<dev.conveyor.broker.ProgressUpdate> updates) {
        return settle(updates, "UPDATE " + t + " SET progress = ?" + currentLease, (ps, u, now) -> {
            ps.setString(1, JobRows.progressJson(u.progress()));
            return bindLease(ps, 2, u.lease(), now);
        }, dev.conveyor.broker.ProgressUpdate::lease);
    }

    @Override
    public List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        List<dev.conveyor.broker.CancelResult> out = inspection.cancel(ids);
        finished.signal(); // jobs that had not started end CANCELLED at once
        return out;
    }

    @Override
    public List<Outcome> release(List<Lease> leases) {
        // A job handed back after a cancel ends CANCELLED instead of running again.
        List<Outcome> out = settle(leases, "UPDATE " + t + " SET state = CASE WHEN cancel_requested_at IS NULL THEN "
                + "'READY' ELSE 'CANCELLED' END, finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ? END, "
                + "dead_reason = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE 'cancelled' END, "
                + "deliveries = CASE WHEN deliveries > 0 "
                + "THEN deliveries - 1 ELSE 0 END, started_delivery = NULL, progress = NULL, lease_token = NULL, "
                + "lease_until = NULL, updated_at = ?" + currentLease,
                (ps, l, now) -> {
                    ps.setLong(1, now);
                    ps.setLong(2, now);
                    return bindLease(ps, 3, l, now);
                }, l -> l);
        wakeUp.signal();
        return out;
    }

    @Override
    public List<Outcome> markStarted(List<Lease> leases) {
        return settle(leases, "UPDATE " + t + " SET started_delivery = deliveries" + currentLease,
                (ps, l, now) -> bindLease(ps, 1, l, now), l -> l);
    }

    private interface Binder<T> {
        /** Binds one item; returns nothing useful but may throw. */
        int bind(PreparedStatement ps, T item, long nowMillis) throws SQLException;
    }

    private static int bindLease(PreparedStatement ps, int i, Lease lease, long now) throws SQLException {
        ps.setString(i, lease.jobId());
        ps.setLong(i + 1, lease.token());
        ps.setLong(i + 2, now);
        return i + 3;
    }

    /** {@link #settle} for changes that finish jobs: tells whoever awaits a result, here and (NOTIFY) elsewhere. */
    private <T> List<Outcome> settleFinishing(List<T> items, String sql, Binder<T> binder,
                                              java.util.function.Function<T, Lease> leaseOf) {
        if (items.isEmpty()) return List.of();
        List<Outcome> out = db.write(c -> {
            List<Outcome> res = settleOn(c, items, sql, binder, leaseOf, clock.millis());
            dialect.notifyFinished(c);
            return res;
        });
        finished.signal();
        return out;
    }

    private <T> List<Outcome> settle(List<T> items, String sql, Binder<T> binder,
                                     java.util.function.Function<T, Lease> leaseOf) {
        if (items.isEmpty()) return List.of();
        return db.write(c -> settleOn(c, items, sql, binder, leaseOf, clock.millis()));
    }

    /** One JDBC batch of single-row updates on {@code c}; a row count of 0 is a stale lease. */
    private static <T> List<Outcome> settleOn(Connection c, List<T> items, String sql, Binder<T> binder,
                                              java.util.function.Function<T, Lease> leaseOf, long now)
            throws SQLException {
        // Rows are touched in id order, so two batches (an ack and a heartbeat) never lock them in opposite
        // orders and deadlock; the answers are put back in the caller's order.
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparing(i -> leaseOf.apply(items.get(i)).jobId()));
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i : order) {
                binder.bind(ps, items.get(i), now);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            Outcome[] out = new Outcome[counts.length];
            for (int k = 0; k < counts.length; k++) out[order[k]] = counts[k] > 0 ? Outcome.OK : Outcome.STALE;
            return List.of(out);
        }
    }

    // ---- wake-up ------------------------------------------------------------------------------------------

    @Override
    public void awaitWork(Collection<String> queues, Duration maxWait) {
        wakeUp.await(maxWait.compareTo(pollCap) < 0 ? maxWait : pollCap);
    }

    // ---- inspection (JobStore) ----------------------------------------------------------------------------

    @Override
    public Optional<JobInfo> get(String id) {
        return inspection.get(id);
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
        return db.write(c -> {
            Instant now = clock.instant();
            fetcher.promoteDue(c, now);
            try (PreparedStatement ps = c.prepareStatement(dialect.agePrioritySql())) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, queue);
                ps.setInt(3, priority);
                ps.setLong(4, readySince.toEpochMilli());
                ps.setInt(5, limit);
                return ps.executeUpdate();
            }
        });
    }

    /** Closes {@code resource} (a LISTEN thread, say) when this broker closes, before its connections. */
    public void onClose(AutoCloseable resource) {
        closeWithBroker.add(resource);
    }

    @Override
    public void close() {
        for (AutoCloseable r : closeWithBroker) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        db.close();
    }

    @Override
    public String toString() {
        return "SqlBroker[" + dialect.name() + ", " + db.describe() + "]";
    }

    // ---- shared state -------------------------------------------------------------------------------------

    @Override
    public Optional<String> readState(String key) {
        return state.readState(key);
    }

    @Override
    public boolean compareAndSetState(String key, String expected, String value) {
        return state.compareAndSetState(key, expected, value);
    }

    @Override
    public Map<String, String> readStates(String prefix) {
        return state.readStates(prefix);
    }
}
