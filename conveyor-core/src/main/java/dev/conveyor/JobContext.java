package dev.conveyor;

import dev.conveyor.job.Job;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * What a running handler (and middleware) may know about its job. Passed to handlers that take two
 * parameters, e.g. {@code .handler((args, ctx) -> ...)}.
 */
public interface JobContext {
    /** The job as leased: id, task, queue, attempt, headers… */
    Job job();

    default String jobId() {
        return job().id();
    }

    default String task() {
        return job().task();
    }

    default String queue() {
        return job().queue();
    }

    /** Failed runs before this one: 0 on the first run. */
    default int attempt() {
        return job().attempt();
    }

    default Map<String, String> headers() {
        return job().headers();
    }

    /** When this run must end, or null when the task has no timeout. */
    Instant deadline();

    /** The clock Conveyor runs on (a settable one in tests). */
    Clock clock();
}
