package dev.conveyor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.crypto.ArgsCipher;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.trace.HeaderPropagator;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what a caller enqueues (a task and its args, or a task name and JSON) into a {@link Job}: options
 * resolved in order enqueue → task → defaults, propagated headers added, size checked. Kept apart from
 * {@link Conveyor}, which only sends jobs and hands out handles.
 */
final class JobFactory {
    private final ObjectMapper mapper;
    private final Clock clock;
    private final List<HeaderPropagator> headerPropagators;
    /** Seals the args of tasks that encrypt them; null when no key is configured. */
    private final ArgsCipher argsCipher;

    JobFactory(ObjectMapper mapper, Clock clock, List<HeaderPropagator> headerPropagators, ArgsCipher argsCipher) {
        this.mapper = mapper;
        this.clock = clock;
        this.headerPropagators = List.copyOf(headerPropagators);
        this.argsCipher = argsCipher;
    }

    /** A schedule's args as JSON, written once at build time so a bad schedule fails at startup. */
    String scheduleArgs(Schedule sc) {
        if (sc.taskName() == null) {
            throw new IllegalArgumentException(sc.name() + ": no task; call .task(task, args) or .taskNamed(name, json)");
        }
        try {
            if (sc.args() instanceof Schedule.JsonArgs json) {
                return dev.conveyor.internal.Json.readExact(json.json()).toString(); // decimals as given
            }
            return mapper.writeValueAsString(sc.args());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(sc + ": args are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The job a schedule enqueues for one fire time; its unique key makes every scheduler agree on one job. */
    Job forTick(Schedule sc, String argsJson, Task<?, ?> known, Instant fireTime) {
        EnqueueOptions e = EnqueueOptions.defaults()
                .uniqueKey(sc.uniqueKey(fireTime))
                .uniqueFor(Scheduler.UNIQUE_FOR)
                .header("conveyor-schedule", sc.name())
                .header("conveyor-fire-time", fireTime.toString());
        if (sc.queue() != null) e = e.queue(sc.queue());
        return build(sc.taskName(), argsJson, known, null, e);
    }

    /** A job of {@code task} with {@code args} written as JSON, the task's options and the caller's overrides. */
    <A> Job fromTask(Task<A, ?> task, A args, EnqueueOptions options) {
        Objects.requireNonNull(args, () -> "args of task '" + task.name() + "' must not be null");
        String json;
        try {
            json = mapper.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("args of task '" + task.name() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
        String derivedKey = task.options().uniqueKey() == null ? null : task.options().uniqueKey().apply(args);
        if (task.fairKey() != null && !options.headers().containsKey(Job.FAIR_KEY_HEADER)) {
            String fair = task.fairKey().apply(args);
            if (fair != null) options = options.fairKey(fair);
        }
        return build(task.name(), json, task, derivedKey, options);
    }

    /**
     * A job of a task known by name; {@code known} is null when the task's classes are not here (the job gets
     * the defaults, args as given). {@code derivedKey} is the task's own unique key, used when the options name none.
     */
    Job build(String taskName, String argsJson, Task<?, ?> known, String derivedKey, EnqueueOptions e) {
        TaskOptions<?> o = known != null ? known.options() : null;
        if (known != null && known.encryptArgs() && !ArgsCipher.isSealed(argsJson)) {
            argsJson = argsCipher.seal(taskName, argsJson); // Conveyor refuses to build without a key for such a task
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant runAt = e.runAt() != null ? e.runAt().truncatedTo(ChronoUnit.MILLIS)
                : e.delay() != null ? now.plus(e.delay()) : now;
        String queue = e.queue() != null ? e.queue() : o != null ? o.queue() : Job.DEFAULT_QUEUE;
        int priority = e.priority() != null ? e.priority() : o != null ? o.priority() : Job.DEFAULT_PRIORITY;
        String uniqueKey = e.uniqueKey() != null ? e.uniqueKey() : derivedKey;
        Map<String, String> headers = propagatedHeaders(e.headers());
        if (o != null && !o.sensitive().isEmpty() && !headers.containsKey(dev.conveyor.job.SensitiveFields.HEADER)) {
            // The dashboard has no task classes: the names to mask travel with the job.
            headers = new java.util.HashMap<>(headers);
            headers.put(dev.conveyor.job.SensitiveFields.HEADER, String.join(",", o.sensitive()));
        }
        if (known != null && known.keepResultFor() != null && !headers.containsKey(Job.KEEP_RESULT_HEADER)) {
            headers = new java.util.HashMap<>(headers);
            headers.put(Job.KEEP_RESULT_HEADER, Job.keepResultHeader(known.keepResultFor()));
        }
        checkSize(taskName, argsJson, headers);
        return new Job(JobIds.next(clock), taskName, queue, argsJson, headers, priority, 0, 0,
                o != null ? o.maxAttempts() : Task.DEFAULT_MAX_ATTEMPTS,
                o != null ? o.maxDeliveries() : Task.DEFAULT_MAX_DELIVERIES,
                runAt, now,
                o != null && o.maxAge() != null ? now.plus(o.maxAge()) : null,
                o != null ? o.timeout() : Task.DEFAULT_TIMEOUT,
                uniqueKey,
                e.uniqueFor() != null ? e.uniqueFor() : o != null ? o.uniqueFor() : null,
                null, null);
    }

    /**
     * Refuses a job whose envelope would pass {@link JobCodec#MAX_ENVELOPE_CHARS}: every worker's decoder refuses
     * such an envelope, so it must not be stored at all (brokers may set a lower limit, as Redis's
     * {@code payloadLimit}). Counted without encoding: args and headers are almost all of an envelope.
     */
    private static void checkSize(String taskName, String argsJson, Map<String, String> headers) {
        long chars = argsJson.length() + 512L; // the fixed fields, with room to spare
        for (Map.Entry<String, String> h : headers.entrySet()) chars += h.getKey().length() + h.getValue().length() + 6;
        if (chars > JobCodec.MAX_ENVELOPE_CHARS) {
            throw new IllegalArgumentException("a job of task '" + taskName + "' would be about " + chars
                    + " characters as a JSON envelope (args " + argsJson.length() + "); the limit is "
                    + JobCodec.MAX_ENVELOPE_CHARS + " (JobCodec.MAX_ENVELOPE_CHARS). Put large data in object storage "
                    + "and pass a reference");
        }
    }

    /** The caller's headers plus those the header propagators add (trace context); the caller's win. */
    private Map<String, String> propagatedHeaders(Map<String, String> headers) {
        if (headerPropagators.isEmpty()) return headers;
        Map<String, String> all = new LinkedHashMap<>();
        for (HeaderPropagator p : headerPropagators) all.putAll(p.headers());
        all.putAll(headers);
        return all;
    }
}
