package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.middleware.Middleware;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerTest {
    record Args(int n) {}

    /** Quick beats and polls, a short grace, no SIGTERM hook: the worker options of this package's worker tests. */
    static WorkerOptions fast() {
        return WorkerOptions.defaults()
                .heartbeatInterval(Duration.ofMillis(50))
                .pollInterval(Duration.ofMillis(10))
                .shutdownGrace(Duration.ofSeconds(5))
                .shutdownOnSigterm(false);
    }

    @Test
    void middlewareWrapsTheHandlerOutermostFirst() {
        List<String> calls = new CopyOnWriteArrayList<>();
        Middleware outer = (ctx, next) -> {
            calls.add("outer>" + ctx.task());
            try {
                return next.proceed();
            } finally {
                calls.add("<outer");
            }
        };
        Middleware inner = (ctx, next) -> {
            calls.add("inner>");
            Object r = next.proceed();
            calls.add("<inner:" + r);
            return r;
        };
        Task<Args, Integer> square = Task.named("square", Args.class, Integer.class).handler(a -> {
            calls.add("handler");
            return a.n() * a.n();
        });
        try (Conveyor c = Conveyor.builder().broker("memory:").task(square).middleware(outer).middleware(inner).build()) {
            c.startWorker(fast());
            assertThat(c.enqueue(square, new Args(5)).await(Duration.ofSeconds(10))).isEqualTo(25);
            assertThat(calls).containsExactly("outer>square", "inner>", "handler", "<inner:25", "<outer");
        }
    }

    @Test
    void runsJobsConcurrentlyOnVirtualThreadsAndCpuTasksOnTheirPool() {
        CountDownLatch allIn = new CountDownLatch(50);
        AtomicInteger cpuConcurrent = new AtomicInteger();
        AtomicInteger cpuMax = new AtomicInteger();
        Task<Args, Boolean> io = Task.named("io", Args.class, Boolean.class).handler(a -> {
            allIn.countDown();
            allIn.await(); // only returns if all 50 run at the same time
            return Thread.currentThread().isVirtual();
        });
        Task<Args, Boolean> cpu = Task.named("cpu", Args.class, Boolean.class).platformThreads(2).handler(a -> {
            cpuMax.accumulateAndGet(cpuConcurrent.incrementAndGet(), Math::max);
            Thread.sleep(5);
            cpuConcurrent.decrementAndGet();
            return Thread.currentThread().isVirtual();
        });
        try (Conveyor c = Conveyor.builder().broker("memory:").tasks(io, cpu).build()) {
            c.startWorker(fast().concurrency(100));
            List<JobHandle<Boolean>> ios = c.enqueueAll(io, java.util.stream.IntStream.range(0, 50).mapToObj(Args::new).toList());
            List<JobHandle<Boolean>> cpus = c.enqueueAll(cpu, java.util.stream.IntStream.range(0, 20).mapToObj(Args::new).toList());
            assertThat(ios).allSatisfy(h -> assertThat(h.await(Duration.ofSeconds(20))).isTrue());
            assertThat(cpus).allSatisfy(h -> assertThat(h.await(Duration.ofSeconds(20))).isFalse());
            assertThat(cpuMax.get()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void gracefulShutdownFinishesShortJobsAndHandsBackTheRestWithoutUsingAnAttempt() {
        CountDownLatch started = new CountDownLatch(3);
        Task<Args, Void> job = Task.named("maybe_long", Args.class).action(a -> {
            started.countDown();
            if (a.n() > 0) Thread.sleep(60_000); // cooperative: an interrupt ends it
        });
        try (Conveyor c = Conveyor.builder().broker("memory:").task(job).build()) {
            Worker w = c.startWorker(fast().shutdownGrace(Duration.ofMillis(300)));
            JobHandle<Void> quick = c.enqueue(job, new Args(0));
            List<JobHandle<Void>> slow = c.enqueueAll(job, List.of(new Args(1), new Args(2)));
            await().until(() -> started.getCount() == 0 && quick.state() == JobState.SUCCEEDED);
            w.shutdown(Duration.ofMillis(300));
            for (JobHandle<Void> h : slow) {
                JobInfo info = h.info().orElseThrow();
                assertThat(info.state()).isEqualTo(JobState.READY);
                assertThat(info.job().attempt()).isZero();
                assertThat(info.job().deliveries()).isZero();
            }
            assertThat(w.stats().released()).isEqualTo(2);
            // Another worker picks them up at once.
            Task<Args, Void> quickNow = Task.named("maybe_long", Args.class).action(a -> {});
            try (Conveyor d = Conveyor.builder().broker(c.broker()).task(quickNow).build()) {
                d.startWorker(fast());
                for (JobHandle<Void> h : slow) await().until(() -> h.state() == JobState.SUCCEEDED);
            }
        }
    }

    @Test
    void stopsFetchingOnShutdownAndLeavesTheRestQueued() {
        ConcurrentHashMap<Integer, Boolean> ran = new ConcurrentHashMap<>();
        Task<Args, Void> t = Task.named("t", Args.class).action(a -> ran.put(a.n(), true));
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            Worker w = c.startWorker(fast());
            w.close();
            c.enqueueAll(t, List.of(new Args(1), new Args(2)));
            assertThat(ran).isEmpty();
            assertThat(c.store().get(c.store().list(dev.conveyor.broker.JobQuery.all(10)).items().get(0).id())
                    .orElseThrow().state()).isEqualTo(JobState.READY);
        }
    }

    @Test
    void aSecondShutdownWaitsForTheFirstSoNoOutcomeIsLost() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<Args, Void> slow = Task.named("slow_ok", Args.class).action(a -> {
            started.countDown();
            Thread.sleep(400);
        });
        Conveyor c = Conveyor.builder().broker("memory:").task(slow).build();
        Worker w = c.startWorker(fast());
        JobHandle<Void> job = c.enqueue(slow, new Args(1));
        started.await();
        // Two shutdown hooks at once: the worker's own and the application's Conveyor.close().
        Thread first = Thread.ofPlatform().start(() -> w.shutdown(Duration.ofSeconds(5)));
        Thread.sleep(20);
        c.close();
        assertThat(job.state()).as("recorded before close() returned").isEqualTo(JobState.SUCCEEDED);
        first.join();
    }
}
