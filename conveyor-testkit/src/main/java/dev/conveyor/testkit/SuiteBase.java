package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * What every conformance suite builds on: the running test's broker and clock, and short helpers for the
 * SPI calls, so each test reads as the contract sentence it checks. Suites are abstract; the nested classes
 * of {@link BrokerConformanceTest} supply the {@link Harness}.
 */
abstract class SuiteBase {
    /** The lease most broker-level tests take. */
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration MS = Duration.ofMillis(1);
    /** Longest a test waits (real time) for something that should take milliseconds. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The running test's harness; supplied by the nested class in {@link BrokerConformanceTest}. */
    abstract Harness harness();

    // ---- the world ----------------------------------------------------------------------------------------

    Broker broker() {
        return harness().broker();
    }

    SettableClock clock() {
        return harness().clock();
    }

    Instant now() {
        return clock().instant();
    }

    String queue() {
        return harness().newQueue();
    }

    boolean declares(Capability c) {
        return broker().capabilities().contains(c);
    }

    /** Skips the test unless the broker declares {@code c}. */
    void requires(Capability c) {
        Assumptions.assumeTrue(declares(c),
                () -> "needs capability " + c + ", which " + broker() + " does not declare");
    }

    /** The broker's job store; skips the test when the broker does not declare INSPECTION. */
    JobStore store() {
        requires(Capability.INSPECTION);
        return (JobStore) broker();
    }

    // ---- jobs and SPI calls -------------------------------------------------------------------------------

    JobSpec job(String queue) {
        return new JobSpec(clock(), queue);
    }

    /** Enqueues one job and checks it was stored as new; returns its id. */
    String enqueue(Job job) {
        List<EnqueueResult> r = broker().enqueue(List.of(job));
        assertThat(r).as("enqueue answers").containsExactly(new EnqueueResult(job.id(), false));
        return job.id();
    }

    EnqueueResult enqueueOnce(Job job) {
        List<EnqueueResult> r = broker().enqueue(List.of(job));
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    List<LeasedJob> fetch(String queue, int max) {
        return broker().fetch(List.of(queue), max, LEASE);
    }

    /** Fetches from {@code queue} and checks exactly one job came back. */
    LeasedJob fetchOne(String queue) {
        List<LeasedJob> got = fetch(queue, 10);
        assertThat(got).as("jobs fetched from %s", queue).hasSize(1);
        return got.get(0);
    }

    void assertNothingToFetch(String queue) {
        assertThat(fetch(queue, 10)).as("jobs fetched from %s", queue).isEmpty();
    }

    Outcome ack(Lease lease) {
        return ack(lease, null);
    }

    Outcome ack(Lease lease, String resultJson) {
        return single(broker().ack(List.of(new Completion(lease, resultJson))));
    }

    Outcome retry(Lease lease, AttemptError error, Instant runAt) {
        return single(broker().retry(List.of(Failure.retryAt(lease, error, runAt))));
    }

    Outcome bury(Lease lease, AttemptError error, boolean countsAttempt) {
        return single(broker().bury(List.of(Failure.bury(lease, error, countsAttempt))));
    }

    Outcome extend(Lease lease, Duration leaseFor) {
        return single(broker().extend(List.of(lease), leaseFor));
    }

    Outcome release(Lease lease) {
        return single(broker().release(List.of(lease)));
    }

    private static Outcome single(List<Outcome> outcomes) {
        assertThat(outcomes).as("one outcome per item").hasSize(1);
        return outcomes.get(0);
    }

    /** The same job under a token that is not its lease's. */
    static Lease wrongToken(Lease lease) {
        return new Lease(lease.jobId(), lease.token() ^ 0x5DEECE66DL);
    }

    /** An error as a worker would record it after failed attempt {@code attempt}, at the clock's now. */
    AttemptError error(int attempt, String message) {
        return new AttemptError(attempt, now(), "java.lang.IllegalStateException", message,
                "java.lang.IllegalStateException: " + message + "\n\tat conformance.Handler.run(Handler.java:" + attempt + ")");
    }

    // ---- inspection ---------------------------------------------------------------------------------------

    /** What the store holds for {@code id}; requires INSPECTION. */
    JobInfo info(String id) {
        return store().get(id).orElseThrow(() -> new AssertionError("job " + id + " is not in the store"));
    }

    /** Checks the stored state when the broker can be inspected (brokers without INSPECTION skip just this check). */
    void assertState(String id, JobState state) {
        if (declares(Capability.INSPECTION)) {
            assertThat(((JobStore) broker()).get(id)).as("job %s", id)
                    .hasValueSatisfying(i -> assertThat(i.state()).as("state of job %s", id).isEqualTo(state));
        }
    }

    /** Waits (real time, for a worker) until the stored job matches, and returns it. */
    JobInfo awaitInfo(String id, String description, Predicate<JobInfo> condition) {
        JobStore store = store();
        return eventually().alias("job " + id + ": " + description)
                .until(() -> store.get(id).orElse(null), i -> i != null && condition.test(i));
    }

    JobInfo awaitState(String id, JobState state) {
        return awaitInfo(id, "state " + state, i -> i.state() == state);
    }

    static ConditionFactory eventually() {
        return Awaitility.await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    static JsonNode json(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    // ---- workers ------------------------------------------------------------------------------------------

    /** A Conveyor over the broker under test, on the test clock; closed (with its workers) after the test. */
    Conveyor conveyor(Task<?, ?>... tasks) {
        return harness().closeAfterTest(Conveyor.builder().broker(broker()).clock(clock()).tasks(tasks).build());
    }

    /**
     * Worker options for tests: real-time intervals short (10 ms polls, 100 ms heartbeats) so tests run fast;
     * a lease far longer than any clock jump a worker test makes while a job runs.
     */
    static WorkerOptions workerOptions(String... queues) {
        return WorkerOptions.defaults().queues(queues).concurrency(16)
                .leaseDuration(Duration.ofMinutes(10)).heartbeatInterval(Duration.ofMillis(100))
                .pollInterval(Duration.ofMillis(10)).shutdownGrace(Duration.ofSeconds(2))
                .shutdownOnSigterm(false);
    }

    Worker startWorker(Conveyor conveyor, String... queues) {
        return conveyor.startWorker(workerOptions(queues));
    }

    /** Args of the worker tests' tasks. */
    public record Num(int n) {}
}
