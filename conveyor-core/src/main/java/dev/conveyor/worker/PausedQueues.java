package dev.conveyor.worker;

import dev.conveyor.broker.StateStore;
import dev.conveyor.job.Job;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which queues are paused for every worker: a key {@code queue-paused:<queue>} in the broker's shared state.
 * Workers keep a copy refreshed every second ({@link #refresh}) and fetch only from queues not in it, so a
 * pause takes effect within about a second everywhere; jobs already running finish normally.
 */
public final class PausedQueues {
    private static final Logger log = LoggerFactory.getLogger(PausedQueues.class);
    /** The state key prefix of paused queues. */
    public static final String KEY_PREFIX = "queue-paused:";

    private final StateStore state;
    private volatile Set<String> paused = Set.of();

    PausedQueues(StateStore state) {
        this.state = state;
    }

    /** Reads the paused set again; on a broker error keeps the last one (and says so). */
    void refresh() {
        try {
            Set<String> now = read(state);
            if (!now.equals(paused)) log.info("paused queues now {}", now.isEmpty() ? "none" : now);
            paused = now;
        } catch (RuntimeException e) {
            log.warn("could not read paused queues, keeping {}: {}", paused, e.toString());
        }
    }

    /** {@code queues} without the paused ones, in their order. */
    List<String> active(List<String> queues) {
        Set<String> p = paused;
        return p.isEmpty() ? queues : queues.stream().filter(q -> !p.contains(q)).toList();
    }

    /** The queues paused in {@code state}. */
    public static Set<String> read(StateStore state) {
        Set<String> out = new TreeSet<>();
        for (String key : state.readStates(KEY_PREFIX).keySet()) out.add(key.substring(KEY_PREFIX.length()));
        return out;
    }

    /**
     * Pauses or resumes {@code queue} for every worker. Returns false if it already was in that state.
     * Pausing a queue no worker serves yet is allowed (it stays paused when one starts).
     */
    public static boolean set(StateStore state, String queue, boolean pause, Instant now) {
        Job.requireQueueName(queue);
        String key = KEY_PREFIX + queue;
        for (int attempt = 0; attempt < 10; attempt++) {
            String current = state.readState(key).orElse(null);
            if ((current != null) == pause) return false;
            String next = pause ? "{\"since\":" + now.toEpochMilli() + "}" : null;
            if (state.compareAndSetState(key, current, next)) return true;
        }
        throw new IllegalStateException("queue '" + queue + "' pause flag kept changing; try again");
    }
}
