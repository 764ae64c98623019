package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conveyor demo}: a worker and a producer in one process running a realistic mix against the embedded
 * store, with live progress and a summary; exits 1 if one of the demo's own checks fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Shows Conveyor at work: a worker and a producer running a mix of jobs.",
            "",
            "The mix: quick jobs, slow I/O jobs (100-500 ms, hundreds at once on virtual threads), flaky jobs "
                    + "that fail and succeed on retry, a poison job that ends dead, delayed jobs, and one job whose "
                    + "result is awaited. Live progress on a terminal (one line per second elsewhere), a summary at "
                    + "the end.",
            "",
            "Without --broker (or $CONVEYOR_BROKER) it uses its own file, which it deletes at the start so "
                    + "every run starts clean:",
            "  " + DemoCommand.DEMO_BROKER,
            "With --broker it adds its jobs (queues demo, demo-io, demo-reports) to that broker and deletes nothing.",
            "",
            "Exits 0 when every check passes (what should succeed did, the poison job is dead, ...), else 1: "
                    + "`conveyor demo --quick` doubles as a smoke test."
        },
        footer = {"", "Examples:", "  conveyor demo", "  conveyor demo --quick", "  conveyor demo --dashboard",
            "  conveyor demo --jobs 20000 --broker memory:"})
final class DemoCommand extends BrokerCommand {
    static final String DEMO_BROKER = "sqlite:./conveyor-data/demo.db";
    private static final Path DEMO_DB = Path.of("conveyor-data", "demo.db");
    static final int DEFAULT_JOBS = 3000;
    static final int QUICK_JOBS = 400;
    static final int MIN_JOBS = 20;

    @Option(names = "--quick", description = "A short run (a few seconds), as CI runs it.")
    boolean quick;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Jobs to enqueue (default: " + DEFAULT_JOBS + "; " + QUICK_JOBS + " with --quick).")
    Integer jobs;

    @Option(names = "--dashboard",
            description = "Keep the workload flowing with the web dashboard up (its URL and token are printed) until "
                    + "Ctrl-C, instead of ending with a summary. Takes the dashboard's --host, --port, --token.")
    boolean dashboard;

    @picocli.CommandLine.Mixin
    DashboardOptions dashboardOptions;

    @Option(names = "--plain",
            description = "No live view: one plain line per second (the default off a terminal and in CI).")
    boolean plain;

    @Override
    protected String defaultBroker() {
        return DEMO_BROKER;
    }

    @Override
    protected int run() throws Exception {
        int n = jobs != null ? jobs : quick ? QUICK_JOBS : DEFAULT_JOBS;
        if (n < MIN_JOBS || n > 1_000_000) {
            throw CliException.usage("--jobs must be between " + MIN_JOBS + " and 1000000, was " + n);
        }
        DemoProducer.Plan plan = DemoProducer.Plan.of(n, quick);
        boolean fresh = !brokerOptions.explicit();
        if (fresh) deleteDemoDb();
        String url = brokerUrl();
        if (!verbose()) Logging.level("dev.conveyor", "ERROR"); // the poison job's warnings would tear the live view
        DemoTasks tasks = new DemoTasks(quick);
        Conveyor.Builder builder = Conveyor.builder();
        tasks.all().forEach(builder::task);
        long start = System.nanoTime();
        try (Conveyor conveyor = open(builder, url)) {
            if (dashboard) {
                return new DemoDashboard(conveyor, tasks, n, out()).run(url, fresh, dashboardOptions);
            }
            return run(conveyor, store(conveyor), tasks, plan, url, fresh, start);
        }
    }

