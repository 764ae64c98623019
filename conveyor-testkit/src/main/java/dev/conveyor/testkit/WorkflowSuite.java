package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.JobContext;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.JobExecutor;
import dev.conveyor.worker.RunningJob;
import dev.conveyor.worker.Settlement;
import dev.conveyor.workflow.Flow;
import dev.conveyor.workflow.MemberResult;
import dev.conveyor.workflow.WorkflowFailedException;
import dev.conveyor.workflow.WorkflowGraph;
import dev.conveyor.workflow.WorkflowHandle;
import dev.conveyor.workflow.WorkflowSettler;
import dev.conveyor.workflow.WorkflowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows on the broker with real workers: chains pass results on and stop at a failure naming the step;
 * groups yield results in order; a chord's callback runs exactly once, also when a worker dies in the middle;
 * nesting, fan-out from a handler, and a chain of a group of chains with 1,000 leaves. Needs STATE (the
 * workflow's shared state), UNIQUE_KEYS (exactly-once continuation) and INSPECTION.
 */
abstract class WorkflowSuite extends SuiteBase {
    static final Duration WAIT = Duration.ofMinutes(2);

    private String q;
    private final AtomicInteger sumRuns = new AtomicInteger();
    private final Map<Integer, AtomicInteger> squareRuns = new ConcurrentHashMap<>();
    private Task<Num, Num> inc;
    private Task<Num, Num> dbl;
    private Task<Num, Num> square;
    private Task<Num[], Integer> sum;
    private Task<Num, Num> boom;
    private Task<MemberResult[], String> tally;
    private Task<Num, Void> split;
    private ScheduledExecutorService watchdog;

    @BeforeEach
    void tasksAndCapabilities() {
        requires(Capability.STATE);
        requires(Capability.UNIQUE_KEYS);
        requires(Capability.INSPECTION);
        q = queue();
        inc = Task.named("wf.inc", Num.class, Num.class).queue(q).handler(a -> new Num(a.n() + 1));
        dbl = Task.named("wf.double", Num.class, Num.class).queue(q).handler(a -> new Num(a.n() * 2));
        square = Task.named("wf.square", Num.class, Num.class).queue(q).handler(a -> {
            squareRuns.computeIfAbsent(a.n(), k -> new AtomicInteger()).incrementAndGet();
            return new Num(a.n() * a.n());
        });
        sum = Task.named("wf.sum", Num[].class, Integer.class).queue(q).handler(all -> {
            sumRuns.incrementAndGet();
            return Arrays.stream(all).mapToInt(Num::n).sum();
        });
        boom = Task.named("wf.boom", Num.class, Num.class).queue(q).maxAttempts(1).handler(a -> {
            throw new IllegalStateException("boom at " + a.n());
        });
        tally = Task.named("wf.tally", MemberResult[].class, String.class).queue(q).handler(rs -> {
            StringBuilder sb = new StringBuilder();
            for (MemberResult r : rs) sb.append(r.ok() ? r.result().get("n").asText() : "x");
            return sb.toString();
        });
        split = Task.named("wf.split", Num.class).queue(q).action((Num a, JobContext ctx) -> ctx.replaceWith(
                Flow.group(IntStream.range(0, a.n()).mapToObj(i -> (Flow) Flow.step(square, new Num(i))).toList())));
    }

    @AfterEach
    void stopWatchdog() {
        if (watchdog != null) watchdog.shutdownNow();
    }

    private Conveyor started() {
        Conveyor c = conveyor(inc, dbl, square, sum, boom, tally, split);
        startWorker(c, q);
        return c;
    }

    private List<Flow> squaresOf(int n) {
        List<Flow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Flow.step(square, new Num(i)));
        return out;
    }

    private static int sumOfSquares(int n) {
        return IntStream.range(0, n).map(i -> i * i).sum();
    }

    @Test
    void aChainPassesEachResultToTheNextStep() {
        Conveyor c = started();
        WorkflowHandle<Num> h = c.start(Flow.chain(Flow.step(inc, new Num(4)), Flow.then(dbl), Flow.then(inc)), Num.class);
        assertThat(h.get(WAIT)).isEqualTo(new Num(11));
        assertThat(h.state()).isEqualTo(WorkflowState.SUCCEEDED);
    }

    @Test
    void aFailedStepStopsTheChainAndIsNamed() {
        Conveyor c = started();
        WorkflowHandle<Num> h = c.start(Flow.chain(Flow.step(inc, new Num(1)), Flow.then(boom), Flow.then(inc)), Num.class);
        assertThatThrownBy(() -> h.get(WAIT)).isInstanceOfSatisfying(WorkflowFailedException.class, e -> {
            assertThat(e.node()).isEqualTo("0.1");
            assertThat(e.task()).isEqualTo("wf.boom");
            assertThat(e.error()).contains("boom at 2");
            awaitState(e.jobId(), JobState.DEAD); // its bury is recorded just after the workflow moved on
        });
        assertThat(h.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(jobsOf("wf.inc")).as("the step after the failed one never ran").hasSize(1);
    }

    @Test
    void aGroupYieldsEveryResultInOrder() {
        Conveyor c = started();
        WorkflowHandle<Num[]> h = c.start(Flow.group(squaresOf(30)), Num[].class);
        assertThat(h.getList(WAIT, Num.class)).extracting(Num::n)
                .containsExactlyElementsOf(IntStream.range(0, 30).map(i -> i * i).boxed().toList());
    }

    @Test
    void aChordCallbackRunsOnceWithEveryResult() {
        Conveyor c = started();
        WorkflowHandle<Integer> h = c.start(Flow.chord(squaresOf(50), sum), Integer.class);
        assertThat(h.get(WAIT)).isEqualTo(sumOfSquares(50));
        assertThat(sumRuns).hasValue(1);
        assertThat(jobsOf("wf.sum")).hasSize(1);
    }

    @Test
    void aChordFailsWhenAMemberFailsAndItsCallbackNeverRuns() {
        Conveyor c = started();
        List<Flow> members = new ArrayList<>(squaresOf(5));
        members.add(2, Flow.step(boom, new Num(7)));
        WorkflowHandle<Integer> h = c.start(Flow.chord(members, sum), Integer.class);
        assertThatThrownBy(() -> h.get(WAIT)).isInstanceOfSatisfying(WorkflowFailedException.class, e -> {
            assertThat(e.node()).isEqualTo("0.0.2");
            assertThat(e.error()).contains("boom at 7");
        });
        eventually().untilAsserted(() -> assertThat(jobsOf("wf.square")).allMatch(j -> j.state() == JobState.SUCCEEDED)
                .hasSize(5));
        assertThat(sumRuns).hasValue(0);
        assertThat(jobsOf("wf.sum")).isEmpty();
    }

    @Test
    void aPartialChordPassesResultsAndErrorsInOrder() {
        Conveyor c = started();
        WorkflowHandle<String> h = c.start(Flow.chord(Flow.group(Flow.step(square, new Num(2)), Flow.step(boom, new Num(1)),
                Flow.step(square, new Num(3))).partialResults(), tally), String.class);
        assertThat(h.get(WAIT)).isEqualTo("4x9");
    }

    @Test
    void groupsNestInChainsAndChainsInGroups() {
        Conveyor c = started();
        // chain(inc 1 → group(double, chain(inc, double), group(inc, inc)) → ...) : members get the chain's result
        Flow flow = Flow.chain(Flow.step(inc, new Num(1)),
                Flow.group(Flow.then(dbl), Flow.chain(Flow.then(inc), Flow.then(dbl)), Flow.group(Flow.then(inc), Flow.then(inc))));
        WorkflowHandle<com.fasterxml.jackson.databind.JsonNode> h = c.start(flow, com.fasterxml.jackson.databind.JsonNode.class);
        assertThat(h.get(WAIT).toString()).isEqualTo("[{\"n\":4},{\"n\":6},[{\"n\":3},{\"n\":3}]]");
    }

    @Test
    void aHandlerFansOutAndTheWorkflowWaitsForIt() {
        Conveyor c = started();
        WorkflowHandle<Integer> h = c.start(Flow.chain(Flow.step(split, new Num(12)), Flow.then(sum)), Integer.class);
        assertThat(h.get(WAIT)).isEqualTo(sumOfSquares(12));
        assertThat(sumRuns).hasValue(1);
        assertThat(jobsOf("wf.square")).hasSize(12)
                .allSatisfy(j -> assertThat(j.job().headers().get("conveyor-workflow-node")).startsWith("0.0.r."));
    }

    @Test
    void aChainOfAGroupOfChainsWithAThousandLeavesCompletes() {
        Conveyor c = started();
        List<Flow> chains = new ArrayList<>();
        for (int i = 0; i < 500; i++) chains.add(Flow.chain(Flow.step(inc, new Num(i)), Flow.then(dbl)));
        WorkflowHandle<Integer> h = c.start(Flow.chain(Flow.group(chains), Flow.then(sum)), Integer.class);
        assertThat(h.get(Duration.ofMinutes(5))).isEqualTo(IntStream.range(0, 500).map(i -> 2 * (i + 1)).sum());
        assertThat(sumRuns).hasValue(1);
        assertThat(jobsOf("wf.inc")).hasSize(500);
        assertThat(jobsOf("wf.double")).hasSize(500);
    }

    @Test
    void anotherProcessAwaitsTheResultAndSeesTheGraph() {
        Conveyor c = started();
        WorkflowHandle<Integer> h = c.start(Flow.chord(squaresOf(3), sum), Integer.class);
        Conveyor elsewhere = conveyor(); // no tasks: a process that only looks
        assertThat(elsewhere.workflow(h.id(), Integer.class).get(WAIT)).isEqualTo(5);
        // The workflow moves on before a step's ack is recorded, so the last acks may land just after get returns.
        eventually().untilAsserted(() -> {
            WorkflowGraph g = elsewhere.workflows().graph(h.id());
            assertThat(g.state()).isEqualTo(WorkflowState.SUCCEEDED);
            assertThat(g.jobs()).containsOnlyKeys("0.0.0", "0.0.1", "0.0.2", "0.1");
            assertThat(g.root().children().get(0).state()).isEqualTo("3/3 finished, 0 failed (done)");
            assertThat(g.render()).contains("0.0.2 step wf.square: SUCCEEDED", "0.1 step wf.sum: SUCCEEDED");
        });
    }

    @Test
    void aWorkerDyingAfterSomeMembersMovedTheChordOnStillRunsTheCallbackOnce() {
        killDuringChord(3);
    }

    @Test
    void aWorkerDyingAfterEveryMemberMovedTheChordOnButBeforeAnyAckRunsTheCallbackOnce() {
        killDuringChord(6);
    }

    /**
     * A worker leases all six members of a chord, runs {@code ranBeforeDying} of them to the point where the
     * chord has moved on (their results counted; with all six, the callback enqueued), and dies before any ack.
     * Its leases expire; a second worker runs every member again. The callback runs exactly once.
     */
    private void killDuringChord(int ranBeforeDying) {
        Conveyor c = conveyor(inc, dbl, square, sum, boom, tally, split);
        WorkflowHandle<Integer> h = c.start(Flow.chord(squaresOf(6), sum), Integer.class);
        List<LeasedJob> leased = fetch(q, 10);
        assertThat(leased).hasSize(6);
        watchdog = Executors.newSingleThreadScheduledExecutor();
        JobExecutor dying = new JobExecutor(c.tasks(), List.of(), c.mapper(), clock(),
                () -> ThreadLocalRandom.current().nextLong(), watchdog, Duration.ofSeconds(5), null,
                new WorkflowSettler(broker(), (StateStore) broker(), c.tasks(), c.mapper(), clock()));
        for (LeasedJob l : leased.subList(0, ranBeforeDying)) {
            Settlement s = dying.execute(RunningJob.of(l));
            assertThat(s).isInstanceOf(Settlement.Ack.class); // …and never recorded: the worker is gone
        }
        assertThat(sumRuns).hasValue(0);
        clock().advance(LEASE.plus(MS)); // its leases expire
        startWorker(c, q);

        assertThat(h.get(WAIT)).isEqualTo(sumOfSquares(6));
        eventually().untilAsserted(() -> assertThat(jobsOf("wf.square")).allMatch(j -> j.state() == JobState.SUCCEEDED));
        assertThat(sumRuns).as("callback runs").hasValue(1);
        assertThat(jobsOf("wf.sum")).hasSize(1);
        for (int i = 0; i < 6; i++) {
            assertThat(squareRuns.get(i)).as("runs of member %d", i).hasValue(i < ranBeforeDying ? 2 : 1);
        }
        assertThat(jobsOf("wf.square")).allSatisfy(j -> assertThat(j.job().deliveries()).isEqualTo(2));
    }

    @Test
    void aStepWhoseWorkersKeptDyingIsQuarantinedAndFailsItsWorkflow() {
        Conveyor c = conveyor(inc, dbl, square, sum, boom, tally, split);
        WorkflowHandle<Num> h = c.start(Flow.chain(Flow.step(square, new Num(3)), Flow.then(inc)), Num.class);
        for (int i = 1; i <= 3; i++) { // three workers lease the first step, start it and die
            LeasedJob leased = fetchOne(q);
            if (i > 1) broker().markStarted(List.of(leased.lease()));
            clock().advance(LEASE.plus(MS));
        }
        startWorker(c, q);
        assertThatThrownBy(() -> h.get(WAIT)).isInstanceOfSatisfying(WorkflowFailedException.class, e -> {
            assertThat(e.node()).isEqualTo("0.0");
            assertThat(e.error()).contains("quarantined", "died 3 times");
            awaitState(e.jobId(), JobState.DEAD);
        });
        assertThat(h.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(squareRuns).as("never ran").isEmpty();
        assertThat(jobsOf("wf.inc")).as("the chain stopped").isEmpty();
    }

    @Test
    void cancellingAMemberBeforeItStartsFailsTheChordAtOnce() {
        requires(Capability.CANCELLATION);
        Conveyor c = conveyor(inc, dbl, square, sum, boom, tally, split);
        WorkflowHandle<Integer> h = c.start(Flow.chord(squaresOf(3), sum), Integer.class);
        List<JobInfo> members = jobsOf("wf.square");
        String second = members.stream().filter(j -> j.job().headers().get("conveyor-workflow-node").equals("0.0.1"))
                .findFirst().orElseThrow().id();
        assertThat(c.handle(square, second).cancel()).isEqualTo(dev.conveyor.broker.CancelResult.CANCELLED);
        assertThat(h.state()).as("no worker runs a cancelled job: the cancel itself fails the workflow")
                .isEqualTo(WorkflowState.FAILED);
        assertThatThrownBy(() -> h.get(WAIT)).isInstanceOfSatisfying(WorkflowFailedException.class, e -> {
            assertThat(e.node()).isEqualTo("0.0.1");
            assertThat(e.error()).contains("cancelled");
        });
        startWorker(c, q);
        eventually().untilAsserted(() -> assertThat(jobsOf("wf.square")).filteredOn(j -> j.state() == JobState.SUCCEEDED)
                .hasSize(2));
        assertThat(jobsOf("wf.sum")).isEmpty();
    }

    @Test
    void aFinishedWorkflowsStateIsPrunedAfterItsKeepTime() {
        Conveyor c = started();
        WorkflowHandle<Integer> h = c.start(Flow.chord(squaresOf(4), sum), Integer.class);
        assertThat(h.get(WAIT)).isEqualTo(sumOfSquares(4));
        StateStore state = (StateStore) broker();
        assertThat(state.readStates("wf:" + h.id() + ":")).as("spec, group state, member results").hasSize(6);
        dev.conveyor.workflow.WorkflowJanitor janitor = new dev.conveyor.workflow.WorkflowJanitor(state, clock());

        clock().advance(dev.conveyor.workflow.Workflows.DEFAULT_KEEP.minusMinutes(1));
        janitor.runOnce();
        assertThat(h.state()).as("kept until its time").isEqualTo(WorkflowState.SUCCEEDED);

        clock().advance(Duration.ofMinutes(2));
        eventually().untilAsserted(() -> {
            janitor.runOnce(); // on shared stores earlier tests' workflows may come first in a round
            assertThat(state.readState("wf:" + h.id())).isEmpty();
        });
        assertThat(state.readStates("wf:" + h.id() + ":")).isEmpty();
        assertThatThrownBy(h::state).hasMessageContaining("does not exist");
    }

    @Test
    void aJobWithAMalformedWorkflowHeaderIsBuriedWithAClearReason() {
        Conveyor c = started();
        String id = c.enqueue(inc, new Num(1), dev.conveyor.EnqueueOptions.defaults()
                .header("conveyor-workflow", "not a workflow id!")).id();
        JobInfo dead = awaitState(id, JobState.DEAD);
        assertThat(dead.deadReason()).contains("header conveyor-workflow").contains("workflow id must match");
    }

    @Test
    void aFirstStepWithoutArgsIsRefusedAtStart() {
        Conveyor c = conveyor(inc, dbl);
        assertThatThrownBy(() -> c.start(Flow.chain(Flow.then(inc), Flow.then(dbl)), Num.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 0.0 (task wf.inc)");
    }

    /** The stored jobs of one task in this test's queue. */
    private List<JobInfo> jobsOf(String task) {
        List<JobInfo> out = new ArrayList<>();
        String after = null;
        while (true) {
            var page = store().list(new JobQuery(null, q, task, after, JobQuery.MAX_LIMIT));
            out.addAll(page.items());
            if (page.nextCursor() == null) return out;
            after = page.nextCursor();
        }
    }
}
