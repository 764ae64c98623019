package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.Job;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves workflows forward. Every entry point is safe to repeat, which is what makes a workflow crash-safe: a
 * worker that dies after a step's handler returned but before its ack lets the step run again, and the second
 * run repeats these calls with no further effect.
 * <ol>
 *   <li><b>Start a node</b>: a step becomes one job (unique key {@code wf:<id>:<node>}, so a repeat is a
 *       duplicate); a chain starts its first child with the rest of the chain pushed on the continuation; a
 *       group writes its state (compare-and-set from absent, so once) and then starts every member with a
 *       "report to member i" frame.</li>
 *   <li><b>A step succeeded</b>: pop the continuation. The rest of a chain starts its next child with the
 *       result as input. A member frame records the result under the member's own key (first write wins), then
 *       sets the member's bit in the group state by compare-and-set: a member already set is not counted again.
 *       The caller that sees every bit set (the one whose write completed the set, or a repeat of any member
 *       after it) reads the members' results in order and goes on with what follows the group; the jobs that
 *       enqueues have unique keys, so the callback is enqueued exactly once however many callers get there.</li>
 *   <li><b>A step failed</b> (dead or cancelled): chains stop; a group under {@code FAIL} closes on its first
 *       failed member (one compare-and-set decides which) and fails upward; under {@code PARTIAL} the failure is
 *       recorded as that member's outcome and the group goes on. With nothing left, the workflow record is
 *       written as failed, naming the step.</li>
 * </ol>
 * Nothing polls: the last member to finish moves the workflow on.
 */
final class WorkflowEngine {
    private final Broker broker;
    private final StateStore state;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final StepJobs jobs;
    private final GroupTally tally;

    WorkflowEngine(Broker broker, StateStore state, ObjectMapper mapper, Clock clock, StepJobs jobs) {
        this.broker = broker;
        this.state = state;
        this.mapper = mapper;
        this.clock = clock;
        this.jobs = jobs;
        this.tally = new GroupTally(state, mapper);
    }

    /** The jobs one call produces, enqueued together at its end (after the state writes they depend on). */
    private final class Batch {
        final String parentId;
        final List<Job> out = new ArrayList<>();

        Batch(String parentId) {
            this.parentId = parentId;
        }

        void flush() {
            for (int from = 0; from < out.size(); from += 1000) {
                broker.enqueue(out.subList(from, Math.min(out.size(), from + 1000)));
            }
        }
    }

    /** Starts a new workflow: its record, then its root node. */
    void start(String wf, JsonNode spec) {
        String record = WorkflowRecord.running(clock.instant()).toJson(mapper);
        if (!state.compareAndSetState(WorkflowKeys.record(wf), null, record)) {
            throw new IllegalStateException("workflow " + wf + " exists already");
        }
        String specJson = spec.toString();
        if (specJson.length() <= StateStore.MAX_VALUE_LENGTH) {
            state.compareAndSetState(WorkflowKeys.spec(wf), null, specJson); // for display only
        }
        Batch b = new Batch(null);
        startNode(b, wf, "0", spec, null, List.of());
        b.flush();
    }

    /** The step a job ran succeeded with {@code result} (JSON text, or null for none). */
    void succeeded(WorkflowLink link, Job job, String result) {
        Batch b = new Batch(job.id());
        proceed(b, link.workflowId(), link.next(), parseResult(result, job));
        b.flush();
    }

    /** The step's handler fanned out: {@code replacement} runs in its place and its result is the step's. */
    void replaced(WorkflowLink link, Job job, String result, JsonNode replacement) {
        Batch b = new Batch(job.id());
        startNode(b, link.workflowId(), link.node() + ".r", replacement, parseResult(result, job), link.next());
        b.flush();
    }

    /** The step a job ran failed for good. */
    void failed(WorkflowLink link, Job job, String error) {
        Batch b = new Batch(job.id());
        fail(b, link.workflowId(), link.next(), new WorkflowRecord.Failure(link.node(), job.task(), job.id(), error));
        b.flush();
    }

    private JsonNode parseResult(String result, Job job) {
        return result == null ? mapper.nullNode() : FlowSpec.parse(result, "result of job " + job.id());
    }

    private void startNode(Batch b, String wf, String node, JsonNode spec, JsonNode input, List<WorkflowLink.Frame> next) {
        if (node.length() > WorkflowKeys.MAX_NODE_LENGTH) {
            throw new WorkflowFormatException("workflow " + wf + " nests too deep: node path " + node.length()
                    + " characters; the limit is " + WorkflowKeys.MAX_NODE_LENGTH);
        }
        switch (FlowSpec.kind(spec)) {
            case STEP -> b.out.add(jobs.build(wf, node, spec, spec.has("args") ? spec.get("args") : input, next, b.parentId));
            case CHAIN -> {
                ArrayNode kids = FlowSpec.children(spec);
                if (kids.isEmpty()) {
                    proceed(b, wf, next, input == null ? mapper.nullNode() : input); // an empty chain passes its input on
                    return;
                }
                List<WorkflowLink.Frame> inner = next;
                if (kids.size() > 1) {
                    ArrayNode rest = mapper.createArrayNode();
                    for (int i = 1; i < kids.size(); i++) rest.add(kids.get(i));
                    inner = push(new WorkflowLink.ChainRest(node, 1, rest), next);
                }
                startNode(b, wf, node + ".0", kids.get(0), input, inner);
            }
            case GROUP -> {
                ArrayNode kids = FlowSpec.children(spec);
                if (kids.isEmpty()) {
                    proceed(b, wf, next, mapper.createArrayNode());
                    return;
                }
                String value = GroupState.open(kids.size(), FlowSpec.onFailure(spec), next).toJson(mapper);
                if (value.length() > StateStore.MAX_VALUE_LENGTH) {
                    throw new WorkflowFormatException("the part of workflow " + wf + " after group " + node + " is "
                            + value.length() + " characters; a group keeps it in one state value of at most "
                            + StateStore.MAX_VALUE_LENGTH + " (start big parts from a handler with replaceWith)");
                }
                // Absent → open, once; a repeat of this start finds it and leaves it (its members may have begun).
                state.compareAndSetState(WorkflowKeys.group(wf, node), null, value);
                for (int i = 0; i < kids.size(); i++) {
                    startNode(b, wf, node + "." + i, kids.get(i), input, List.of(new WorkflowLink.Member(node, i)));
                }
            }
        }
    }

