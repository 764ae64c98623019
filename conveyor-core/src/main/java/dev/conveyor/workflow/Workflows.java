package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Task;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Duration;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts workflows and finds them again; {@code Conveyor.start} and {@code Conveyor.workflow} delegate here.
 * Needs a broker with shared state (capability STATE); the worker moves workflows on as their jobs finish.
 *
 * <pre>{@code
 * WorkflowHandle<Report> h = conveyor.start(Flow.chain(Flow.step(LOAD, day), Flow.then(REPORT)), Report.class);
 * // later, anywhere:
 * Report r = conveyor.workflow(h.id(), Report.class).get(Duration.ofMinutes(5));
 * System.out.println(conveyor.workflows().graph(h.id()).render());
 * }</pre>
 */
public final class Workflows {
    private static final Logger log = LoggerFactory.getLogger(Workflows.class);
    /**
     * How long a step's unique key is held after its job finished: a step that runs again within this time
     * (its worker died before the ack) does not enqueue what follows it a second time. Also how long a
     * workflow's record and results are meant to be kept. Defaults to 1 day.
     */
    public static final Duration DEFAULT_KEEP = Duration.ofDays(1);

    private final Broker broker;
    private final StateStore state;
    private final JobStore store;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final WorkflowEngine engine;

    public Workflows(Broker broker, StateStore state, JobStore store, Map<String, Task<?, ?>> tasks, ObjectMapper mapper,
                     Clock clock) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.state = Objects.requireNonNull(state, "state");
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
        this.engine = new WorkflowEngine(broker, state, mapper, clock, new StepJobs(tasks, mapper, clock, DEFAULT_KEEP));
    }

    /**
     * Starts {@code flow}: writes its record and enqueues its first jobs, then returns at once.
     *
     * @throws IllegalArgumentException the flow cannot start (its first step has no args, an arg is not JSON,
     *                                  a limit is passed); nothing is enqueued
     */
    public <R> WorkflowHandle<R> start(Flow flow, Class<R> resultType) {
        Objects.requireNonNull(flow, "flow");
        JsonNode spec;
        try {
            spec = FlowSpec.of(flow, mapper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("workflow cannot start: " + e.getMessage(), e);
        }
        requireFirstArgs(spec, "0");
        String id = JobIds.next(clock);
        engine.start(id, spec);
        return new WorkflowHandle<>(id, resultType, state, store, mapper);
    }

    /** A handle to a workflow started elsewhere. */
    public <R> WorkflowHandle<R> handle(String id, Class<R> resultType) {
        WorkflowKeys.requireId(id, "workflow id");
        return new WorkflowHandle<>(id, resultType, state, store, mapper);
    }

    /** The workflow's nodes with each one's state now (reads its jobs from the store). */
    public WorkflowGraph graph(String id) {
        WorkflowKeys.requireId(id, "workflow id");
        if (store == null) throw new IllegalStateException("the broker keeps no job state; a workflow graph needs one");
        return WorkflowGraph.read(id, state, store);
    }

    /**
     * Tells the workflows of jobs just cancelled before they started ({@link dev.conveyor.broker.CancelResult#CANCELLED}):
     * no worker will see those jobs end, so their failure goes up from here ({@code Conveyor.cancel} calls it).
     * A failure to record it is logged; the cancels stand.
     */
    public void cancelledBeforeStart(List<String> ids, List<dev.conveyor.broker.CancelResult> results) {
        if (store == null) return;
        for (int i = 0; i < ids.size() && i < results.size(); i++) {
            if (results.get(i) != dev.conveyor.broker.CancelResult.CANCELLED) continue;
            try {
                Optional<JobInfo> info = store.get(ids.get(i));
                if (info.isEmpty()) continue;
                Job job = info.get().job();
                WorkflowLink link = WorkflowLink.of(job, mapper);
                if (link != null) engine.failed(link, job, "cancelled before it started");
            } catch (RuntimeException e) {
                log.warn("job {} was cancelled, but telling its workflow failed: {}", ids.get(i), e.toString());
            }
        }
    }

    /** Every step that starts the workflow needs args: there is no previous result yet. */
    private static void requireFirstArgs(JsonNode spec, String node) {
        switch (FlowSpec.kind(spec)) {
            case STEP -> {
                if (!spec.has("args")) {
                    throw new IllegalArgumentException("workflow cannot start: step " + node + " (task "
                            + spec.get("task").asText() + ") takes the previous result, but nothing runs before it; "
                            + "give it args with Flow.step(task, args)");
                }
            }
            case CHAIN -> {
                if (!FlowSpec.children(spec).isEmpty()) requireFirstArgs(FlowSpec.children(spec).get(0), node + ".0");
            }
            case GROUP -> {
                for (int i = 0; i < FlowSpec.children(spec).size(); i++) {
                    requireFirstArgs(FlowSpec.children(spec).get(i), node + "." + i);
                }
            }
        }
    }

    Broker broker() {
        return broker;
    }
}
