package dev.conveyor.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One enqueued invocation of a task: the record a broker stores and leases. Immutable; brokers derive the
 * next version with the {@code with…} methods. Field meanings are the wire format's, see {@code docs/PROTOCOL.md}.
 *
 * @param id            UUIDv7, unique, stable across retries (handlers may dedupe on it)
 * @param task          the task's stable name
 * @param queue         queue name, {@code [A-Za-z0-9_.-]{1,64}}
 * @param args          the arguments as raw JSON text (decoded by the worker into the task's args type)
 * @param headers       string metadata (trace context, tenant…), never null
 * @param priority      0–9, higher runs first
 * @param attempt       handler runs that ended in failure so far
 * @param deliveries    leases used up so far (a lost worker costs a delivery, not an attempt)
 * @param maxAttempts   the job is dead once {@code attempt} reaches this
 * @param maxDeliveries the job is quarantined once its leases were lost this many times
 * @param runAt         not leased before this instant
 * @param enqueuedAt    first enqueue; retries keep it; the age limit counts from it
 * @param expiresAt     dropped unrun to the dead set if not started by then; null = no age limit
 * @param timeout       a run longer than this is interrupted and counts as a failed attempt; null = none
 * @param uniqueKey     at most one unfinished job per (queue, uniqueKey); null = not unique
 * @param uniqueFor     how long the key stays taken after the job finishes; null = released at finish
 * @param parentId      the job that enqueued this one (workflows), or null
 * @param groupId       the workflow group this job belongs to, or null
 */
public record Job(
        String id,
        String task,
        String queue,
        String args,
        Map<String, String> headers,
        int priority,
        int attempt,
        int deliveries,
        int maxAttempts,
        int maxDeliveries,
        Instant runAt,
        Instant enqueuedAt,
        Instant expiresAt,
        Duration timeout,
        String uniqueKey,
        Duration uniqueFor,
        String parentId,
        String groupId) {

    /** Version of the JSON envelope this code reads and writes. */
    public static final int PROTOCOL_VERSION = 1;
    public static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;
    public static final int DEFAULT_PRIORITY = 5;
    public static final String DEFAULT_QUEUE = "default";
    public static final int MAX_TASK_NAME_LENGTH = 200;
    public static final int MAX_UNIQUE_KEY_LENGTH = 512;
    /**
     * The header naming a job's fairness key: jobs of one queue and priority are fetched round-robin between
     * keys (one tenant's backlog does not starve another's few jobs). See {@link #fairKey()}.
     */
    public static final String FAIR_KEY_HEADER = "conveyor-fair-key";
    public static final int MAX_FAIR_KEY_LENGTH = 200;
    /**
     * The header carrying how long a job that succeeds is kept, with its result, after it finished: decimal
     * milliseconds. Absent, the worker's {@code Retention} decides. See {@link #keepResultFor()}.
     */
    public static final String KEEP_RESULT_HEADER = "conveyor-keep-result-ms";
    /** Longest {@link #keepResultFor()}: about 100 years, so finish time plus it never overflows. */
    public static final Duration MAX_KEEP_RESULT = Duration.ofDays(36_500);

    public Job {
        requireText(id, "id");
        requireTaskName(task);
        requireQueueName(queue);
        requireText(args, "args");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        requirePriority(priority);
        if (attempt < 0) throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        if (deliveries < 0) throw new IllegalArgumentException("deliveries must be >= 0, was " + deliveries);
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("maxDeliveries must be >= 1, was " + maxDeliveries);
        }
        Objects.requireNonNull(runAt, "runAt");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive (or null for none), was " + timeout);
        }
        if (uniqueKey != null && (uniqueKey.isEmpty() || uniqueKey.length() > MAX_UNIQUE_KEY_LENGTH)) {
            throw new IllegalArgumentException(
                    "uniqueKey must be 1 to " + MAX_UNIQUE_KEY_LENGTH + " characters (or null), was '" + uniqueKey + "'");
        }
        if (uniqueFor != null && uniqueFor.isNegative()) {
            throw new IllegalArgumentException("uniqueFor must not be negative, was " + uniqueFor);
        }
        String fair = headers.get(FAIR_KEY_HEADER);
        if (fair != null) requireFairKey(fair);
        String keep = headers.get(KEEP_RESULT_HEADER);
        if (keep != null) parseKeepResult(keep);
    }

    /**
     * How long this job, if it succeeds, is kept with its result after it finished (header
     * {@value #KEEP_RESULT_HEADER}), or null when the worker's retention policy decides. Workers prune it once
     * that time has passed, whatever their policy's age and count limits say; only a policy that prunes nothing
     * ({@code Retention.keepAll()}) keeps it longer. Dead and cancelled jobs follow the policy.
     */
    public Duration keepResultFor() {
        String keep = headers.get(KEEP_RESULT_HEADER);
        return keep == null ? null : parseKeepResult(keep);
    }

    /** The header value for {@code keep}: milliseconds; throws unless 0 to {@link #MAX_KEEP_RESULT}. */
    public static String keepResultHeader(Duration keep) {
        Objects.requireNonNull(keep, "keepResultFor");
        if (keep.isNegative() || keep.compareTo(MAX_KEEP_RESULT) > 0) {
            throw new IllegalArgumentException("keepResultFor must be 0 to " + MAX_KEEP_RESULT.toDays() + " days, was " + keep);
        }
        return Long.toString(keep.toMillis());
    }

    private static Duration parseKeepResult(String value) {
        long ms = -1;
        if (!value.isEmpty() && value.length() <= 13 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            ms = Long.parseLong(value);
        }
        if (ms < 0 || ms > MAX_KEEP_RESULT.toMillis()) {
            throw new IllegalArgumentException("header " + KEEP_RESULT_HEADER + " must be a whole number of milliseconds, 0 to "
                    + MAX_KEEP_RESULT.toMillis() + ", was '" + value + "'");
        }
        return Duration.ofMillis(ms);
    }

    /**
     * The job's fairness key (header {@value #FAIR_KEY_HEADER}), or null. Brokers place a keyed job that is due
     * at enqueue in the fetch order by start-time fair queuing: right after the head of its queue and priority
     * when its key has nothing waiting, else one millisecond after the key's last waiting job. So keys take
     * turns, however many jobs one of them has queued.
     */
    public String fairKey() {
        return headers.get(FAIR_KEY_HEADER);
    }

    /** Throws {@link IllegalArgumentException} unless 1 to {@value #MAX_FAIR_KEY_LENGTH} printable characters. */
    public static String requireFairKey(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_FAIR_KEY_LENGTH
                || key.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("fair key must be 1 to " + MAX_FAIR_KEY_LENGTH
                    + " printable characters, was " + (key == null ? "null" : "'" + key + "'"));
        }
        return key;
    }

    public Job withAttempt(int newAttempt) {
        return new Job(id, task, queue, args, headers, priority, newAttempt, deliveries, maxAttempts, maxDeliveries,
                runAt, enqueuedAt, expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
    }

    public Job withDeliveries(int newDeliveries) {
        return new Job(id, task, queue, args, headers, priority, attempt, newDeliveries, maxAttempts, maxDeliveries,
                runAt, enqueuedAt, expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
    }

    public Job withPriority(int newPriority) {
        return new Job(id, task, queue, args, headers, newPriority, attempt, deliveries, maxAttempts, maxDeliveries,
                runAt, enqueuedAt, expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
    }

    public Job withRunAt(Instant newRunAt) {
        return new Job(id, task, queue, args, headers, priority, attempt, deliveries, maxAttempts, maxDeliveries,
                newRunAt, enqueuedAt, expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
    }

    /** Throws {@link IllegalArgumentException} naming the field and the allowed values unless valid. */
    public static String requireQueueName(String queue) {
        if (!isQueueName(queue)) {
            throw new IllegalArgumentException("queue must match [A-Za-z0-9_.-]{1,64} (letters, digits, '_', '.', '-'), was "
                    + (queue == null ? "null" : "'" + queue + "'"));
        }
        return queue;
    }

    /**
     * Whether {@code queue} is a valid queue name: what {@link #QUEUE_NAME} matches, checked without a regex (every
     * job built or read checks its queue: the matcher was ~1 % of a worker's CPU at full load).
     */
    public static boolean isQueueName(String queue) {
        if (queue == null || queue.isEmpty() || queue.length() > 64) return false;
        for (int i = 0; i < queue.length(); i++) {
            char c = queue.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    public static String requireTaskName(String task) {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("task name must not be empty");
        }
        if (task.length() > MAX_TASK_NAME_LENGTH || hasControlCharacter(task)) {
            throw new IllegalArgumentException("task name must be 1 to " + MAX_TASK_NAME_LENGTH
                    + " printable characters, was '" + task + "'");
        }
        return task;
    }

    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) return true;
        }
        return false;
    }

    public static int requirePriority(int priority) {
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY
                    + " (higher runs first), was " + priority);
        }
        return priority;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
    }
}
