package dev.conveyor.broker;

import dev.conveyor.job.Job;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a job with a fairness key ({@link Job#fairKey()}) goes in its queue's fetch order: start-time fair
 * queuing on the order every broker already keeps (priority, then {@code runAt}, then id).
 *
 * <p>A keyed job that is due when enqueued gets a <em>place</em>, stored as its {@code runAt} while it waits:
 * <pre>
 *   place = max(min(now, head), last + 1 ms)
 * </pre>
 * where {@code head} is the {@code runAt} of the first ready job of the same queue and priority (the point the
 * workers have reached) and {@code last} the largest place among the key's ready jobs there. A key with nothing
 * waiting goes right behind the head; a key with a backlog continues it one millisecond per job. So a tenant's
 * 100,000-job burst is spread over 100 s of places and another tenant's job, arriving later, lands next to the
 * head instead of behind the burst: keys take turns, one job each. Jobs without a key keep {@code runAt} = their
 * due time, as before.
 *
 * <p>Places only decide order: a keyed job is ready at once whatever its place (brokers file it as ready even
 * when the place is in the future). A job that is retried, handed back or delayed is due at its new
 * {@code runAt} and is placed by that, like a job without a key.
 */
public final class FairOrder {
    /** The spacing of one key's consecutive places. */
    public static final long SPACING_MILLIS = 1;

    private FairOrder() {}

    /** What a broker reads to place a batch; each call may hit storage, so {@link #places} asks once per pair. */
    public interface Lookup<E extends Exception> {
        /** The {@code runAt} (epoch ms) of the first ready job of this queue and priority, or null if none. */
        Long head(String queue, int priority) throws E;

        /** The largest {@code runAt} (epoch ms) among this key's ready jobs in this queue, or null if none. */
        Long last(String queue, String key) throws E;
    }

    /** The place of one keyed job; {@code head} and {@code last} may be null. */
    public static long place(long now, Long head, Long last) {
        long start = head == null ? now : Math.min(now, head);
        return last == null ? start : Math.max(start, last + SPACING_MILLIS);
    }

    /** True when the job takes part: it has a key and is due at {@code now}. */
    public static boolean applies(Job job, long now) {
        return job.fairKey() != null && job.runAt().toEpochMilli() <= now;
    }

    /**
     * The places of a batch's keyed, due jobs, by index (null where a job keeps its {@code runAt}). Jobs of one
     * key are placed in batch order, one after another.
     */
    public static <E extends Exception> Long[] places(List<Job> jobs, long now, Lookup<E> lookup) throws E {
        Long[] out = new Long[jobs.size()];
        Map<String, Long> heads = new HashMap<>();
        Map<String, Long> lasts = new HashMap<>();
        for (int i = 0; i < out.length; i++) {
            Job job = jobs.get(i);
            if (!applies(job, now)) continue;
            String headKey = job.queue() + '\u0000' + job.priority();
            if (!heads.containsKey(headKey)) heads.put(headKey, lookup.head(job.queue(), job.priority()));
            String lastKey = job.queue() + '\u0000' + job.fairKey();
            if (!lasts.containsKey(lastKey)) lasts.put(lastKey, lookup.last(job.queue(), job.fairKey()));
            long place = place(now, heads.get(headKey), lasts.get(lastKey));
            lasts.put(lastKey, place);
            out[i] = place;
        }
        return out;
    }
}
