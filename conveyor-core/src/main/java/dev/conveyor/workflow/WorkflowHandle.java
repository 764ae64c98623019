package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.conveyor.ConveyorException;
import dev.conveyor.broker.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A reference to one workflow, good in any process that reaches the broker: it reads the workflow's record
 * from the state store. Get one from {@code Conveyor.start} or, elsewhere, {@code Conveyor.workflow(id, type)}.
 *
 * <pre>{@code
 * WorkflowHandle<Integer> total = conveyor.start(Flow.chord(parts, SUM), Integer.class);
 * int sum = total.get(Duration.ofMinutes(1));          // throws WorkflowFailedException naming the failed step
 *
 * WorkflowHandle<JsonNode> all = conveyor.start(Flow.group(a, b, c), JsonNode.class);
 * List<Thumb> thumbs = all.getList(Duration.ofMinutes(1), Thumb.class);   // a group's results, in order
 * }</pre>
 *
 * @param <R> the type of the workflow's result: its last node's (a group's is an array)
 */
public final class WorkflowHandle<R> {
    private final String id;
    private final Class<R> resultType;
    private static final Duration NEWS_CAP = Duration.ofSeconds(1);
    private final StateStore state;
    /** Where news of finished jobs comes from (a push where the broker has one); null: poll the record. */
    private final dev.conveyor.broker.JobStore store;
    private final ObjectMapper mapper;

    WorkflowHandle(String id, Class<R> resultType, StateStore state, dev.conveyor.broker.JobStore store,
                   ObjectMapper mapper) {
        this.id = Objects.requireNonNull(id, "id");
        this.resultType = Objects.requireNonNull(resultType, "resultType");
        this.state = state;
        this.store = store;
        this.mapper = mapper;
    }

    public String id() {
        return id;
    }

    /** Where the workflow is now. Throws {@link ConveyorException} if no such workflow is stored. */
    public WorkflowState state() {
        return read().orElseThrow(this::missing).state();
    }

    /**
     * Waits up to {@code timeout} for the workflow to finish and returns its result.
     *
     * @throws WorkflowFailedException a step failed for good; it names the step
     * @throws dev.conveyor.AwaitTimeoutException not finished in time (it goes on)
     * @throws ConveyorException no such workflow (never started here, or expired)
     */
    public R get(Duration timeout) {
        return decode(await(timeout), mapper.getTypeFactory().constructType(resultType));
    }

    /** Like {@link #get}, for a workflow whose result is an array (a group): its elements as {@code elementType}. */
    public <T> List<T> getList(Duration timeout, Class<T> elementType) {
        return decode(await(timeout), TypeFactory.defaultInstance().constructCollectionType(List.class, elementType));
    }

    /**
     * Reads the record, and while it is running waits for news of a finished job: a workflow's record is written
     * before the ack of the job that finished it, so that ack's news (pub/sub, NOTIFY, in-JVM signal) wakes this
     * with the record complete. Without a store it polls with a backoff from 1 to 50 ms.
     */
    private JsonNode await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 1;
        while (true) {
            long mark = store != null ? store.finishedNews() : 0; // before the read: a finish in between is heard
            WorkflowRecord r = read().orElseThrow(this::missing);
            if (r.state() == WorkflowState.SUCCEEDED) return r.result();
            if (r.state() == WorkflowState.FAILED) {
                WorkflowRecord.Failure f = r.failure();
                throw new WorkflowFailedException(id, f.node(), f.task(), f.job(), f.error());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new WorkflowTimeoutException(id, timeout);
            }
            if (store != null) {
                // At most a second: a workflow can also end without a job finishing (a step cancelled before it ran).
                store.awaitFinishedNews(mark, Duration.ofNanos(Math.min(left, NEWS_CAP.toNanos())));
                if (Thread.currentThread().isInterrupted()) {
                    throw new ConveyorException("interrupted while waiting for workflow " + id);
                }
                continue;
            }
            try {
                Thread.sleep(Math.min(sleepMs, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConveyorException("interrupted while waiting for workflow " + id, e);
            }
            sleepMs = Math.min(50, sleepMs * 2);
        }
    }

    private <T> T decode(JsonNode json, com.fasterxml.jackson.databind.JavaType type) {
        if (json == null || json.isNull() || resultType == Void.class) return null;
        try {
            return mapper.readerFor(type).readValue(json);
        } catch (Exception e) {
            throw new ConveyorException("workflow " + id + ": result cannot be read as " + type + ": " + e.getMessage(), e);
        }
    }

    Optional<WorkflowRecord> read() {
        String key = WorkflowKeys.record(id);
        return state.readState(key).map(raw -> WorkflowRecord.parse(raw, "state " + key));
    }

    private ConveyorException missing() {
        return new ConveyorException("workflow " + id + " does not exist (never started on this broker, or expired)");
    }

    @Override
    public String toString() {
        return "WorkflowHandle[" + id + "]";
    }
}
