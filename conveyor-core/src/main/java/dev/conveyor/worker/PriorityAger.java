package dev.conveyor.worker;

import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Priority aging ({@link dev.conveyor.WorkerOptions#priorityAging}): once per step and queue, moves every ready
 * job that has waited at least a step up one priority. Each round is claimed with a compare-and-set of
 * {@code aging:<queue>} (the time of the last round), so however many workers run it, a queue ages once per
 * step. Within a round priorities are taken from 8 down to 0, so a job moves at most one level per round.
 */
public final class PriorityAger {
    private static final Logger log = LoggerFactory.getLogger(PriorityAger.class);
    /** Jobs moved per broker call: one short transaction or script each. */
    static final int BATCH = 1000;
    /** Longest one round keeps moving full batches of one queue. */
    private static final long ROUND_NANOS = 5_000_000_000L;

    private final JobStore store;
    private final StateStore state;
    private final List<String> queues;
    private final Duration step;
    private final Clock clock;

    public PriorityAger(JobStore store, StateStore state, List<String> queues, Duration step, Clock clock) {
        this.store = store;
        this.state = state;
        this.queues = List.copyOf(queues);
        this.step = step;
        this.clock = clock;
    }

    /** Runs the rounds that are due; returns how many jobs moved. Never throws: a failure is logged and retried. */
    public int runOnce() {
        int moved = 0;
        for (String queue : queues) {
            try {
                Instant now = clock.instant();
                if (claimRound(queue, now)) moved += age(queue, now.minus(step));
            } catch (RuntimeException e) {
                log.warn("aging priorities of queue {} failed: {}; trying again next round", queue, e.toString());
            }
        }
        return moved;
    }

    private boolean claimRound(String queue, Instant now) {
        String key = "aging:" + queue;
        String last = state.readState(key).orElse(null);
        if (last != null) {
            long lastMillis;
            try {
                lastMillis = Long.parseLong(last);
            } catch (NumberFormatException e) {
                lastMillis = Long.MIN_VALUE; // not ours: take the round and overwrite it
            }
            if (lastMillis != Long.MIN_VALUE && now.toEpochMilli() - lastMillis < step.toMillis()) return false;
        }
        return state.compareAndSetState(key, last, Long.toString(now.toEpochMilli()));
    }

    private int age(String queue, Instant readySince) {
        int moved = 0;
        long until = System.nanoTime() + ROUND_NANOS;
        for (int p = Job.MAX_PRIORITY - 1; p >= Job.MIN_PRIORITY; p--) {
            int n;
            do {
                n = store.agePriority(queue, p, readySince, BATCH);
                moved += n;
            } while (n == BATCH && System.nanoTime() < until);
        }
        if (moved > 0) log.debug("aged {} job(s) of queue {} one priority up", moved, queue);
        return moved;
    }
}
