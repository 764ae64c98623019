package dev.conveyor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A reference to one job, good in any process that can reach the broker: every method reads the broker's
 * store, none depends on the worker running in this JVM. Get one from {@code Conveyor.enqueue} or, in
 * another process, from {@code Conveyor.handle(task, id)}.
 *
 * <pre>{@code
 * JobHandle<Thumb> job = conveyor.enqueue(RESIZE, new Resize(url, 200));
 * Thumb thumb = job.await(Duration.ofSeconds(30));   // throws JobFailedException if it went dead
 * }</pre>
 *
 * @param <R> the task's result type
 */
public final class JobHandle<R> {
    private final String id;
    private final boolean duplicate;
    private final Class<R> resultType;
    private final JobStore store;
    private final ObjectMapper mapper;
    /** How cancels go out: through Conveyor, which also tells a cancelled workflow step's workflow. */
    private final java.util.function.Function<java.util.List<String>, java.util.List<dev.conveyor.broker.CancelResult>> canceller;

    JobHandle(String id, boolean duplicate, Class<R> resultType, JobStore store, ObjectMapper mapper) {
        this(id, duplicate, resultType, store, mapper, null);
    }

    JobHandle(String id, boolean duplicate, Class<R> resultType, JobStore store, ObjectMapper mapper,
              java.util.function.Function<java.util.List<String>, java.util.List<dev.conveyor.broker.CancelResult>> canceller) {
        this.canceller = canceller;
        this.id = Objects.requireNonNull(id, "id");
        this.duplicate = duplicate;
        this.resultType = resultType;
        this.store = store;
        this.mapper = mapper;
    }

    public String id() {
        return id;
    }

    /** True when the enqueue created nothing: this handle is the existing job holding the same unique key. */
    public boolean isDuplicate() {
        return duplicate;
    }

    /** What the store holds for this job now; empty once it has been deleted or purged. */
    public Optional<JobInfo> info() {
        return store().get(id);
    }

    /** The job's state now. Throws {@link ConveyorException} if the job no longer exists. */
    public JobState state() {
        return info().orElseThrow(this::missing).state();
    }

    /**
     * Waits up to {@code timeout} for the job to finish and returns its result (null for {@code Void} tasks).
     *
     * @throws JobFailedException    the job is dead or cancelled; its errors are attached
     * @throws AwaitTimeoutException it has not finished in time (it goes on running)
     * @throws ConveyorException     it does not exist (deleted, purged, or never enqueued on this broker)
     */
    public R await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        JobInfo info = store().awaitFinished(id, timeout).orElseThrow(this::missing);
        return switch (info.state()) {
            case SUCCEEDED -> decode(info.result());
            case DEAD, CANCELLED -> throw new JobFailedException(info);
            default -> throw new AwaitTimeoutException(id, timeout, info.state());
        };
    }

    /** The latest progress its handler reported ({@link JobContext#progress}), or empty. */
    public Optional<dev.conveyor.job.Progress> progress() {
        return info().map(JobInfo::progress);
    }

    /**
     * Cancels the job, from any process: if it has not started it never will; if it is running, its worker
     * interrupts it at its next heartbeat and it ends {@code CANCELLED}. See {@link dev.conveyor.broker.CancelResult}.
     */
    public dev.conveyor.broker.CancelResult cancel() {
        store();
        return canceller != null ? canceller.apply(java.util.List.of(id)).get(0) : store().cancel(java.util.List.of(id)).get(0);
    }

    /** The result if the job has succeeded, else empty. */
    public Optional<R> result() {
        return info().filter(i -> i.state() == JobState.SUCCEEDED).map(i -> decode(i.result()));
    }

    private R decode(String json) {
        if (json == null || resultType == Void.class) return null;
        try {
            return mapper.readValue(json, resultType);
        } catch (Exception e) {
            throw new ConveyorException("job " + id + ": stored result cannot be read as " + resultType.getName()
                    + ": " + e.getMessage(), e);
        }
    }

    private JobStore store() {
        if (store == null) {
            throw new ConveyorException("this broker keeps no job state; configure a store to read job " + id);
        }
        return store;
    }

    private ConveyorException missing() {
        return new ConveyorException("job " + id + " does not exist (deleted, purged, or never enqueued on this broker)");
    }

    @Override
    public String toString() {
        return "JobHandle[" + id + (duplicate ? ", duplicate" : "") + "]";
    }
}
