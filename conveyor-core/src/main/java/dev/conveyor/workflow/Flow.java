package dev.conveyor.workflow;

import dev.conveyor.Task;
import java.util.List;
import java.util.Objects;

/**
 * A workflow's shape: steps (one job each) composed into chains (one after another, each step getting the
 * previous result) and groups (all at once; their results come out as one JSON array, in member order). A
 * group followed by a step in a chain is a chord: the step (the callback) runs exactly once, when every member
 * has finished, with their results. Flows nest freely; start one with {@code Conveyor.start}.
 *
 * <pre>{@code
 * // fetch a page, then resize each of its images in parallel (download then shrink), then build an album
 * Flow flow = Flow.chain(
 *         Flow.step(FETCH_PAGE, new Page(url)),                        // returns the image URLs
 *         Flow.group(urls.stream()
 *                 .map(u -> Flow.chain(Flow.step(DOWNLOAD, u), Flow.then(SHRINK)))
 *                 .toList()),
 *         Flow.then(BUILD_ALBUM));                                      // gets the array of SHRINK results
 * WorkflowHandle<Album> album = conveyor.start(flow, Album.class);
 * Album a = album.get(Duration.ofMinutes(5));   // from any process: conveyor.workflow(id, Album.class)
 * }</pre>
 *
 * Immutable. The shape travels as JSON (see {@code docs/WORKFLOWS.md}); args are written with the
 * {@code Conveyor}'s mapper when the flow starts.
 */
public sealed interface Flow permits Flow.Step, Flow.Chain, Flow.Group {

    /** What a group does when a member fails for good (dead or cancelled). */
    enum OnFailure {
        /** The group fails at its first failed member and the failure goes up (a chain stops). The default. */
        FAIL,
        /**
         * The group waits for every member and passes on one {@link MemberResult} per member, failures
         * included: a chord callback then takes {@code MemberResult[]} as its args.
         */
        PARTIAL
    }

    /**
     * One job of {@code task}. With {@code args} null the step takes the previous step's result as its args
     * ({@link #then}); a workflow's first step must have args.
     */
    record Step(Task<?, ?> task, Object args) implements Flow {
        public Step {
            Objects.requireNonNull(task, "task");
        }
    }

    /** Runs its flows one after another; each gets the one before's result. Its result is the last one's. */
    record Chain(List<Flow> flows) implements Flow {
        public Chain {
            flows = List.copyOf(flows);
        }
    }

    /** Runs its flows at once; its result is the array of theirs, in order (see {@link OnFailure}). */
    record Group(List<Flow> flows, OnFailure onFailure) implements Flow {
        public Group {
            flows = List.copyOf(flows);
            Objects.requireNonNull(onFailure, "onFailure");
        }

        /** This group with failed members passed on as {@link MemberResult}s instead of failing it. */
        public Group partialResults() {
            return new Group(flows, OnFailure.PARTIAL);
        }
    }

    /** A job of {@code task} with these args. */
    static <A> Step step(Task<A, ?> task, A args) {
        return new Step(task, Objects.requireNonNull(args, () -> "args of step " + task.name() + " must not be null"));
    }

    /** A job of {@code task} whose args are the previous step's result (a group's: the array of results). */
    static Step then(Task<?, ?> task) {
        return new Step(task, null);
    }

    static Chain chain(Flow... flows) {
        return new Chain(List.of(flows));
    }

    static Chain chain(List<? extends Flow> flows) {
        return new Chain(List.copyOf(flows));
    }

    static Group group(Flow... flows) {
        return new Group(List.of(flows), OnFailure.FAIL);
    }

    static Group group(List<? extends Flow> flows) {
        return new Group(List.copyOf(flows), OnFailure.FAIL);
    }

    /**
     * A chord: runs {@code members} at once, then {@code callback} exactly once with the array of their
     * results. Same as {@code chain(group(members), then(callback))}.
     */
    static Chain chord(List<? extends Flow> members, Task<?, ?> callback) {
        return chain(group(members), then(callback));
    }

    /** A chord over a group built elsewhere, e.g. {@code Flow.chord(Flow.group(...).partialResults(), cb)}. */
    static Chain chord(Group members, Task<?, ?> callback) {
        return chain(members, then(callback));
    }
}
