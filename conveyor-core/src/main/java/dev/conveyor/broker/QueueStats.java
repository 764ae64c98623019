package dev.conveyor.broker;

import dev.conveyor.job.JobState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A queue's depth by state.
 *
 * @param queue            queue name
 * @param counts           jobs per state; states with none may be absent. A {@code SCHEDULED} job that is due
 *                         counts as {@code READY}.
 * @param oldestReadySince the {@code runAt} of the longest-waiting ready job, or null when none is ready;
 *                         now minus this is the alerting signal "oldest job age"
 */
public record QueueStats(String queue, Map<JobState, Long> counts, Instant oldestReadySince) {
    public QueueStats {
        Objects.requireNonNull(queue, "queue");
        EnumMap<JobState, Long> copy = new EnumMap<>(JobState.class);
        if (counts != null) copy.putAll(counts);
        counts = java.util.Collections.unmodifiableMap(copy);
    }

    public long count(JobState state) {
        return counts.getOrDefault(state, 0L);
    }
}
