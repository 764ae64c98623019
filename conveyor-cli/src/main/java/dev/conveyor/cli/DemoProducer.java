package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The demo's producer: enqueues the planned mix over the run's duration, in batches every 100 ms, with three
 * bursts of quick jobs (a nightly import arriving at once). Remembers every job's id and kind for the checks.
 */
final class DemoProducer implements Runnable {
    enum Kind { QUICK, FETCH, FLAKY, POISON, REMINDER, REPORT }

    /** How many jobs of each kind (bursts included in their kind's count but for quick), and over how long. */
    record Plan(int quick, int burst, int fetch, int flaky, int poison, int reminders, Duration duration,
                Duration minDelay, Duration maxDelay) {
        static Plan of(int jobs, boolean quickMode) {
            int poison = quickMode ? 1 : 2;
            int fetch = jobs / 4;
            int flaky = Math.max(1, jobs / 20);
            int reminders = Math.max(1, jobs / 20);
            int burst = jobs * 3 / 10;
            int quick = jobs - 1 - poison - fetch - flaky - reminders - burst;
            return quickMode
                    ? new Plan(quick, burst, fetch, flaky, poison, reminders, Duration.ofMillis(1500),
                            Duration.ofMillis(300), Duration.ofMillis(1000))
                    : new Plan(quick, burst, fetch, flaky, poison, reminders, Duration.ofSeconds(18),
                            Duration.ofSeconds(2), Duration.ofSeconds(5));
        }

        /** Slow I/O jobs enqueued at once, mid-run. */
        int fetchBurst() {
            return fetch / 2;
        }

        int total() {
            return quick + burst + fetch + flaky + poison + reminders + 1;
        }
    }

    private static final Duration TICK = Duration.ofMillis(100);

    private final Conveyor conveyor;
    private final DemoTasks tasks;
    private final Plan plan;
    private final SplittableRandom random = new SplittableRandom(20250601);
    private final Map<String, Kind> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger enqueued = new AtomicInteger();
    private volatile JobHandle<DemoTasks.Report> report;
    private volatile boolean done;
    private volatile RuntimeException failure;

    DemoProducer(Conveyor conveyor, DemoTasks tasks, Plan plan) {
        this.conveyor = conveyor;
        this.tasks = tasks;
        this.plan = plan;
    }

    @Override
    public void run() {
        try {
            report = conveyor.enqueue(tasks.report, new DemoTasks.ReportArgs(plan.total()));
            track(List.of(report), Kind.REPORT);
            List<DemoTasks.Poison> poison = new ArrayList<>();
            for (int i = 0; i < plan.poison(); i++) poison.add(new DemoTasks.Poison("INV-" + (1013 + i * 400)));
            track(conveyor.enqueueAll(tasks.poison, poison), Kind.POISON);

            int ticks = (int) Math.max(1, plan.duration().toMillis() / TICK.toMillis());
            long start = System.nanoTime();
            int[] sent = new int[4]; // quick, fetch, flaky, reminders
            int bursts = 0;
            for (int t = 1; t <= ticks; t++) {
                sent[0] += batch(tasks.quick, due(plan.quick(), t, ticks) - sent[0],
                        i -> new DemoTasks.Quick(i), Kind.QUICK);
                sent[1] += batch(tasks.fetch, due(plan.fetch() - plan.fetchBurst(), t, ticks) - sent[1],
                        i -> new DemoTasks.Fetch("https://api.example.com/orders/" + i, 100 + random.nextInt(401)),
                        Kind.FETCH);
                sent[2] += batch(tasks.flaky, due(plan.flaky(), t, ticks) - sent[2],
                        i -> new DemoTasks.Flaky(i, 1 + i % 2), Kind.FLAKY);
                int reminders = due(plan.reminders(), t, ticks) - sent[3];
                for (int i = 0; i < reminders; i++) {
                    long span = plan.maxDelay().toMillis() - plan.minDelay().toMillis();
                    Duration delay = plan.minDelay().plusMillis(random.nextLong(span + 1));
                    JobHandle<Void> h = conveyor.enqueue(tasks.reminder, new DemoTasks.Reminder(sent[3] + i),
                            EnqueueOptions.defaults().delay(delay));
                    track(List.of(h), Kind.REMINDER);
                }
                sent[3] += reminders;
                if (bursts < 3 && t >= ticks * (bursts + 1) / 4) {
                    int size = plan.burst() / 3 + (bursts == 2 ? plan.burst() % 3 : 0);
                    batch(tasks.quick, size, i -> new DemoTasks.Quick(-i), Kind.QUICK);
                    if (bursts == 1) { // a crawl: many slow calls at once, each waiting on its own virtual thread
                        batch(tasks.fetch, plan.fetchBurst(), i -> new DemoTasks.Fetch(
                                "https://cdn.example.com/images/" + i, 100 + random.nextInt(401)), Kind.FETCH);
                    }
                    bursts++;
                }
                long sleep = start + t * TICK.toNanos() - System.nanoTime();
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            done = true;
        }
    }

    /** How many of {@code total} should have been sent by tick {@code t} of {@code ticks}. */
    private static int due(int total, int t, int ticks) {
        return (int) ((long) total * t / ticks);
    }

    private <A> int batch(Task<A, Void> task, int n, IntFunction<A> args, Kind kind) {
        if (n <= 0) return 0;
        List<A> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(args.apply(enqueued.get() + i));
        track(conveyor.enqueueAll(task, list), kind);
        return n;
    }

    private void track(List<? extends JobHandle<?>> handles, Kind kind) {
        for (JobHandle<?> h : handles) jobs.put(h.id(), kind);
        enqueued.addAndGet(handles.size());
    }

    boolean isDone() {
        return done;
    }

    /** What stopped the producer early (a broker error), or null. */
    RuntimeException failure() {
        return failure;
    }

    int enqueued() {
        return enqueued.get();
    }

    Map<String, Kind> jobs() {
        return jobs;
    }

    JobHandle<DemoTasks.Report> report() {
        return report;
    }

    Plan plan() {
        return plan;
    }
}
