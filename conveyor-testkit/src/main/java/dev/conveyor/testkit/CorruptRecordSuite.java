package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.RawEnvelopeSink;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records a worker cannot run go to the dead set with a clear reason, are never dropped, and never stop
 * the worker: the valid jobs enqueued around them all succeed.
 */
abstract class CorruptRecordSuite extends SuiteBase {
    private String q;
    private Task<Num, Void> count;
    private final Set<Integer> ran = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() {
        requires(Capability.INSPECTION); // the tests read the dead set
        q = queue();
        count = Task.named("conformance.count", Num.class).queue(q).action(a -> ran.add(a.n()));
    }

    @Test
    void anUnknownTaskAndMalformedArgsGoDeadUnrun() {
        Conveyor conveyor = conveyor(count);
        List<String> valid = new ArrayList<>();
        valid.add(conveyor.enqueue(count, new Num(1)).id());
        String unknown = enqueue(job(q).task("x").args("{}").build());
        String malformed = enqueue(job(q).task("conformance.count").args("{\"n\":\"not a number\"}").build());
        valid.add(conveyor.enqueue(count, new Num(2)).id());
        Worker worker = startWorker(conveyor, q);

        JobInfo u = awaitState(unknown, JobState.DEAD);
        assertThat(u.deadReason()).isEqualTo("unknown task 'x'");
        assertThat(u.job().attempt()).isZero();
        JobInfo m = awaitState(malformed, JobState.DEAD);
        assertThat(m.deadReason()).startsWith("malformed args");
        assertThat(m.job().attempt()).isZero();
        valid.add(conveyor.enqueue(count, new Num(3)).id()); // the worker keeps going
        for (String id : valid) awaitState(id, JobState.SUCCEEDED);
        assertThat(ran).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(worker.stats().stale()).isZero();
    }

    @Test
    void rawEnvelopesThatCannotBeDecodedGoDeadWithTheProblemNamed() {
        RawEnvelopeSink sink = rawSink();
        Conveyor conveyor = conveyor(count);
        List<String> valid = new ArrayList<>();
        valid.add(conveyor.enqueue(count, new Num(1)).id());
        String now = now().toString();
        sink.insertRawEnvelope(q, "this is { not JSON");
        sink.insertRawEnvelope(q, "{\"v\":1,\"id\":\"" + JobIds.next(clock()) + "\",\"queue\":\"" + q
                + "\",\"args\":{\"n\":7},\"enqueuedAt\":\"" + now + "\"}");
        sink.insertRawEnvelope(q, "{\"v\":1,\"id\":\"" + JobIds.next(clock()) + "\",\"task\":\"conformance.count\","
                + "\"queue\":\"" + q + "\",\"args\":{\"n\":8},\"priority\":\"high\",\"enqueuedAt\":\"" + now + "\"}");
        // A well-formed envelope from a foreign producer runs like any job.
        sink.insertRawEnvelope(q, JobCodec.encode(job(q).task("conformance.count").args("{\"n\":4}").build()));
        valid.add(conveyor.enqueue(count, new Num(2)).id());
        startWorker(conveyor, q);

        List<JobInfo> dead = eventually().alias("three corrupt records in the dead set")
                .until(() -> store().list(new JobQuery(JobState.DEAD, q, null, null, 100)).items(), l -> l.size() >= 3);
        assertThat(dead).hasSize(3);
        assertThat(dead).extracting(JobInfo::deadReason).satisfiesExactlyInAnyOrder(
                r -> assertThat(r).containsIgnoringCase("JSON"),
                r -> assertThat(r).contains("task"),
                r -> assertThat(r).contains("priority"));
        valid.add(conveyor.enqueue(count, new Num(3)).id());
        for (String id : valid) awaitState(id, JobState.SUCCEEDED);
        eventually().untilAsserted(() -> assertThat(ran).containsExactlyInAnyOrder(1, 2, 3, 4));
        assertThat(ran).doesNotContain(7, 8);
    }

    private RawEnvelopeSink rawSink() {
        Assumptions.assumeTrue(broker() instanceof RawEnvelopeSink,
                () -> broker() + " does not implement RawEnvelopeSink");
        return (RawEnvelopeSink) broker();
    }
}
