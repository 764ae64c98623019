package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PausedQueuesTest {
    record Args(int n) {}

    static final Task<Args, Void> WORK = Task.named("work", Args.class).action(a -> {});

    @Test
    void aPausedQueueIsNotFetchedFromUntilResumedWhileOthersRun() {
        try (Conveyor c = Conveyor.builder().broker("memory:").task(WORK).build()) {
            assertThat(c.pauseQueue("a")).isTrue();
            assertThat(c.pauseQueue("a")).as("already paused").isFalse();
            assertThat(c.pausedQueues()).isEqualTo(Set.of("a"));
            JobHandle<Void> inA = c.enqueue(WORK, new Args(1), EnqueueOptions.defaults().queue("a"));
            JobHandle<Void> inB = c.enqueue(WORK, new Args(2), EnqueueOptions.defaults().queue("b"));
            Worker w = c.startWorker(WorkerOptions.defaults().queues(List.of("a", "b")).pollInterval(Duration.ofMillis(20)));
            await().atMost(Duration.ofSeconds(10)).until(() -> inB.state() == JobState.SUCCEEDED);
            // Several more fetch rounds pass; the paused queue's job stays where it is.
            long before = w.stats().succeeded();
            c.enqueue(WORK, new Args(3), EnqueueOptions.defaults().queue("b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> w.stats().succeeded() == before + 1);
            assertThat(inA.state()).isEqualTo(JobState.READY);

            assertThat(c.resumeQueue("a")).isTrue();
            assertThat(c.resumeQueue("a")).as("not paused any more").isFalse();
            w.refreshPausedQueues();
            await().atMost(Duration.ofSeconds(10)).until(() -> inA.state() == JobState.SUCCEEDED);
            assertThat(c.pausedQueues()).isEmpty();
        }
    }

    @Test
    void aWorkerWhoseQueuesAreAllPausedHoldsNoSlotsAndPicksUpOnResume() {
        try (Conveyor c = Conveyor.builder().broker("memory:").task(WORK).build()) {
            c.pauseQueue("default");
            JobHandle<Void> job = c.enqueue(WORK, new Args(1));
            Worker w = c.startWorker(WorkerOptions.defaults());
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> w.stats().inFlight() == 0 && job.state() == JobState.READY);
            c.resumeQueue("default");
            w.refreshPausedQueues();
            await().atMost(Duration.ofSeconds(10)).until(() -> job.state() == JobState.SUCCEEDED);
        }
    }

    @Test
    void aPausedQueueWithABacklogDoesNotMakeTheWorkerSpin() throws Exception {
        java.util.concurrent.atomic.AtomicLong fetches = new java.util.concurrent.atomic.AtomicLong();
        dev.conveyor.broker.memory.MemoryBroker real = new dev.conveyor.broker.memory.MemoryBroker(
                dev.conveyor.broker.BrokerContext.defaults());
        dev.conveyor.broker.Broker counting = (dev.conveyor.broker.Broker) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.conveyor.broker.Broker.class,
                    dev.conveyor.broker.JobStore.class, dev.conveyor.broker.StateStore.class},
                (p, m, args) -> {
                    if (m.getName().equals("fetch")) fetches.incrementAndGet();
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (Conveyor c = Conveyor.builder().broker(counting).task(WORK).build()) {
            c.pauseQueue("paused");
            for (int i = 0; i < 3; i++) c.enqueue(WORK, new Args(i), EnqueueOptions.defaults().queue("paused"));
            c.startWorker(WorkerOptions.defaults().queues(List.of("paused", "default")).pollInterval(Duration.ofMillis(100)));
            Thread.sleep(300);
            long before = fetches.get();
            Thread.sleep(1000);
            assertThat(fetches.get() - before).as("fetches in one second while the paused queue has ready jobs")
                    .isLessThan(50);
        } finally {
            real.close();
        }
    }
}
