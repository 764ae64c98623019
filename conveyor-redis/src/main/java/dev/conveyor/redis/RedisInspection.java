package dev.conveyor.redis;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code JobStore} side of the Redis broker: get by id (through the id → queue index), per-queue counts,
 * paged listing in id order, and the operator's redrive, delete, purge and prune — each one script call per
 * queue, after which the index entries of deleted jobs are removed.
 */
final class RedisInspection {
    private static final Logger log = LoggerFactory.getLogger(RedisInspection.class);
    /** Ids examined per listing script call. */
    private static final int LIST_SCAN = 1000;
    private static final int PURGE_BATCH = 500;

    private final RedisConnection redis;
    private final RedisKeys keys;
    private final Clock clock;

    RedisInspection(RedisConnection redis, RedisKeys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
    }

    Optional<JobInfo> get(String id) {
        if (id == null || id.isEmpty()) return Optional.empty();
        String queue = redis.await(redis.commands().hget(keys.index(), id).toCompletableFuture(), "looking up job " + id);
        if (queue == null) return Optional.empty();
        if (!Job.isQueueName(queue)) {
            log.warn("index entry of job {} names '{}', not a queue; reading it as not found", id, queue);
            return Optional.empty();
        }
        Map<String, String> hash = new HashMap<>();
        try {
            // the job hash, or the fields of a column job (docs/PROTOCOL.md)
            List<Object> flat = Replies.list(redis.await(redis.run(LuaScript.VIEW, new String[] {keys.ready(queue)}, id),
                    "reading job " + id));
            for (int k = 0; k + 1 < flat.size(); k += 2) hash.put(Replies.text(flat.get(k)), Replies.text(flat.get(k + 1)));
        } catch (RuntimeException e) {
            if (!RedisConnection.isServerError(e)) throw e;
            log.warn("job {} is not readable ({}); reading it as not found", id, e.getMessage());
            return Optional.empty();
        }
        if (hash.isEmpty()) return Optional.empty(); // a dangling index entry
        return Optional.of(JobHashes.info(id, queue, hash, clock.instant()));
    }

    /** Queue names that have had jobs (from the registry; names that are not valid queue names are ignored). */
    List<String> queueNames() {
        var members = redis.await(redis.commands().smembers(keys.queues()).toCompletableFuture(), "listing queues");
        return new TreeSet<>(members).stream().filter(Job::isQueueName).toList();
    }

    List<QueueStats> queues() {
        long now = clock.millis();
        List<String> names = queueNames();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (String q : names) calls.add(redis.run(LuaScript.STATS, new String[] {keys.ready(q)}, Long.toString(now)));
        List<QueueStats> out = new ArrayList<>();
        JobState[] order = {JobState.READY, JobState.SCHEDULED, JobState.RUNNING, JobState.SUCCEEDED, JobState.DEAD,
                JobState.CANCELLED};
        for (int i = 0; i < names.size(); i++) {
            List<Object> r;
            try {
                r = Replies.list(redis.await(calls.get(i), "counting jobs"));
            } catch (RuntimeException e) {
                if (!RedisConnection.isServerError(e)) throw e;
                log.warn("queue {} skipped in the counts: {}", names.get(i), e.getMessage());
                continue;
            }
            Map<JobState, Long> counts = new EnumMap<>(JobState.class);
            long total = 0;
            for (int k = 0; k < order.length; k++) {
                long n = Replies.number(r.get(k));
                if (n > 0) counts.put(order[k], n);
                total += n;
            }
            if (total == 0) continue;
            String oldest = Replies.text(r.get(6));
            out.add(new QueueStats(names.get(i), counts, oldest == null ? null
                    : Instant.ofEpochMilli((long) Double.parseDouble(oldest))));
        }
        return out;
    }

    Page<JobInfo> list(JobQuery query) {
        List<String> queues = query.queue() != null ? List.of(query.queue()) : queueNames();
        List<JobInfo> all = new ArrayList<>();
        for (String q : queues) {
            if (Job.isQueueName(q)) all.addAll(listQueue(q, query, query.limit() + 1));
        }
        all.sort(Comparator.comparing(JobInfo::id));
        if (all.size() <= query.limit()) return new Page<>(all, null);
        List<JobInfo> page = all.subList(0, query.limit());
        return new Page<>(page, page.getLast().id());
    }

    /** Up to {@code want} matching jobs of one queue after the cursor, in id order. */
    private List<JobInfo> listQueue(String queue, JobQuery query, int want) {
        long now = clock.millis();
        Instant nowInstant = Instant.ofEpochMilli(now);
        List<JobInfo> out = new ArrayList<>();
        String after = query.afterId() == null ? "" : query.afterId();
        while (out.size() < want) {
            List<Object> r;
            try {
                r = Replies.list(redis.await(redis.run(LuaScript.LIST, new String[] {keys.ready(queue)},
                        Long.toString(now), query.state() == null ? "" : query.state().name(),
                        query.task() == null ? "" : query.task(), after, Integer.toString(want - out.size()),
                        Integer.toString(LIST_SCAN)), "listing jobs"));
            } catch (RuntimeException e) {
                if (!RedisConnection.isServerError(e)) throw e;
                log.warn("queue {} skipped in the listing: {}", queue, e.getMessage());
                return out;
            }
            for (Object m : Replies.list(r.get(0))) {
                List<Object> entry = Replies.list(m);
                Map<String, String> hash = new HashMap<>();
                for (int k = 1; k + 1 < entry.size(); k += 2) hash.put(Replies.text(entry.get(k)), Replies.text(entry.get(k + 1)));
                out.add(JobHashes.info(Replies.text(entry.get(0)), queue, hash, nowInstant));
            }
            String last = Replies.text(r.get(1));
            if (Replies.number(r.get(2)) == 1 || last == null) break;
            after = last;
        }
        return out;
    }