    private int run(Conveyor conveyor, JobStore store, DemoTasks tasks, DemoProducer.Plan plan, String url,
                    boolean fresh, long start) throws Exception {
        out().println("Conveyor demo: " + plan.total() + " jobs on " + Brokers.redact(url)
                + (fresh ? " (recreated for this run)" : "") + ".");
        out().println("Worker: queues " + DemoTasks.QUEUES + ", 200 jobs at once. Ctrl-C stops it gracefully.");
        out().println();
        out().flush();
        long baseline = finished(demoQueues(store.queues()));
        Worker worker = conveyor.startWorker(WorkerOptions.defaults().queues(DemoTasks.QUEUES).concurrency(200)
                .pollInterval(Duration.ofMillis(100)).shutdownGrace(Duration.ofSeconds(5)));
        DemoProducer producer = new DemoProducer(conveyor, tasks, plan);
        Thread producerThread = Thread.ofPlatform().name("demo-producer").daemon().start(producer);
        DemoView view = new DemoView(out(), !plain && Terminal.isInteractive(), "Conveyor demo");
        AtomicReference<DemoTasks.Report> awaited = new AtomicReference<>();
        AtomicReference<String> awaitedLine = new AtomicReference<>();
        Thread awaiter = Thread.ofVirtual().name("demo-await")
                .start(() -> awaitReport(conveyor, producer, view, awaited, awaitedLine));

        Duration limit = plan.duration().plus(plan.maxDelay()).plus(quick ? Duration.ofSeconds(30) : Duration.ofSeconds(60));
        List<long[]> samples = new ArrayList<>(); // {nanos, finished}
        samples.add(new long[] {System.nanoTime(), 0});
        double peak = 0;
        boolean timedOut = false;
        try {
            while (true) {
                Thread.sleep(view.interval());
                List<QueueStats> queues = demoQueues(store.queues());
                long now = System.nanoTime();
                long finished = finished(queues) - baseline;
                double rate = rate(samples, now, finished);
                peak = Math.max(peak, rate);
                view.frame(new DemoView.Snapshot(Duration.ofNanos(now - start), producer.enqueued(), plan.total(),
                        queues, worker.stats().retried(), rate));
                if (producer.failure() != null) throw producer.failure();
                if (producer.isDone() && unfinished(queues) == 0 && !awaiter.isAlive()) break;
                if (Duration.ofNanos(now - start).compareTo(limit) > 0) {
                    timedOut = true;
                    break;
                }
            }
        } finally {
            view.close();
        }
        producerThread.join(5000);
        awaiter.join(1000);
        long retried = worker.stats().retried();
        worker.shutdown(Duration.ofSeconds(5));
        DemoReport report = new DemoReport(store, producer.jobs());
        if (timedOut) report.fail("timed out after " + Format.age(limit) + " with jobs still unfinished");
        List<String> failures = report.check(awaited.get(), plan.total());
        report.print(out(), Duration.ofNanos(System.nanoTime() - start), retried, peak,
                tasks.peakConcurrentFetches(), awaitedLine.get());
        if (failures.isEmpty()) {
            String b = " --broker " + Brokers.redact(url);
            out().println("Look around:");
            out().println("  conveyor queues" + b);
            out().println("  conveyor dlq list" + b);
            out().println("  conveyor jobs list --state succeeded --limit 5" + b);
        }
        out().flush();
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private static void awaitReport(Conveyor conveyor, DemoProducer producer, DemoView view,
                                    AtomicReference<DemoTasks.Report> result, AtomicReference<String> line) {
        try {
            while (producer.report() == null && !producer.isDone()) Thread.sleep(10);
            JobHandle<DemoTasks.Report> h = producer.report();
            if (h == null) return;
            long t0 = System.nanoTime();
            DemoTasks.Report r = h.await(Duration.ofSeconds(60));
            result.set(r);
            line.set("job " + h.id() + " (demo.report) returned " + conveyor.mapper().writeValueAsString(r)
                    + ", awaited with JobHandle.await in " + Format.age(Duration.ofNanos(System.nanoTime() - t0)));
            view.event("Awaited result: " + line.get());
        } catch (Exception e) {
            line.set("failed: " + Errors.message(e));
            view.event("Awaiting the report job failed: " + Errors.message(e));
        }
    }

    /** Finished jobs per second over the last second or so. */
    private static double rate(List<long[]> samples, long now, long finished) {
        samples.add(new long[] {now, finished});
        while (samples.size() > 2 && now - samples.get(1)[0] >= 1_000_000_000L) samples.remove(0);
        long[] base = samples.get(0);
        double secs = (now - base[0]) / 1e9;
        return secs <= 0 ? 0 : (finished - base[1]) / secs;
    }

    /** The demo's queues, in order, each present even before it has jobs. */
    private static List<QueueStats> demoQueues(List<QueueStats> all) {
        List<QueueStats> out = new ArrayList<>();
        for (String name : DemoTasks.QUEUES) {
            out.add(all.stream().filter(q -> q.queue().equals(name)).findFirst()
                    .orElseGet(() -> new QueueStats(name, null, null)));
        }
        return out;
    }

    private static long finished(List<QueueStats> queues) {
        return queues.stream().mapToLong(q -> q.count(JobState.SUCCEEDED) + q.count(JobState.DEAD)).sum();
    }

    private static long unfinished(List<QueueStats> queues) {
        return queues.stream()
                .mapToLong(q -> q.count(JobState.READY) + q.count(JobState.SCHEDULED) + q.count(JobState.RUNNING)).sum();
    }

    /** Removes the demo's own SQLite file (and its WAL files) so the run starts clean. */
    private static void deleteDemoDb() throws IOException {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Files.deleteIfExists(DEMO_DB.resolveSibling(DEMO_DB.getFileName() + suffix));
        }
    }
}
