package dev.conveyor.redis;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.internal.EnqueueCombiner;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Stores jobs: checks every envelope against the payload limit first (so an oversized job stores nothing), then
 * runs one enqueue script per queue and chunk of {@value #CHUNK}, all sent before any reply is awaited
 * (pipelined). On a standalone server that script also keeps the id → queue index; in Redis Cluster, where the
 * index lives in another slot, the ids are registered first by a call of their own.
 */
final class RedisEnqueue {
    static final int CHUNK = 1000;
    /** Combined enqueue calls in flight at once (see the constructor). */
    static final int LANES = 4;

    private final RedisConnection redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final int payloadLimit;
    private final Announcements announce;
    private final EnqueueCombiner<Item> combiner;

    /** What the enqueue tells this JVM's waiters for work (the broker's wake-ups). */
    interface Announcements {
        /** A script writing to {@code queue} is about to be sent (it publishes the queue when it stores anything). */
        void sending(String queue);

        /**
         * A script writing to {@code queue} was sent and no reply is read yet: a fetch or look sent from now on, on
         * the same connection, runs after it in Redis, so this JVM's idle workers can be woken a round trip early.
         * The script publishes the queue on the wake-up channel when it stores anything. Told again when a script
         * had to be sent a second time (the server had lost it): it then ran behind what went in between.
         */
        void sent(String queue);

        /** A script announced with {@link #sent} stored nothing, so it published nothing. */
        void storedNothing(String queue);
    }

    /** One job as the enqueue script stores it. */
    record Item(String id, String queue, boolean ready, int priority, long runAt, int attempt, int deliveries,
                int maxDeliveries, String task, String uniqueKey, Long uniqueForMs, String envelope, String fairKey,
                boolean keepsResult) {
        /**
         * Whether it is stored as a column job (docs/PROTOCOL.md): ready now, fresh counters, no unique or fairness
         * key, no keep time of its own, and an envelope that decoded (its priority and runAt are the envelope's,
         * which the fetch relies on).
         */
        boolean column() {
            return ready && attempt == 0 && deliveries == 0 && uniqueKey == null && fairKey == null && !keepsResult
                    && !JobHashes.CORRUPT_TASK.equals(task);
        }

        /** Ready jobs sort by (9 - priority) * 1e13 + runAt: higher priority first, then earlier runAt. */
        static long readyScore(int priority, long runAt) {
            long at = Math.max(0, Math.min(runAt, 9_999_999_999_999L));
            return (Job.MAX_PRIORITY - priority) * 10_000_000_000_000L + at;
        }

        long score() {
            return ready ? readyScore(priority, runAt) : runAt;
        }
    }

    RedisEnqueue(RedisConnection redis, RedisKeys keys, Clock clock, int payloadLimit, Announcements announce) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.payloadLimit = payloadLimit;
        this.announce = announce;
        // Several batches in flight at once: they are pipelined on the connection, so the server never waits for
        // a round trip between them (with one, four threads enqueueing 1,000 jobs a call lost 17 %).
        this.combiner = new EnqueueCombiner<>(CHUNK, LANES, "Redis at " + redis.url().where(),
                items -> outcomes(items, clock.millis()));
    }

    List<EnqueueResult> enqueue(List<Job> jobs) {
        long now = clock.millis();
        List<Item> items = new ArrayList<>(jobs.size());
        for (Job job : jobs) items.add(item(job, JobCodec.encode(job), now));
        return combiner.enqueue(items); // with what other threads enqueue meanwhile: one call for all
    }

    /** Stores an envelope exactly as given (as a foreign producer would); see {@code RawEnvelopeSink}. */
    String insertRaw(String queue, String envelope) {
        Job.requireQueueName(queue);
        long now = clock.millis();
        Item item;
        try {
            item = item(JobCodec.decode(envelope), envelope, now);
        } catch (JobCodec.CorruptJobException e) {
            // Stored as a ready job all the same: the fetch that hands it out finds it corrupt and buries it.
            String text = envelope == null ? "" : envelope;
            String id = JobIds.next(clock);
            checkSize(id, text);
            item = new Item(id, queue, true, Job.DEFAULT_PRIORITY, now, 0, 0, 1,
                    JobHashes.CORRUPT_TASK, null, null, text, null, false);
        }
        return store(List.of(item), now).get(0).id();
    }

    private Item item(Job job, String envelope, long now) {
        checkSize(job.id(), envelope);
        long runAt = job.runAt().toEpochMilli();
        return new Item(job.id(), job.queue(), runAt <= now, job.priority(), runAt, job.attempt(), job.deliveries(),
                job.maxDeliveries(), job.task(), job.uniqueKey(), job.uniqueFor() == null ? null : job.uniqueFor().toMillis(),
                envelope, job.fairKey(), job.headers().containsKey(Job.KEEP_RESULT_HEADER));
    }

    private void checkSize(String id, String envelope) {
        // Characters first: a UTF-8 byte count is only needed for envelopes near the limit.
        if (envelope.length() * 3L <= payloadLimit) return;
        int bytes = envelope.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > payloadLimit) {
            throw new IllegalArgumentException("job " + id + " is " + bytes + " bytes as a JSON envelope; the payload "
                    + "limit is " + payloadLimit + " bytes (URL option payloadLimit). Put large data in object storage "
                    + "and pass a reference in the args");
        }
    }

    /** Stores {@code items} as one call; the first item's error, if any, is thrown (after the others were stored). */
    private List<EnqueueResult> store(List<Item> items, long now) {
        Object[] outcomes = outcomes(items, now);
        List<EnqueueResult> results = new ArrayList<>(outcomes.length);
        for (Object o : outcomes) {
            if (o instanceof RuntimeException e) throw e;
            results.add((EnqueueResult) o);
        }
        return results;
    }

    /**
     * Stores {@code items}: per item, its {@link EnqueueResult} or the error that concerns it alone; an error of the
     * whole call is thrown.
     */
    private Object[] outcomes(List<Item> items, long now) {
        Object[] results = new Object[items.size()];
        // An id repeated in one batch under another queue is a duplicate of its first occurrence.
        Map<String, String> firstQueue = new HashMap<>();
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            String q = firstQueue.putIfAbsent(it.id(), it.queue());
            if (q != null && !q.equals(it.queue())) results[i] = new EnqueueResult(it.id(), true);
            else pending.add(i);
        }
        boolean indexApart = redis.cluster(); // standalone: the enqueue script keeps the index
        if (indexApart) indexIds(items, pending, results);
        String[] extraKeys = indexApart ? new String[0] : new String[] {keys.index(), keys.queues()};

        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i : pending) {
            if (results[i] == null) byQueue.computeIfAbsent(items.get(i).queue(), q -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        List<List<Integer>> callItems = new ArrayList<>();
        List<String> callQueues = new ArrayList<>();
        long resendsBefore = redis.resends();
        for (Map.Entry<String, List<Integer>> e : byQueue.entrySet()) {
            // column jobs first in each chunk: the script takes them as one section, then the job hashes
            List<Integer> idx = new ArrayList<>(e.getValue());
            idx.sort(java.util.Comparator.comparing(i -> items.get(i).column() ? 0 : 1));
            for (int from = 0; from < idx.size(); from += CHUNK) {
                List<Integer> chunk = idx.subList(from, Math.min(idx.size(), from + CHUNK));
                String[] scriptKeys = new String[1 + extraKeys.length];
                scriptKeys[0] = keys.ready(e.getKey());
                System.arraycopy(extraKeys, 0, scriptKeys, 1, extraKeys.length);
                String[] scriptArgs = args(e.getKey(), chunk, items, now);
                announce.sending(e.getKey());
                calls.add(redis.run(LuaScript.ENQUEUE, scriptKeys, scriptArgs));
                callItems.add(chunk);
                callQueues.add(e.getKey());
            }
        }
        callQueues.forEach(announce::sent);
        for (int c = 0; c < calls.size(); c++) {
            List<Object> answers = Replies.list(redis.await(calls.get(c), "enqueueing jobs"));
            List<Integer> chunk = callItems.get(c);
            boolean stored = false;
            for (int k = 0; k < chunk.size(); k++) {
                Item it = items.get(chunk.get(k));
                Object a = answers.get(k);
                // 0 = stored, 1 = the id exists, 2 = the key holds foreign data, a string = the unique key's holder
                if (a instanceof String holder) {
                    results[chunk.get(k)] = new EnqueueResult(holder, true);
                } else if (Replies.number(a) == 2) {
                    results[chunk.get(k)] = new BrokerException("cannot enqueue job " + it.id() + ": Redis key "
                            + keys.job(it.queue(), it.id()) + " holds something that is not a Conveyor job (foreign "
                            + "data under prefix '" + keys.prefix() + "')");
                } else {
                    results[chunk.get(k)] = new EnqueueResult(it.id(), Replies.number(a) == 1);
                    stored |= Replies.number(a) == 0;
                }
            }
            if (!stored) announce.storedNothing(callQueues.get(c)); // the script published nothing
        }
        // A script sent again after NOSCRIPT ran behind what went meanwhile: announce it once more.
        if (redis.resends() != resendsBefore) new java.util.LinkedHashSet<>(callQueues).forEach(announce::sent);
        // A job refused for its unique key was never stored: drop its index entry (else it lingers, harmless).
        // (Standalone: the script indexes only what it stored.)
        List<String> unstored = new ArrayList<>();
        for (int i : indexApart ? pending : List.<Integer>of()) {
            if (results[i] instanceof EnqueueResult r && r.duplicate() && !r.id().equals(items.get(i).id())) {
                unstored.add(items.get(i).id());
            }
        }
        if (!unstored.isEmpty()) {
            redis.await(redis.commands().hdel(keys.index(), unstored.toArray(String[]::new)).toCompletableFuture(),
                    "dropping index entries of duplicates");
        }
        return results;
    }

    /**
     * Writes id → queue before the jobs exist (in Redis Cluster the index is in another slot), so a crash in
     * between leaves an index entry without a job, which reads as "not found". An id already indexed under
     * another queue whose job still exists is a duplicate.
     */
    private void indexIds(List<Item> items, List<Integer> pending, Object[] results) {
        if (pending.isEmpty()) return;
        List<String> args = new ArrayList<>(pending.size() * 2);
        for (int i : pending) {
            args.add(items.get(i).id());
            args.add(items.get(i).queue());
        }
        List<Object> answers = Replies.list(redis.await(redis.run(LuaScript.INDEX,
                new String[] {keys.index(), keys.queues()}, args.toArray(String[]::new)), "indexing job ids"));
        for (int k = 0; k < pending.size(); k++) {
            String other = Replies.text(answers.get(k));
            if (other == null) continue;
            int i = pending.get(k);
            String id = items.get(i).id();
            // every stored job, a column job too, is in its queue's id set
            boolean exists = Job.isQueueName(other) && (redis.await(
                    redis.commands().zscore(keys.all(other), id).toCompletableFuture(), "checking a job id") != null
                    || redis.await(redis.commands().exists(keys.job(other, id)).toCompletableFuture(),
                    "checking a job id") > 0);
            if (exists) {
                results[i] = new EnqueueResult(id, true);
            } else {
                redis.await(redis.commands().hset(keys.index(), id, items.get(i).queue()).toCompletableFuture(),
                        "indexing a job id");
            }
        }
    }

    private String[] args(String queue, List<Integer> chunk, List<Item> items, long now) {
        List<String> a = new ArrayList<>(4 + chunk.size() * 13);
        a.add(Long.toString(now));
        a.add(keys.wakeChannel());
        a.add(queue);
        int columns = 0;
        for (int i : chunk) if (items.get(i).column()) columns++;
        a.add(Integer.toString(columns));
        for (int i : chunk) {
            Item it = items.get(i);
            if (!it.column()) continue;
            a.add(it.id());
            a.add(Long.toString(it.score()));
            a.add(it.envelope());
        }
        for (int i : chunk) {
            Item it = items.get(i);
            if (it.column()) continue;
            a.add(it.id());
            a.add(it.ready() ? "READY" : "SCHEDULED");
            a.add(Long.toString(it.score()));
            a.add(Integer.toString(it.priority()));
            a.add(Long.toString(it.runAt()));
            a.add(Integer.toString(it.attempt()));
            a.add(Integer.toString(it.deliveries()));
            a.add(Integer.toString(it.maxDeliveries()));
            a.add(it.task());
            a.add(it.uniqueKey() == null ? "" : it.uniqueKey());
            a.add(it.uniqueForMs() == null ? "" : Long.toString(it.uniqueForMs()));
            a.add(it.envelope());
            a.add(it.fairKey() == null ? "" : it.fairKey());
        }
        return a.toArray(String[]::new);
    }
}