    private void proceed(Batch b, String wf, List<WorkflowLink.Frame> frames, JsonNode result) {
        while (true) {
            if (frames.isEmpty()) {
                finish(wf, result, null);
                return;
            }
            WorkflowLink.Frame top = frames.get(0);
            List<WorkflowLink.Frame> below = frames.subList(1, frames.size());
            switch (top) {
                case WorkflowLink.ChainRest c -> {
                    List<WorkflowLink.Frame> inner = below;
                    if (c.rest().size() > 1) {
                        ArrayNode rest = mapper.createArrayNode();
                        for (int i = 1; i < c.rest().size(); i++) rest.add(c.rest().get(i));
                        inner = push(new WorkflowLink.ChainRest(c.chain(), c.at() + 1, rest), below);
                    }
                    startNode(b, wf, c.chain() + "." + c.at(), c.rest().get(0), result, inner);
                    return;
                }
                case WorkflowLink.Member m -> {
                    ObjectNode entry = mapper.createObjectNode();
                    entry.put("ok", true);
                    entry.set("result", result);
                    GroupTally.Reported r = tally.report(wf, m, entry);
                    if (r.kind() != GroupTally.Reported.Kind.COMPLETE) return; // other members still run (or the group failed)
                    result = r.results();
                    frames = r.next();
                }
            }
        }
    }

    private void fail(Batch b, String wf, List<WorkflowLink.Frame> frames, WorkflowRecord.Failure failure) {
        while (true) {
            if (frames.isEmpty()) {
                finish(wf, null, failure);
                return;
            }
            WorkflowLink.Frame top = frames.get(0);
            List<WorkflowLink.Frame> below = frames.subList(1, frames.size());
            switch (top) {
                case WorkflowLink.ChainRest c -> frames = below; // the chain stops here
                case WorkflowLink.Member m -> {
                    ObjectNode entry = mapper.createObjectNode();
                    entry.put("ok", false);
                    entry.putNull("result");
                    entry.put("error", failure.describe());
                    GroupTally.Reported r = tally.report(wf, m, entry);
                    switch (r.kind()) {
                        case COMPLETE -> { // PARTIAL: the last member to finish failed; the group goes on
                            proceed(b, wf, r.next(), r.results());
                            return;
                        }
                        case FAILED -> frames = r.next(); // FAIL: this failure closed the group; it fails upward
                        case NOTHING -> {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Writes the workflow's end, once: a repeat (or a late branch) finds it finished and changes nothing. */
    private void finish(String wf, JsonNode result, WorkflowRecord.Failure failure) {
        String key = WorkflowKeys.record(wf);
        while (true) {
            Optional<String> raw = state.readState(key);
            WorkflowRecord cur = raw.map(r -> WorkflowRecord.parse(r, "state " + key))
                    .orElseGet(() -> WorkflowRecord.running(clock.instant()));
            if (cur.state().isFinished()) {
                index(wf, cur); // a repeat: make sure the first one's index entry exists (it may have died before)
                return;
            }
            WorkflowRecord end = failure != null ? cur.failed(clock.instant(), failure) : cur.succeeded(clock.instant(), result);
            String value = end.toJson(mapper);
            if (value.length() > StateStore.MAX_VALUE_LENGTH) {
                value = cur.failed(clock.instant(), new WorkflowRecord.Failure("0", "-", "-", "the workflow's result is "
                        + value.length() + " characters; it is kept in a state value of at most "
                        + StateStore.MAX_VALUE_LENGTH + ": return a reference (a key, a URL) instead of the data"))
                        .toJson(mapper);
            }
            if (state.compareAndSetState(key, raw.orElse(null), value)) {
                index(wf, WorkflowRecord.parse(value, "state " + key));
                return;
            }
        }
    }

    /** Lists a finished workflow for {@link WorkflowJanitor}, which deletes its state once it is old enough. */
    private void index(String wf, WorkflowRecord finished) {
        if (finished.finishedAt() == null) return;
        String k = WorkflowJanitor.indexKey(WorkflowJanitor.expiry(finished.finishedAt()), wf);
        if (state.readState(k).isEmpty()) state.compareAndSetState(k, null, "1");
    }

    private static List<WorkflowLink.Frame> push(WorkflowLink.Frame f, List<WorkflowLink.Frame> below) {
        List<WorkflowLink.Frame> l = new ArrayList<>(below.size() + 1);
        l.add(f);
        l.addAll(below);
        return List.copyOf(l);
    }
}
