package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.job.JobInfo;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.ScheduleState;
import dev.conveyor.schedule.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cron schedules on the broker's shared state: however many schedulers run, each tick is enqueued once. */
abstract class ScheduleSuite extends SuiteBase {
    record Tick(int n) {}

    static final Task<Tick, Void> TICK = Task.named("ct.tick", Tick.class).action(t -> {});

    @BeforeEach
    void needsStateAndInspection() {
        requires(Capability.STATE);
        requires(Capability.INSPECTION);
    }

    @Test
    void concurrentSchedulersEnqueueEachTickExactlyOnce() throws Exception {
        String q = queue();
        // The schedule's name is per test: the state store is shared with other tests on server brokers.
        Schedule schedule = Schedule.cron(q, "* * * * *").task(TICK, new Tick(1)).queue(q);
        int schedulers = 3;
        List<Conveyor> instances = new ArrayList<>();
        List<Scheduler> all = new ArrayList<>();
        // Every enqueue any scheduler attempts, per fire time: the claim (a compare-and-set) must leave each tick to
        // exactly one of them, not just let the unique key absorb the repeats.
        java.util.Map<Instant, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < schedulers; i++) {
            Conveyor c = Conveyor.builder().broker(broker()).clock(clock()).task(TICK).build();
            instances.add(c);
            all.add(new Scheduler(List.of(schedule), (dev.conveyor.broker.StateStore) broker(), store(), clock(),
                    (sc, fireTime) -> {
                        attempts.merge(fireTime, 1, Integer::sum);
                        JobHandle<Void> h = c.enqueue(TICK, new Tick(1), EnqueueOptions.defaults().queue(q)
                                .uniqueKey(sc.uniqueKey(fireTime)).uniqueFor(Scheduler.UNIQUE_FOR));
                        return new dev.conveyor.broker.EnqueueResult(h.id(), h.isDuplicate());
                    }));
        }
        all.get(0).runOnce(); // the schedule's first sight: it counts ticks from here
        int minutes = 20;
        ExecutorService pool = Executors.newFixedThreadPool(schedulers);
        try {
            for (int m = 0; m < minutes; m++) {
                clock().advance(Duration.ofMinutes(1));
                // All schedulers run the same round at once, as workers started together would.
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> rounds = new ArrayList<>();
                for (Scheduler s : all) rounds.add(pool.submit(() -> {
                    go.await();
                    return s.runOnce();
                }));
                go.countDown();
                int enqueued = 0;
                for (Future<Integer> f : rounds) enqueued += f.get();
                assertThat(enqueued).as("minute %d: one tick, enqueued by exactly one scheduler", m + 1).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
            instances.forEach(Conveyor::close);
        }
        assertThat(attempts).as("one enqueue attempt per tick, across all schedulers").hasSize(minutes)
                .allSatisfy((t, n) -> assertThat(n).as("attempts for %s", t).isEqualTo(1));
        List<JobInfo> jobs = store().list(new JobQuery(null, q, null, null, 1000)).items();
        assertThat(jobs).hasSize(minutes);
        assertThat(new HashSet<>(jobs.stream().map(j -> j.job().uniqueKey()).toList())).hasSize(minutes);
        ScheduleState st = Scheduler.list((dev.conveyor.broker.StateStore) broker()).get(q);
        assertThat(st.fired()).isEqualTo(minutes);
        assertThat(st.pending()).isEmpty();
        assertThat(st.lastFire()).isEqualTo(now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toEpochMilli());
        assertThat(Instant.ofEpochMilli(st.next())).isAfter(now());
    }

    @Test
    void twoWorkersOnAOneSecondScheduleMakeExactlySixtyJobsInSixtySeconds() throws Exception {
        String q = queue();
        Schedule every = Schedule.cron(q, "@every 1s").task(TICK, new Tick(2)).queue(q);
        List<Conveyor> workers = new ArrayList<>();
        List<Scheduler> schedulers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Conveyor c = Conveyor.builder().broker(broker()).clock(clock()).task(TICK).schedule(every).build();
            workers.add(c);
            schedulers.add(c.newScheduler()); // what startWorker runs, driven here by the suite's clock
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            schedulers.get(1).runOnce(); // first sight
            for (int s = 0; s < 60; s++) {
                clock().advance(Duration.ofSeconds(1));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> rounds = new ArrayList<>();
                for (Scheduler sc : schedulers) rounds.add(pool.submit(() -> {
                    go.await();
                    return sc.runOnce();
                }));
                go.countDown();
                for (Future<Integer> f : rounds) f.get();
            }
        } finally {
            pool.shutdownNow();
            workers.forEach(Conveyor::close);
        }
        List<JobInfo> jobs = store().list(new JobQuery(null, q, null, null, 1000)).items();
        assertThat(jobs).as("jobs from 60 s of a 1 s schedule on two workers").hasSize(60);
        assertThat(new HashSet<>(jobs.stream().map(j -> j.job().uniqueKey()).toList())).hasSize(60);
    }
}
