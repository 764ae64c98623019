package dev.conveyor.redis;

import dev.conveyor.broker.Completion;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Changes leased jobs: ack, retry, bury, extend and release, each as one settle-script call per queue for the
 * whole batch (all queues' calls pipelined). A {@link Lease} names only the job, so the queue comes from what this
 * broker leased (remembered at fetch) or else from the id → queue index. The script checks each lease's
 * fencing token and deadline and answers per item; a lease it cannot find is {@link Outcome#STALE}.
 */
final class RedisSettler {
    /** Bound on remembered leases (a worker that keeps losing leases must not grow the map without end). */
    private static final int MAX_REMEMBERED = 200_000;

    private final RedisConnection redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final Map<String, String> leasedQueues = new ConcurrentHashMap<>();

    RedisSettler(RedisConnection redis, RedisKeys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
    }

    void remember(String jobId, String queue) {
        if (leasedQueues.size() >= MAX_REMEMBERED) leasedQueues.clear(); // falls back to the index
        leasedQueues.put(jobId, queue);
    }

    List<Outcome> ack(List<Completion> completions) {
        // one value per ack, the result or '' for none (results are JSON, never empty): the commonest call stays short
        return settle("ack", completions, Completion::lease,
                (c, now) -> new String[] {c.result() == null ? "" : c.result()}, true);
    }

    List<Outcome> retry(List<Failure> failures) {
        for (Failure f : failures) {
            if (f.runAt() == null) throw new IllegalArgumentException("retry of job " + f.lease().jobId() + " has no runAt");
        }
        // A postponement (a limit was reached) has no error: an empty one appends nothing.
        return settle("retry", failures, Failure::lease, (f, now) -> new String[] {
                Long.toString(f.runAt().toEpochMilli()), f.countsAttempt() ? "1" : "0",
                f.isPostponement() ? "" : JobHashes.json(f.error())}, true);
    }

    List<Outcome> bury(List<Failure> failures) {
        return settle("bury", failures, Failure::lease, (f, now) -> new String[] {
                f.countsAttempt() ? "1" : "0", JobHashes.json(f.error()), f.error().message()}, true);
    }

    /** Buries a record that could not be decoded when fetched; it is marked so it cannot be re-driven. */
    void buryCorrupt(String queue, Lease lease, String reason) {
        remember(lease.jobId(), queue);
        AttemptError error = AttemptError.reason(0, clock.instant(), "corrupt-record", reason);
        settle("bury", List.of(lease), l -> l, (l, now) -> new String[] {"0!", JobHashes.json(error), reason}, true);
    }

    List<Outcome> extend(List<Lease> leases, Duration leaseFor) {
        return settle("extend", leases, l -> l,
                (l, now) -> new String[] {Long.toString(now + leaseFor.toMillis()), "", ""}, false);
    }

    List<Outcome> release(List<Lease> leases) {
        return settle("release", leases, l -> l, (l, now) -> new String[] {"", "", ""}, true);
    }

    List<Outcome> markStarted(List<Lease> leases) {
        return settle("started", leases, l -> l, (l, now) -> new String[] {"", "", ""}, false);
    }

    List<Outcome> reportProgress(List<dev.conveyor.broker.ProgressUpdate> updates) {
        return settle("progress", updates, dev.conveyor.broker.ProgressUpdate::lease,
                (u, now) -> new String[] {JobHashes.json(u.progress()), "", ""}, false);
    }

    private interface Values<T> {
        /** The operation's three values for one item. */
        String[] of(T item, long nowMillis);
    }

    private <T> List<Outcome> settle(String op, List<T> items, Function<T, Lease> leaseOf, Values<T> values,
                                     boolean endsLease) {
        if (items.isEmpty()) return List.of();
        long now = clock.millis();
        Outcome[] out = new Outcome[items.size()];
        Arrays.fill(out, Outcome.STALE);
        String[] queues = queuesOf(items, leaseOf);

        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (queues[i] != null) byQueue.computeIfAbsent(queues[i], q -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        List<List<Integer>> callItems = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byQueue.entrySet()) {
            List<Integer> all = e.getValue();
            for (int from = 0; from < all.size(); from += RedisEnqueue.CHUNK) {
                List<Integer> chunk = all.subList(from, Math.min(all.size(), from + RedisEnqueue.CHUNK));
                List<String> args = new ArrayList<>(5 + chunk.size() * 5); // per item: id, token and the op's values
                args.addAll(List.of(op, Long.toString(now), keys.wakeChannel(), e.getKey(), keys.doneChannel()));
                for (int i : chunk) {
                    Lease lease = leaseOf.apply(items.get(i));
                    args.add(lease.jobId());
                    args.add(Long.toString(lease.token()));
                    args.addAll(List.of(values.of(items.get(i), now)));
                }
                calls.add(redis.run(LuaScript.SETTLE, new String[] {keys.ready(e.getKey())}, args.toArray(String[]::new)));
                callItems.add(chunk);
            }
        }
        for (int c = 0; c < calls.size(); c++) {
            List<Object> answers = Replies.list(redis.await(calls.get(c), op + " of leased jobs"));
            List<Integer> chunk = callItems.get(c);
            for (int k = 0; k < chunk.size(); k++) {
                long answer = Replies.number(answers.get(k)); // 1 applied, 2 applied and cancel requested, 0 stale
                if (answer == 1) out[chunk.get(k)] = Outcome.OK;
                else if (answer == 2) out[chunk.get(k)] = Outcome.CANCEL_REQUESTED;
            }
        }
        if (endsLease) {
            for (T item : items) leasedQueues.remove(leaseOf.apply(item).jobId());
        }
        return List.of(out);
    }

    /** The queue of each item's job: remembered from fetch, else read from the index (null when unknown). */
    private <T> String[] queuesOf(List<T> items, Function<T, Lease> leaseOf) {
        String[] queues = new String[items.size()];
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            queues[i] = leasedQueues.get(leaseOf.apply(items.get(i)).jobId());
            if (queues[i] == null) unknown.add(i);
        }
        if (!unknown.isEmpty()) {
            String[] ids = unknown.stream().map(i -> leaseOf.apply(items.get(i)).jobId()).toArray(String[]::new);
            var values = redis.await(redis.commands().hmget(keys.index(), ids).toCompletableFuture(), "looking up job ids");
            for (int k = 0; k < unknown.size(); k++) {
                var kv = values.get(k);
                String q = kv.hasValue() ? kv.getValue() : null;
                if (q != null && Job.isQueueName(q)) queues[unknown.get(k)] = q;
            }
        }
        return queues;
    }
}
