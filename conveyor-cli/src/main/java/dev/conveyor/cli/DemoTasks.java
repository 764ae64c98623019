package dev.conveyor.cli;

import dev.conveyor.JobContext;
import dev.conveyor.Task;
import dev.conveyor.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's tasks: a realistic mix of quick jobs, slow I/O jobs, flaky jobs that succeed after retries, a
 * poison job that always fails, delayed reminders and a report whose result is awaited. One instance per run
 * (it counts how many slow jobs run at once).
 */
final class DemoTasks {
    static final String QUEUE = "demo";
    static final String IO_QUEUE = "demo-io";
    static final String REPORT_QUEUE = "demo-reports";
    static final List<String> QUEUES = List.of(QUEUE, IO_QUEUE, REPORT_QUEUE);
    /** Runs the poison job gets before it is dead. */
    static final int POISON_ATTEMPTS = 3;
    /** What every poison failure says; the demo checks the dead reason carries it. */
    static final String POISON_MESSAGE = "cannot parse invoice";

    /** A quick job: a little arithmetic. */
    record Quick(int n) {}

    /** A slow I/O job: waits {@code millis} as a call to a slow service would (on its own virtual thread). */
    record Fetch(String url, int millis) {}

    /** Fails {@code failures} times with a transient error, then succeeds. */
    record Flaky(int n, int failures) {}

    /** Always fails: a message no code path can handle. */
    record Poison(String invoice) {}

    /** Enqueued with a delay; runs once due. */
    record Reminder(int n) {}

    record ReportArgs(int jobs) {}

    /** The awaited job's result. */
    record Report(int jobs, String summary) {}

    /** A failure worth retrying: the upstream will be back. */
    static final class TransientException extends RuntimeException {
        TransientException(String message) {
            super(message);
        }
    }

    final Task<Quick, Void> quick;
    final Task<Fetch, Void> fetch;
    final Task<Flaky, Void> flaky;
    final Task<Poison, Void> poison;
    final Task<Reminder, Void> reminder;
    final Task<ReportArgs, Report> report;

    private final AtomicInteger fetching = new AtomicInteger();
    private final AtomicInteger peakFetching = new AtomicInteger();

    /** {@code quickMode} shortens retry delays so the demo ends in seconds. */
    DemoTasks(boolean quickMode) {
        Duration retryBase = quickMode ? Duration.ofMillis(50) : Duration.ofMillis(250);
        Duration retryCap = quickMode ? Duration.ofMillis(200) : Duration.ofSeconds(2);
        quick = Task.named("demo.quick", Quick.class).queue(QUEUE).action(DemoTasks::compute);
        fetch = Task.named("demo.fetch", Fetch.class).queue(IO_QUEUE).timeout(Duration.ofSeconds(10))
                .action(this::slowCall);
        flaky = Task.named("demo.flaky", Flaky.class).queue(QUEUE).maxAttempts(5)
                .retry(RetryPolicy.exponential(retryBase, retryCap))
                .action(DemoTasks::flakyCall);
        poison = Task.named("demo.poison", Poison.class).queue(QUEUE).maxAttempts(POISON_ATTEMPTS)
                .retry(RetryPolicy.fixed(quickMode ? Duration.ofMillis(100) : Duration.ofSeconds(1)))
                .action(DemoTasks::parseInvoice);
        reminder = Task.named("demo.reminder", Reminder.class).queue(QUEUE).action(DemoTasks::remind);
        report = Task.named("demo.report", ReportArgs.class, Report.class).queue(REPORT_QUEUE)
                .handler(DemoTasks::buildReport);
    }

    List<Task<?, ?>> all() {
        return List.of(quick, fetch, flaky, poison, reminder, report);
    }

    /** Most slow I/O jobs that were running at the same moment. */
    int peakConcurrentFetches() {
        return peakFetching.get();
    }

    private static void compute(Quick q) {
        long x = q.n();
        for (int i = 0; i < 1000; i++) x = x * 31 + i;
        if (x == 42) throw new IllegalStateException("unreachable");
    }

    private void slowCall(Fetch f) throws InterruptedException {
        int now = fetching.incrementAndGet();
        peakFetching.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(f.millis());
        } finally {
            fetching.decrementAndGet();
        }
    }

    private static void flakyCall(Flaky f, JobContext ctx) {
        if (ctx.attempt() < f.failures()) {
            throw new TransientException("upstream returned 503 Service Unavailable (simulated; attempt "
                    + (ctx.attempt() + 1) + " of the " + (f.failures() + 1) + " this job needs)");
        }
    }

    private static void parseInvoice(Poison p) {
        throw new IllegalStateException(POISON_MESSAGE + " " + p.invoice()
                + ": unexpected end of input at byte 0 (simulated poison message)");
    }

    private static void remind(Reminder r) {
        // nothing to do: the point is when it runs
    }

    private static Report buildReport(ReportArgs a) throws InterruptedException {
        Thread.sleep(300);
        return new Report(a.jobs(), "monthly report over " + a.jobs() + " orders, built in 300 ms");
    }
}
