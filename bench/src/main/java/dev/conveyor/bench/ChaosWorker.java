package dev.conveyor.bench;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker process for the chaos scenarios: {@code ChaosWorker <broker url> <ledger dir> <concurrency> <lease ms>}.
 * It runs {@link #WORK} (records its start and end in its ledger, sleeping between) and {@link #CRASH} (halts the
 * JVM: the crash-loop case), records every job it leases ({@code L}), hands back ({@code H}) and marks started ({@code M}), what the broker answered to each finished run ({@code A} an accepted
 * success, {@code R} a refused outcome: a stale lease), prints {@code READY} once its worker runs, and runs until
 * killed.
 */
public final class ChaosWorker {
    record Work(int n, int sleepMs) {}

    record Crash(int n) {}

    record Throw(int n) {}

    /** Long jobs vs lease: sleeps {@code sleepMs}; with {@code retryDelayMs > 0} its first run asks to be retried that much later. */
    record Timed(int n, int sleepMs, int retryDelayMs) {}

    static final String WORK_TASK = "chaos.work";
    static final String CRASH_TASK = "chaos.crash";
    static final String THROW_TASK = "chaos.throw";
    static final String TIMED_TASK = "chaos.timed";

    private ChaosWorker() {}

    static Task<Work, Void> work(Ledger ledger) {
        return work(ledger, dev.conveyor.Task.DEFAULT_MAX_DELIVERIES);
    }

    /** The same task with another {@code maxDeliveries} (it travels in each job's envelope, set by the producer). */
    static Task<Work, Void> work(Ledger ledger, int maxDeliveries) {
        return Task.named(WORK_TASK, Work.class).queue("chaos").maxAttempts(100).maxDeliveries(maxDeliveries).action((w, ctx) -> {
            ledger.write('S', ctx.jobId());
            if (w.sleepMs() > 0) Thread.sleep(w.sleepMs());
            ledger.write('E', ctx.jobId());
        });
    }

    static Task<Crash, Void> crash() {
        return Task.named(CRASH_TASK, Crash.class).queue("chaos").action(c -> Runtime.getRuntime().halt(42));
    }

    /** Throws on every run: dead after its 3 attempts (retried at once, so the scenario does not wait on backoff). */
    static Task<Throw, Void> thrower() {
        return Task.named(THROW_TASK, Throw.class).queue("chaos").maxAttempts(3)
                .retry(dev.conveyor.retry.RetryPolicy.immediate()).action(t -> {
                    throw new IllegalStateException("chaos.throw always fails (job " + t.n() + ")");
                });
    }

    /**
     * Records its start ({@code S}) and the due time the broker leased it with ({@code D}, the line's time is the
     * job's runAt); a first run that must be retried records {@code F} and throws {@link dev.conveyor.RetryLaterException};
     * otherwise sleeps and records its end ({@code E}).
     */
    static Task<Timed, Void> timed(Ledger ledger) {
        return Task.named(TIMED_TASK, Timed.class).queue("chaos").maxAttempts(5).action((t, ctx) -> {
            ledger.write('S', ctx.jobId());
            ledger.writeAt('D', ctx.jobId(), ctx.job().runAt().toEpochMilli());
            if (t.retryDelayMs() > 0 && ctx.attempt() == 0) {
                ledger.write('F', ctx.jobId());
                throw new dev.conveyor.RetryLaterException(Duration.ofMillis(t.retryDelayMs()), "chaos.timed: again later");
            }
            if (t.sleepMs() > 0) Thread.sleep(t.sleepMs());
            ledger.write('E', ctx.jobId());
        });
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path ledgerDir = Path.of(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        Ledger ledger = Ledger.open(ledgerDir, "worker-" + ProcessHandle.current().pid());
        TimedBroker broker = TimedBroker.of(dev.conveyor.broker.Brokers.open(url,
                new dev.conveyor.broker.BrokerContext(java.time.Clock.systemUTC()))).observe(ledger::write);
        Conveyor conveyor = Conveyor.builder().broker(broker).task(work(ledger)).task(crash()).task(thrower())
                .task(timed(ledger))
                .listener(new dev.conveyor.events.JobListener() {
                    @Override
                    public void finished(dev.conveyor.job.Job job, dev.conveyor.events.JobOutcome outcome,
                                         boolean handlerFailed, Duration runTime) {
                        if (outcome == dev.conveyor.events.JobOutcome.SUCCEEDED) ledger.write('A', job.id());
                        if (outcome == dev.conveyor.events.JobOutcome.REFUSED) ledger.write('R', job.id());
                    }
                }).build();
        boolean warmUp = args.length > 4 && args[4].equals("warm-up");
        conveyor.startWorker(WorkerOptions.defaults().queues(warmUp ? "chaos-warm-up" : "chaos").concurrency(concurrency)
                .fetchBatch(Math.min(64, concurrency)).leaseDuration(lease).heartbeatInterval(lease.dividedBy(3))
                .shutdownOnSigterm(false));
        System.out.println("READY");
        System.out.flush();
        if (warmUp) {
            // A clean exit writes the class-data archive the workers of the scenario then start from.
            conveyor.close();
            System.exit(0);
        }
        Thread.currentThread().join(); // until killed
    }
}
