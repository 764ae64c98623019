package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate and concurrency limits through the broker's shared state, and postponements that record nothing. */
abstract class LimitSuite extends SuiteBase {
    @BeforeEach
    void needsState() {
        requires(Capability.STATE);
        requires(Capability.INSPECTION);
    }

    @Test
    void aPostponementUsesNoAttemptAndRecordsNoError() {
        String q = queue();
        String id = enqueue(job(q).build());
        var leased = fetchOne(q);
        assertThat(single(broker().retry(List.of(dev.conveyor.broker.Failure.postpone(leased.lease(), now().plusSeconds(5))))))
                .isEqualTo(Outcome.OK);
        JobInfo info = info(id);
        assertThat(info.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(info.job().attempt()).isZero();
        assertThat(info.errors()).isEmpty();
        assertThat(info.job().runAt()).isEqualTo(now().plusSeconds(5));
    }

    private static Outcome single(List<Outcome> o) {
        assertThat(o).hasSize(1);
        return o.get(0);
    }

    @Test
    void aConcurrencyLimitHoldsAcrossTwoWorkers() {
        String q = queue();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // Per test: the limit's state key carries the task name, and the state store is shared between tests.
        Task<Num, Void> limited = Task.named("ct.limited." + q, Num.class).concurrencyLimit(2).action(n -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(20);
            running.decrementAndGet();
        });
        Conveyor a = conveyor(limited);
        Conveyor b = conveyor(limited);
        List<JobHandle<Void>> handles = new ArrayList<>();
        for (int i = 0; i < 12; i++) handles.add(a.enqueue(limited, new Num(i), EnqueueOptions.defaults().queue(q)));
        Worker wa = startWorker(a, q);
        Worker wb = startWorker(b, q);
        // Postponed jobs come back on the test clock's time: move it along while they wait.
        eventually().until(() -> {
            clock().advance(java.time.Duration.ofSeconds(2));
            return handles.stream().allMatch(h -> h.state() == JobState.SUCCEEDED);
        });
        assertThat(most.get()).as("never more than 2 at once across both workers").isBetween(1, 2);
        assertThat(wa.stats().dead() + wb.stats().dead() + wa.stats().retried() + wb.stats().retried()).isZero();
        for (JobHandle<Void> h : handles) {
            assertThat(h.info().orElseThrow().job().attempt()).isZero();
            assertThat(h.info().orElseThrow().errors()).isEmpty();
        }
    }

    @Test
    void postponementsGiveTheirDeliveryBackSoAWorkerLostLaterIsNotQuarantine() {
        String q = queue();
        String id = enqueue(job(q).build());
        for (int i = 0; i < 3; i++) { // more postponements than maxDeliveries (3)
            var leased = fetchOne(q);
            assertThat(single(broker().retry(List.of(dev.conveyor.broker.Failure.postpone(leased.lease(), now())))))
                    .isEqualTo(Outcome.OK);
        }
        assertThat(info(id).job().deliveries()).isZero();
        fetchOne(q);                           // a run whose worker is then lost
        clock().advance(LEASE.plusSeconds(1));
        var again = fetchOne(q);               // redelivered, not quarantined
        assertThat(again.job().id()).isEqualTo(id);
        assertThat(info(id).state()).isEqualTo(JobState.RUNNING);
    }
}
