package dev.conveyor.metrics;

import dev.conveyor.events.JobOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The counters and timers of one (task, queue) pair, registered together the first time the pair is seen. */
final class TaskMeters {
    // Histogram buckets from 1 ms to 1 h: jobs range from quick sends to long reports.
    private static final Duration MIN_EXPECTED = Duration.ofMillis(1);
    private static final Duration MAX_EXPECTED = Duration.ofHours(1);

    final Counter enqueued;
    final Counter started;
    final Counter failed;
    final Timer runTime;
    final Timer waitTime;
    private final Map<JobOutcome, Counter> outcomes = new EnumMap<>(JobOutcome.class);

    TaskMeters(MeterRegistry registry, String task, String queue) {
        Tags tags = Tags.of("task", task, "queue", queue);
        enqueued = counter(registry, MeterNames.ENQUEUED, "Jobs stored by enqueue or a schedule", tags);
        started = counter(registry, MeterNames.STARTED, "Handler runs started", tags);
        failed = counter(registry, MeterNames.FAILED, "Handler runs that threw or timed out", tags);
        outcomes.put(JobOutcome.SUCCEEDED, counter(registry, MeterNames.SUCCEEDED, "Runs recorded as succeeded", tags));
        outcomes.put(JobOutcome.RETRIED, counter(registry, MeterNames.RETRIED, "Failed runs that will run again", tags));
        outcomes.put(JobOutcome.DEAD, counter(registry, MeterNames.DEAD, "Jobs that failed for good", tags));
        outcomes.put(JobOutcome.CANCELLED, counter(registry, MeterNames.CANCELLED, "Runs ended by a cancel", tags));
        outcomes.put(JobOutcome.POSTPONED, counter(registry, MeterNames.POSTPONED,
                "Jobs put back unrun by a rate or concurrency limit", tags));
        outcomes.put(JobOutcome.RELEASED, counter(registry, MeterNames.RELEASED, "Jobs handed back at shutdown", tags));
        outcomes.put(JobOutcome.REFUSED, counter(registry, MeterNames.REFUSED,
                "Outcomes the broker refused because the lease was lost", tags));
        runTime = timer(registry, MeterNames.RUN_TIME, "How long handlers ran", tags);
        waitTime = timer(registry, MeterNames.WAIT_TIME, "How long jobs were due before they started (from runAt)", tags);
    }

    Counter outcome(JobOutcome outcome) {
        return outcomes.get(outcome);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(MIN_EXPECTED).maximumExpectedValue(MAX_EXPECTED).register(registry);
    }
}
