package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.AwaitTimeoutException;
import dev.conveyor.Conveyor;
import dev.conveyor.FatalJobException;
import dev.conveyor.JobFailedException;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.job.JobState;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Awaiting jobs from a Conveyor that runs no worker (as another process would): one Conveyor enqueues and
 * awaits, a second one over the same broker runs the worker.
 */
abstract class ResultsSuite extends SuiteBase {
    public record Add(int a, int b) {}

    public record Sum(int total) {}

    @BeforeEach
    void needsInspection() {
        requires(Capability.INSPECTION); // JobHandle reads the store
    }

    @Test
    void aResultIsAwaitedFromASecondConveyorAsItsType() {
        requires(Capability.RESULTS);
        String q = queue();
        Task<Add, Sum> add = Task.named("conformance.add", Add.class, Sum.class).queue(q)
                .handler(a -> new Sum(a.a() + a.b()));
        Conveyor producer = conveyor();
        Conveyor runner = conveyor(add);
        startWorker(runner, q);

        JobHandle<Sum> handle = producer.enqueue(add, new Add(40, 2));
        assertThat(handle.await(PATIENCE)).isEqualTo(new Sum(42));
        assertThat(producer.handle(add, handle.id()).await(PATIENCE)).as("a handle made from the id alone")
                .isEqualTo(new Sum(42));
        assertThat(handle.result()).contains(new Sum(42));
        assertThat(handle.state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void awaitingADeadJobThrowsJobFailedException() {
        String q = queue();
        Task<Add, Sum> refuse = Task.named("conformance.refuse", Add.class, Sum.class).queue(q)
                .handler(a -> {
                    throw new FatalJobException("cannot add " + a.a() + " and " + a.b());
                });
        Conveyor producer = conveyor();
        startWorker(conveyor(refuse), q);

        JobHandle<Sum> handle = producer.enqueue(refuse, new Add(1, 2));
        assertThatThrownBy(() -> handle.await(PATIENCE)).isInstanceOfSatisfying(JobFailedException.class, e -> {
            assertThat(e.info().state()).isEqualTo(JobState.DEAD);
            assertThat(e.info().deadReason()).isEqualTo("cannot add 1 and 2");
            assertThat(e.getMessage()).contains("cannot add 1 and 2");
        });
    }

    @Test
    void awaitGivesUpWithAwaitTimeoutExceptionWhileTheJobWaits() {
        String q = queue();
        Task<Add, Sum> add = Task.named("conformance.add", Add.class, Sum.class).queue(q)
                .handler(a -> new Sum(a.a() + a.b()));
        JobHandle<Sum> handle = conveyor().enqueue(add, new Add(1, 1)); // no worker serves this queue
        assertThatThrownBy(() -> handle.await(Duration.ofMillis(100)))
                .isInstanceOfSatisfying(AwaitTimeoutException.class,
                        e -> assertThat(e.lastState()).isEqualTo(JobState.READY));
    }
}
