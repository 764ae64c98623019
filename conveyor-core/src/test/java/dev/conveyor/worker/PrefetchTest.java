package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.conveyor.worker.WorkerTest.fast;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.memory.MemoryBroker;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Jobs held ahead of free slots (WorkerOptions.prefetch): leased early, started in turn, given back when stale. */
class PrefetchTest {
    record Args(int n) {}

    /** Counts handlers running at once, each blocked on {@code gate}. */
    private static final class Gated {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger ran = new AtomicInteger();

        Task<Args, Void> task() {
            return Task.named("gated", Args.class).action(a -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    gate.await();
                } finally {
                    running.decrementAndGet();
                    ran.incrementAndGet();
                }
            });
        }
    }

    private static long inState(List<? extends JobHandle<?>> jobs, JobState state) {
        return jobs.stream().filter(h -> h.state() == state).count();
    }

    @Test
    void leasesUpToPrefetchMoreJobsThanRunAndStartsThemAsSlotsFree() {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build()) {
            Worker w = c.startWorker(fast().concurrency(3).prefetch(2));
            List<JobHandle<Void>> jobs = c.enqueueAll(task, IntStream.range(0, 8).mapToObj(Args::new).toList());
            // three run, two more are leased and held: five RUNNING in the store, three still READY
            await().until(() -> inState(jobs, JobState.RUNNING) == 5 && g.running.get() == 3);
            await().during(Duration.ofMillis(100)).until(() -> inState(jobs, JobState.READY) == 3);
            assertThat(w.jobsInFlight()).isEqualTo(5);
            await().until(() -> w.jobsHeld() == 2);
            g.gate.countDown();
            await().until(() -> inState(jobs, JobState.SUCCEEDED) == 8);
            assertThat(g.most.get()).isEqualTo(3); // holding never runs more than the concurrency
            assertThat(g.ran.get()).isEqualTo(8);
            assertThat(w.stats().released()).isZero();
            assertThat(w.jobsHeld()).isZero();
        }
    }

    @Test
    void withoutPrefetchOnlyTheConcurrencyIsLeased() {
        assertLeasedWhileBlocked(fast().concurrency(2).prefetch(0), 8, 2);
    }

    @Test
    void prefetchIsCappedAtTheConcurrency() {
        assertLeasedWhileBlocked(fast().concurrency(2).prefetch(100), 10, 4);
    }

    /** With every handler blocked, the worker leases exactly {@code leased} of {@code jobs}, then runs them all. */
    private static void assertLeasedWhileBlocked(WorkerOptions options, int jobs, int leased) {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build()) {
            c.startWorker(options);
            List<JobHandle<Void>> handles = c.enqueueAll(task, IntStream.range(0, jobs).mapToObj(Args::new).toList());
            await().until(() -> inState(handles, JobState.RUNNING) == leased && g.running.get() == options.concurrency());
            await().during(Duration.ofMillis(100)).until(() -> inState(handles, JobState.RUNNING) == leased);
            g.gate.countDown();
            await().until(() -> inState(handles, JobState.SUCCEEDED) == jobs);
        }
    }

    @Test
    void shutdownHandsHeldJobsBackAtOnceWithoutUsingADelivery() {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build()) {
            Worker w = c.startWorker(fast().concurrency(1).prefetch(1));
            w.holdLimits(Duration.ofMinutes(5), Duration.ofMinutes(5)); // only the shutdown sends it back here
            JobHandle<Void> first = c.enqueue(task, new Args(0));
            await().until(() -> g.running.get() == 1);
            JobHandle<Void> second = c.enqueue(task, new Args(1));
            await().until(() -> second.state() == JobState.RUNNING); // leased and held
            Thread shutdown = Thread.ofVirtual().start(() -> w.shutdown(Duration.ofSeconds(10)));
            // the held job goes back while the running one still has its grace period
            await().until(() -> second.state() == JobState.READY);
            JobInfo info = second.info().orElseThrow();
            assertThat(info.job().deliveries()).isZero();
            assertThat(info.job().attempt()).isZero();
            assertThat(first.state()).isEqualTo(JobState.RUNNING);
            g.gate.countDown();
            await().until(() -> !shutdown.isAlive());
            assertThat(first.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(second.state()).isEqualTo(JobState.READY);
            assertThat(g.ran.get()).isEqualTo(1);
            assertThat(w.stats().released()).isEqualTo(1);
        }
    }

    @Test
    void aJobHeldPastTheHoldLimitGoesBackAndTheWorkerPausesHolding() {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build()) {
            Worker w = c.startWorker(fast().concurrency(1).prefetch(1));
            w.holdLimits(Duration.ofMillis(100), Duration.ofMinutes(5));
            JobHandle<Void> first = c.enqueue(task, new Args(0));
            await().until(() -> g.running.get() == 1);
            JobHandle<Void> second = c.enqueue(task, new Args(1));
            // held, then given back after the limit; while the pause lasts it is not leased again
            await().until(() -> w.stats().released() == 1);
            await().during(Duration.ofMillis(300)).until(() -> second.state() == JobState.READY);
            assertThat(second.info().orElseThrow().job().deliveries()).isZero();
            assertThat(first.state()).isEqualTo(JobState.RUNNING);
            // the free slot still fetches: it runs once the first returns
            g.gate.countDown();
            await().until(() -> second.state() == JobState.SUCCEEDED && first.state() == JobState.SUCCEEDED);
            assertThat(g.ran.get()).isEqualTo(2);
        }
    }

    @Test
    void holdingResumesAfterThePause() {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build()) {
            Worker w = c.startWorker(fast().concurrency(1).prefetch(1));
            w.holdLimits(Duration.ofMillis(100), Duration.ofMillis(300));
            c.enqueue(task, new Args(0));
            await().until(() -> g.running.get() == 1);
            JobHandle<Void> second = c.enqueue(task, new Args(1));
            await().until(() -> w.stats().released() >= 1);
            // after the pause the worker leases it again (and, still blocked, gives it back again)
            await().atMost(Duration.ofSeconds(5)).until(() -> w.stats().released() >= 2);
            g.gate.countDown();
            await().until(() -> second.state() == JobState.SUCCEEDED);
        }
    }

    @Test
    void aHeldJobKeepsItsLeaseWhileItWaits() {
        Gated g = new Gated();
        Task<Args, Void> task = g.task();
        AtomicInteger elsewhere = new AtomicInteger();
        Task<Args, Void> other = Task.named("gated", Args.class).action(a -> elsewhere.incrementAndGet());
        try (Conveyor c = Conveyor.builder().broker("memory:").task(task).build();
             Conveyor d = Conveyor.builder().broker(c.broker()).task(other).build()) {
            WorkerOptions shortLeases = fast().leaseDuration(Duration.ofMillis(300)).heartbeatInterval(Duration.ofMillis(50));
            Worker w = c.startWorker(shortLeases.concurrency(1).prefetch(1));
            w.holdLimits(Duration.ofSeconds(10), Duration.ofMinutes(5));
            c.enqueue(task, new Args(0));
            await().until(() -> g.running.get() == 1);
            JobHandle<Void> held = c.enqueue(task, new Args(1));
            await().until(() -> held.state() == JobState.RUNNING && w.jobsHeld() == 1);
            // Another worker polls the queue all along: it would take the held job back the moment its lease lapsed.
            d.startWorker(shortLeases.prefetch(0));
            await().during(Duration.ofSeconds(1)).until(() -> held.state() == JobState.RUNNING && elsewhere.get() == 0);
            g.gate.countDown();
            await().until(() -> held.state() == JobState.SUCCEEDED);
            assertThat(held.info().orElseThrow().job().deliveries()).isEqualTo(1);
            assertThat(g.ran.get()).isEqualTo(2);
            assertThat(elsewhere.get()).isZero();
        }
    }

    /**
     * While acks wait, at most concurrency + prefetch + one ack batch started jobs wait with them: no more start, so
     * a worker killed then leaves at most that many started jobs to run again. Without the cap, all ten ran.
     */
    @Test
    void startedJobsWaitingForTheirAckAreCapped() {
        assertRunsWhileAcksWait(fast().concurrency(2).prefetch(1).completionBatch(2), 5);
        assertRunsWhileAcksWait(fast().concurrency(2).prefetch(0).completionBatch(1), 3);
    }

    /** With every ack blocked, exactly {@code runs} of 10 quick jobs run; all of them once acks go through. */
    private static void assertRunsWhileAcksWait(WorkerOptions options, int runs) {
        CountDownLatch acks = new CountDownLatch(1);
        Broker broker = ackGated(new MemoryBroker(new BrokerContext(java.time.Clock.systemUTC())), acks);
        AtomicInteger ran = new AtomicInteger();
        Task<Args, Void> task = Task.named("quick", Args.class).action(a -> { ran.incrementAndGet(); });
        try (Conveyor c = Conveyor.builder().broker(broker).task(task).build()) {
            Worker w = c.startWorker(options);
            c.enqueueAll(task, IntStream.range(0, 10).mapToObj(Args::new).toList());
            try {
                await().until(() -> ran.get() >= runs);
                await().during(Duration.ofMillis(300)).until(() -> ran.get() == runs);
            } finally {
                acks.countDown(); // also when it failed: closing the worker waits for its acks
            }
            await().until(() -> w.stats().succeeded() == 10);
            assertThat(ran.get()).isEqualTo(10);
        }
    }

    /** The broker with every ack waiting for {@code acks} (a proxy, so the worker sees a plain Broker). */
    private static Broker ackGated(Broker broker, CountDownLatch acks) {
        return (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("ack")) acks.await();
                    try {
                        return method.invoke(broker, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void prefetchMustNotBeNegative() {
        assertThatThrownBy(() -> WorkerOptions.defaults().prefetch(-1)).hasMessageContaining("prefetch must be >= 0");
        assertThat(WorkerOptions.defaults().prefetch()).isEqualTo(WorkerOptions.DEFAULT_PREFETCH);
    }
}
