package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriorityAgerTest {
    record Args(int n) {}

    static final Task<Args, Void> WORK = Task.named("work", Args.class).action(a -> {});

    @Test
    void twoAgersOnOneQueueAgeItOncePerStep() {
        SettableClock clock = SettableClock.startingNow();
        try (Broker broker = Brokers.open("memory:", new BrokerContext(clock));
             Conveyor c = Conveyor.builder().broker(broker).clock(clock).task(WORK).build()) {
            String id = c.enqueue(WORK, new Args(1), EnqueueOptions.defaults().priority(0)).id();
            Duration step = Duration.ofMinutes(1);
            PriorityAger a = new PriorityAger((JobStore) broker, (StateStore) broker, List.of("default"), step, clock);
            PriorityAger b = new PriorityAger((JobStore) broker, (StateStore) broker, List.of("default"), step, clock);

            assertThat(a.runOnce()).as("first round: the job has not waited a step yet").isZero();
            clock.advance(Duration.ofSeconds(59));
            assertThat(b.runOnce()).as("the round of this step is taken").isZero();
            clock.advance(Duration.ofSeconds(1));
            assertThat(b.runOnce()).isEqualTo(1);
            assertThat(a.runOnce()).as("same step, other ager").isZero();
            assertThat(priority(broker, id)).isEqualTo(1);
            for (int k = 0; k < 20; k++) {
                clock.advance(step);
                (k % 2 == 0 ? a : b).runOnce();
            }
            assertThat(priority(broker, id)).as("one level per step, up to 9").isEqualTo(9);
        }
    }

    private static int priority(Broker broker, String id) {
        return ((JobStore) broker).get(id).orElseThrow().job().priority();
    }

    @Test
    void optionIsValidatedAndABrokerWithoutTheCapabilityIsRefusedAtStart() {
        assertThatThrownBy(() -> WorkerOptions.defaults().priorityAging(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priorityAging must be at least 1 s");
        assertThat(WorkerOptions.defaults().priorityAging(Duration.ofMinutes(5)).priorityAging())
                .isEqualTo(Duration.ofMinutes(5));
    }
}
