package dev.conveyor;

import dev.conveyor.job.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-enqueue overrides of a task's options. Immutable: each method returns a new value.
 *
 * <pre>{@code
 * conveyor.enqueue(SEND_REPORT, new SendReport(42), EnqueueOptions.defaults()
 *         .delay(Duration.ofMinutes(5))
 *         .priority(8)
 *         .uniqueKey("report-42"));
 * }</pre>
 */
public final class EnqueueOptions {
    private static final EnqueueOptions DEFAULTS = new EnqueueOptions(null, null, null, null, null, null, Map.of());

    private final Duration delay;
    private final Instant runAt;
    private final Integer priority;
    private final String queue;
    private final String uniqueKey;
    private final Duration uniqueFor;
    private final Map<String, String> headers;

    private EnqueueOptions(Duration delay, Instant runAt, Integer priority, String queue, String uniqueKey,
                           Duration uniqueFor, Map<String, String> headers) {
        this.delay = delay;
        this.runAt = runAt;
        this.priority = priority;
        this.queue = queue;
        this.uniqueKey = uniqueKey;
        this.uniqueFor = uniqueFor;
        this.headers = headers;
    }

    /** No overrides: the task's options apply. */
    public static EnqueueOptions defaults() {
        return DEFAULTS;
    }

    /** Run no sooner than {@code delay} from now. Replaces {@link #runAt}. */
    public EnqueueOptions delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or positive (e.g. 30s), was " + delay);
        }
        return new EnqueueOptions(delay, null, priority, queue, uniqueKey, uniqueFor, headers);
    }

    /** Run no sooner than this instant (a past instant means now). Replaces {@link #delay}. */
    public EnqueueOptions runAt(Instant runAt) {
        Objects.requireNonNull(runAt, "runAt");
        return new EnqueueOptions(null, runAt, priority, queue, uniqueKey, uniqueFor, headers);
    }

    /** Priority 0–9, higher runs first. */
    public EnqueueOptions priority(int priority) {
        Job.requirePriority(priority);
        return new EnqueueOptions(delay, runAt, priority, queue, uniqueKey, uniqueFor, headers);
    }

    /** The queue to put the job on, instead of the task's. */
    public EnqueueOptions queue(String queue) {
        Job.requireQueueName(queue);
        return new EnqueueOptions(delay, runAt, priority, queue, uniqueKey, uniqueFor, headers);
    }

    /** Makes this job unique per queue under {@code key} (overrides the task's key function). */
    public EnqueueOptions uniqueKey(String key) {
        Objects.requireNonNull(key, "uniqueKey");
        if (key.isEmpty() || key.length() > Job.MAX_UNIQUE_KEY_LENGTH) {
            throw new IllegalArgumentException("uniqueKey must be 1 to " + Job.MAX_UNIQUE_KEY_LENGTH + " characters");
        }
        return new EnqueueOptions(delay, runAt, priority, queue, key, uniqueFor, headers);
    }

    /** Keeps the unique key taken for this long after the job finishes. */
    public EnqueueOptions uniqueFor(Duration uniqueFor) {
        Objects.requireNonNull(uniqueFor, "uniqueFor");
        if (uniqueFor.isNegative()) throw new IllegalArgumentException("uniqueFor must not be negative, was " + uniqueFor);
        return new EnqueueOptions(delay, runAt, priority, queue, uniqueKey, uniqueFor, headers);
    }

    /** Adds a string header carried with the job (trace context, tenant, …). */
    public EnqueueOptions header(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new EnqueueOptions(delay, runAt, priority, queue, uniqueKey, uniqueFor, Map.copyOf(h));
    }

    /**
     * Sets the job's fairness key (tenant, customer, API host…): within its queue and priority, jobs are
     * fetched round-robin between keys. Overrides a key the task derives from its args.
     */
    public EnqueueOptions fairKey(String key) {
        return header(dev.conveyor.job.Job.FAIR_KEY_HEADER, dev.conveyor.job.Job.requireFairKey(key));
    }

    /**
     * Keeps the job, if it succeeds, with its result for {@code keep} after it finished, instead of what the
     * workers' {@link Retention} says: longer (a report users download for a week) or shorter ({@code 0}: gone at
     * the next pruning round). Overrides the task's {@link Task.Builder#keepResultFor}. Travels as the header
     * {@value dev.conveyor.job.Job#KEEP_RESULT_HEADER}.
     */
    public EnqueueOptions keepResultFor(Duration keep) {
        return header(dev.conveyor.job.Job.KEEP_RESULT_HEADER, dev.conveyor.job.Job.keepResultHeader(keep));
    }

    public Duration delay() {
        return delay;
    }

    public Instant runAt() {
        return runAt;
    }

    public Integer priority() {
        return priority;
    }

    public String queue() {
        return queue;
    }

    public String uniqueKey() {
        return uniqueKey;
    }

    public Duration uniqueFor() {
        return uniqueFor;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
