package dev.conveyor.redis;

import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases jobs with the fetch script, which per queue promotes due delayed jobs, reclaims expired leases
 * (back to ready: a worker quarantines a crash-looping job) and takes the best ready jobs. On one server every queue of
 * a fetch goes into one script call, so several queues form one pool atomically. In Redis Cluster a call may
 * touch one slot only: a fetch over several queues first peeks each queue's best candidates (one call per queue,
 * pipelined), picks the best {@code max} of them here, then leases that many from each queue (a second round
 * of calls). Records that do not decode are buried with the problem as their reason, never returned.
 */
final class RedisFetcher {
    private static final Logger log = LoggerFactory.getLogger(RedisFetcher.class);
    private static final Comparator<LeasedJob> FETCH_ORDER = Comparator
            .<LeasedJob>comparingInt(l -> -l.job().priority())
            .thenComparing(l -> l.job().runAt())
            .thenComparing(l -> l.job().id());
    /** Most delayed jobs promoted, and most expired leases reclaimed, per queue per fetch: keeps each call short. */
    static final int HOUSEKEEPING_LIMIT = 1000;

    private final RedisConnection redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final RedisSettler settler;

    RedisFetcher(RedisConnection redis, RedisKeys keys, Clock clock, RedisSettler settler) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.settler = settler;
    }

    /**
     * What a fetch leased, and when it ran the queues dry, when their next work is due: {@link #NOT_KNOWN} after a
     * full fetch (or one over several queues of a cluster), {@link #NONE_DUE} when no delayed job or lease is
     * waiting, else epoch milliseconds.
     */
    record Fetched(List<LeasedJob> jobs, long nextDueMs) {}

    static final long NOT_KNOWN = -1;
    static final long NONE_DUE = Long.MAX_VALUE;

    Fetched fetch(List<String> queues, int max, Duration leaseFor) {
        Instant now = clock.instant();
        Instant until = now.plus(leaseFor);
        String token = Long.toString(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        List<LeasedJob> out = new ArrayList<>();
        long nextDue = NOT_KNOWN;
        if (!redis.cluster() || queues.size() == 1) {
            Object reply = redis.await(call(queues, "lease", max, now, until, token), "fetching jobs");
            nextDue = collect(reply, queues, now, until, token, out);
        } else {
            for (Share share : shares(queues, max, now, until, token)) {
                Object reply = redis.await(share.call, "fetching jobs");
                collect(reply, List.of(share.queue), now, until, token, out);
            }
        }
        out.sort(FETCH_ORDER);
        return new Fetched(out, nextDue);
    }

    private record Share(String queue, CompletableFuture<Object> call) {}

    private record Candidate(String queue, String id, long score) {}

    /** Cluster: peeks every queue, picks the best max candidates, and sends one lease call per queue with a share. */
    private List<Share> shares(List<String> queues, int max, Instant now, Instant until, String token) {
        List<CompletableFuture<Object>> peeks = new ArrayList<>();
        for (String q : queues) peeks.add(call(List.of(q), "peek", max, now, until, token));
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
            List<Object> reply;
            try {
                reply = Replies.list(redis.await(peeks.get(i), "fetching jobs"));
            } catch (RuntimeException e) {
                if (!RedisConnection.isServerError(e)) throw e;
                log.warn("skipping queue {} in this fetch: {}", queues.get(i), e.getMessage());
                continue;
            }
            warn(reply.get(1));
            List<Object> flat = Replies.list(reply.get(0));
            for (int k = 0; k + 1 < flat.size(); k += 2) {
                long score = (long) Double.parseDouble(Replies.text(flat.get(k + 1)));
                candidates.add(new Candidate(queues.get(i), Replies.text(flat.get(k)), score));
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::score).thenComparing(Candidate::id));
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (Candidate c : candidates.subList(0, Math.min(max, candidates.size()))) counts.merge(c.queue, 1, Integer::sum);
        List<Share> shares = new ArrayList<>();
        counts.forEach((q, n) -> shares.add(new Share(q, call(List.of(q), "lease", n, now, until, token))));
        return shares;
    }

    private CompletableFuture<Object> call(List<String> queues, String mode, int max, Instant now, Instant until,
                                           String token) {
        String[] readyKeys = queues.stream().map(keys::ready).toArray(String[]::new);
        return redis.run(LuaScript.FETCH, readyKeys, Long.toString(now.toEpochMilli()),
                Long.toString(until.toEpochMilli()), Integer.toString(max), token, mode,
                Integer.toString(HOUSEKEEPING_LIMIT));
    }

    /** Adds the reply's jobs to {@code out}; returns its next-due time (see {@link Fetched}). */
    private long collect(Object reply, List<String> queues, Instant now, Instant until, String token,
                         List<LeasedJob> out) {
        List<Object> parts = Replies.list(reply);
        warn(parts.get(1));
        long tokenValue = Long.parseLong(token);
        // job hashes, per job: queueIndex, id, envelope, attempt, deliveries, runAt, priority
        List<Object> flat = Replies.list(parts.get(0));
        for (int i = 0; i + 6 < flat.size(); i += 7) {
            List<Object> e = flat.subList(i, i + 7);
            add(queues, e, Replies.text(e.get(3)), Replies.text(e.get(4)), Replies.text(e.get(5)), Replies.text(e.get(6)),
                    tokenValue, until, out);
        }
        // column jobs, per job: queueIndex, id, envelope (first delivery, no attempt yet, the envelope's runAt and priority)
        List<Object> columns = parts.size() > 2 ? Replies.list(parts.get(2)) : List.of();
        for (int i = 0; i + 2 < columns.size(); i += 3) {
            add(queues, columns.subList(i, i + 3), "0", "1", null, null, tokenValue, until, out);
        }
        Object due = parts.size() > 3 ? parts.get(3) : null; // a reply of a script before nextDue: not known
        if (due == null) return NOT_KNOWN;
        String text = Replies.text(due);
        if (text.isEmpty()) return NONE_DUE;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return NOT_KNOWN;
        }
    }

    /** One leased job from its queue index, id and envelope ({@code e}) and its counters; a corrupt one is buried. */
    private void add(List<String> queues, List<Object> e, String attempt, String deliveries, String runAt, String priority,
                     long tokenValue, Instant until, List<LeasedJob> out) {
        String queue = queues.get((int) Replies.number(e.get(0)) - 1);
        String id = Replies.text(e.get(1));
        Lease lease = new Lease(id, tokenValue);
        try {
            Job job = JobHashes.leased(id, queue, Replies.text(e.get(2)), attempt, deliveries, runAt, priority);
            settler.remember(id, queue);
            out.add(new LeasedJob(job, lease, until));
        } catch (JobCodec.CorruptJobException bad) {
            String reason = "corrupt record: " + bad.getMessage();
            log.warn("job {} in queue {} cannot be decoded; moving it to the dead set: {}", id, queue, reason);
            try {
                settler.buryCorrupt(queue, lease, reason);
            } catch (RuntimeException failed) {
                // Still leased: when the lease expires the next fetch finds it again and retries the burial.
                log.warn("could not bury corrupt job {} yet: {}", id, failed.getMessage());
            }
        }
    }

    /** Logs what the script skipped: keys under the prefix that are not Conveyor's records. */
    private static void warn(Object notes) {
        for (Object note : Replies.list(notes)) {
            log.warn("Redis data that is not a Conveyor job was skipped: {}", note);
        }
    }
}
