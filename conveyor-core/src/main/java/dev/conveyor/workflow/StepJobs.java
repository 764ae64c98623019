package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Task;
import dev.conveyor.TaskOptions;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Builds the job that runs one step: the task's options when this process knows the task (else the defaults
 * and the queue written in the spec), the workflow headers, and the unique key {@code wf:<id>:<node>} held
 * {@code keep} after the job finishes, so a step that runs twice (its worker died before the ack) enqueues
 * its continuation once.
 */
final class StepJobs {
    /** Headers above this are refused: the envelope must stay well under {@link JobCodec#MAX_ENVELOPE_CHARS}. */
    static final int MAX_NEXT_CHARS = 512 * 1024;

    private final Map<String, Task<?, ?>> tasks;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Duration keep;

    StepJobs(Map<String, Task<?, ?>> tasks, ObjectMapper mapper, Clock clock, Duration keep) {
        this.tasks = tasks;
        this.mapper = mapper;
        this.clock = clock;
        this.keep = keep;
    }

    Job build(String wf, String node, JsonNode spec, JsonNode args, List<WorkflowLink.Frame> next, String parentId) {
        String taskName = spec.get("task").asText();
        Task<?, ?> known = tasks.get(taskName);
        TaskOptions<?> o = known != null ? known.options() : null;
        Map<String, String> headers = WorkflowLink.headers(wf, node, next, mapper);
        String nextJson = headers.get(WorkflowLink.NEXT);
        if (nextJson != null && nextJson.length() > MAX_NEXT_CHARS) {
            throw new WorkflowFormatException("the part of workflow " + wf + " after node " + node + " is "
                    + nextJson.length() + " characters of JSON; a job carries at most " + MAX_NEXT_CHARS
                    + " (split the workflow, or start the big part from a handler with replaceWith)");
        }
        if (known != null && known.keepResultFor() != null) {
            // the task's own keep time, as for a job enqueued alone (the step's unique key may hold it longer)
            headers = new java.util.HashMap<>(headers);
            headers.put(Job.KEEP_RESULT_HEADER, Job.keepResultHeader(known.keepResultFor()));
        }
        String argsJson = args == null || args.isMissingNode() ? "null" : args.toString();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return new Job(JobIds.next(clock), taskName, spec.get("queue").asText(), argsJson, headers,
                o != null ? o.priority() : Job.DEFAULT_PRIORITY, 0, 0,
                o != null ? o.maxAttempts() : Task.DEFAULT_MAX_ATTEMPTS,
                o != null ? o.maxDeliveries() : Task.DEFAULT_MAX_DELIVERIES,
                now, now,
                o != null && o.maxAge() != null ? now.plus(o.maxAge()) : null,
                o != null ? o.timeout() : Task.DEFAULT_TIMEOUT,
                WorkflowKeys.step(wf, node), keep, parentId, wf);
    }
}