    int redrive(List<String> ids) {
        return byQueue(ids, "redrive", false);
    }

    List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        dev.conveyor.broker.CancelResult[] out = new dev.conveyor.broker.CancelResult[ids.size()];
        java.util.Arrays.fill(out, dev.conveyor.broker.CancelResult.NOT_FOUND);
        if (ids.isEmpty()) return List.of();
        var queues = redis.await(redis.commands().hmget(keys.index(), ids.toArray(String[]::new)).toCompletableFuture(),
                "looking up jobs");
        Map<String, List<Integer>> grouped = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            var kv = queues.get(i);
            if (kv.hasValue() && Job.isQueueName(kv.getValue())) {
                grouped.computeIfAbsent(kv.getValue(), q -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<String, List<Integer>> e : grouped.entrySet()) {
            List<String> args = new ArrayList<>(List.of(keys.doneChannel()));
            for (int i : e.getValue()) args.add(ids.get(i));
            List<String> answers = admin(e.getKey(), "cancel", args);
            for (int k = 0; k < answers.size(); k++) {
                out[e.getValue().get(k)] = switch (answers.get(k)) {
                    case "C" -> dev.conveyor.broker.CancelResult.CANCELLED;
                    case "R" -> dev.conveyor.broker.CancelResult.REQUESTED;
                    case "F" -> dev.conveyor.broker.CancelResult.FINISHED;
                    default -> dev.conveyor.broker.CancelResult.NOT_FOUND;
                };
            }
        }
        return List.of(out);
    }

    int delete(List<String> ids) {
        return byQueue(ids, "delete", true);
    }

    /** Runs an admin operation on ids grouped by their queue (from the index); returns how many it changed. */
    private int byQueue(List<String> ids, String op, boolean deletes) {
        if (ids.isEmpty()) return 0;
        String[] idArray = ids.toArray(String[]::new);
        var queues = redis.await(redis.commands().hmget(keys.index(), idArray).toCompletableFuture(), "looking up jobs");
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (int i = 0; i < idArray.length; i++) {
            var kv = queues.get(i);
            if (kv.hasValue() && Job.isQueueName(kv.getValue())) {
                grouped.computeIfAbsent(kv.getValue(), q -> new ArrayList<>()).add(idArray[i]);
            }
        }
        int n = 0;
        for (Map.Entry<String, List<String>> e : grouped.entrySet()) {
            List<String> changed = admin(e.getKey(), op, e.getValue());
            if (deletes) unindex(changed);
            n += changed.size();
        }
        return n;
    }

    long purge(JobState state, String queue) {
        requireFinished(state, "purge");
        long n = 0;
        for (String q : queue == null ? queueNames() : List.of(queue)) {
            while (true) {
                List<Object> r = Replies.list(adminCall(q, "purge", List.of(state.name().toLowerCase(Locale.ROOT),
                        Integer.toString(PURGE_BATCH))));
                List<String> deleted = texts(r.get(0));
                unindex(deleted);
                n += deleted.size();
                if (Replies.number(r.get(1)) < PURGE_BATCH) break;
            }
        }
        return n;
    }

    int prune(JobState state, String queue, Instant finishedBefore, int limit) {
        requireFinished(state, "prune");
        int n = 0;
        for (String q : queue == null ? queueNames() : List.of(queue)) {
            if (n >= limit) break;
            List<String> deleted = admin(q, "prune", List.of(state.name().toLowerCase(Locale.ROOT),
                    finishedBefore == null ? "" : Long.toString(finishedBefore.toEpochMilli()), Integer.toString(limit - n)));
            unindex(deleted);
            n += deleted.size();
        }
        return n;
    }

    private static void requireFinished(JobState state, String what) {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException(what + " takes a finished state (SUCCEEDED, DEAD or CANCELLED), was " + state);
        }
    }

    private List<String> admin(String queue, String op, List<String> args) {
        return texts(adminCall(queue, op, args));
    }

    private Object adminCall(String queue, String op, List<String> args) {
        List<String> all = new ArrayList<>(List.of(op, Long.toString(clock.millis()), keys.wakeChannel(), queue));
        all.addAll(args);
        return redis.await(redis.run(LuaScript.ADMIN, new String[] {keys.ready(queue)}, all.toArray(String[]::new)),
                op + " of jobs in queue " + queue);
    }

    private void unindex(List<String> ids) {
        if (ids.isEmpty()) return;
        redis.await(redis.commands().hdel(keys.index(), ids.toArray(String[]::new)).toCompletableFuture(),
                "removing deleted jobs from the index");
    }

    private static List<String> texts(Object reply) {
        return Replies.list(reply).stream().map(Replies::text).toList();
    }
}
