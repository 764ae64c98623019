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

    /**
     * Reports how far the job has got: readable from any process through {@code JobHandle.progress()} and
     * {@code conveyor jobs show}. Cheap to call often: the worker stores the latest report about once a second.
     * Throws {@link IllegalArgumentException} for a percent outside 0–100 or a message over 500 characters.
     * Does nothing where the broker keeps no progress.
     *
     * <pre>{@code
     * for (int page = 1; page <= pages; page++) {
     *     render(page);
     *     ctx.progress(100 * page / pages, "page " + page + " of " + pages);
     * }
     * }</pre>
     */
    default void progress(int percent, String message) {
        new dev.conveyor.job.Progress(percent, message, clock().instant()); // validates even where it is not stored
    }

    /**
     * True once someone cancelled this running job ({@code JobHandle.cancel()}, {@code conveyor jobs cancel}).
     * The worker also interrupts the handler's thread; a handler doing long CPU work can poll this instead and
     * return early: once the worker has learned of the cancel the run ends {@code CANCELLED} however the handler
     * returns (its result, if any, is not stored).
     */
    default boolean isCancelRequested() {
        return false;
    }

    /**
     * Fans out: when this handler returns, {@code flow} runs in this step's place in its workflow, and what
     * follows the step waits for it and gets its result (not the handler's). For a number of parts known only
     * at run time. Only for jobs of a workflow; the last call wins.
     *
     * <pre>{@code
     * Task<Dir, Void> scan = Task.named("scan", Dir.class).action((dir, ctx) ->
     *         ctx.replaceWith(Flow.group(list(dir).stream().map(f -> Flow.step(HASH, f)).toList())));
     * conveyor.start(Flow.chain(Flow.step(scan, dir), Flow.then(REPORT)), Report.class);  // REPORT gets every hash
     * }</pre>
     */
    default void replaceWith(dev.conveyor.workflow.Flow flow) {
        throw new UnsupportedOperationException("replaceWith works only while a worker runs the job");
    }
}
