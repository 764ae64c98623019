package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Brokers;
import dev.conveyor.worker.Worker;
import java.io.IOException;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conveyor worker --app CLASS}: loads the app's {@link dev.conveyor.ConveyorApp}, starts a worker, and
 * runs until SIGTERM or Ctrl-C; then it stops fetching, lets running jobs finish within the grace period,
 * hands the rest back to the broker, and exits 0. A second Ctrl-C stops at once (exit 130).
 */
@Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Runs your app's tasks until SIGTERM or Ctrl-C, then shuts down gracefully.",
            "",
            "CLASS implements dev.conveyor.ConveyorApp and has a public no-argument constructor; its "
                    + "configure(builder) registers the tasks. --broker (or $CONVEYOR_BROKER) wins over a broker the "
                    + "app sets; with neither, the default SQLite file is used."
        },
        footer = {
            "",
            "Example:",
            "  conveyor worker --app com.example.Jobs --classpath build/libs/app.jar \\",
            "      --queues default,emails --concurrency 100 --metrics-port 9400"
        })
final class WorkerCommand extends BrokerCommand {
    @Option(names = "--app", required = true, paramLabel = "CLASS", description = "The ConveyorApp class to load.")
    String appClass;

    @Option(names = {"--classpath", "-cp"}, paramLabel = "PATH",
            description = "Jars and directories to load CLASS from, separated by ':' (dir/* = every jar in dir). "
                    + "Default: the CLI's own classpath.")
    String classpath;

    @Option(names = "--queues", split = ",", paramLabel = "QUEUE",
            description = "Queues to take jobs from, comma-separated (default: default).")
    List<String> queues;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Most jobs running at once (default: " + WorkerOptions.DEFAULT_CONCURRENCY + ").")
    Integer concurrency;

    @Option(names = "--fetch-batch", paramLabel = "N",
            description = "Most jobs leased in one round trip to the broker (default: " + WorkerOptions.DEFAULT_FETCH_BATCH
                    + "; never more than the free slots). For many short jobs: a larger batch and about twice as "
                    + "much concurrency, e.g. --concurrency 1024 --fetch-batch 512.")
    Integer fetchBatch;

    @Option(names = "--fetchers", paramLabel = "N",
            description = "Fetch loops, each with one fetch in flight, over the same slots (default: "
                    + WorkerOptions.DEFAULT_FETCHERS + "; the second fetches only while fetches come back full). "
                    + "1 leases the fewest jobs ahead of need.")
    Integer fetchers;

    @Option(names = "--prefetch", paramLabel = "N",
            description = "Most jobs leased ahead of free slots, held and started the moment a slot frees (default: "
                    + WorkerOptions.DEFAULT_PREFETCH + ", never more than the concurrency; 0 holds none). A held job not "
                    + "started within a second goes back to its queue. Use 0 for jobs that run for seconds or more "
                    + "when several workers share a queue.")
    Integer prefetch;

    @Option(names = "--schedules", paramLabel = "FILE",
            description = "A JSON file of cron schedules to run beside the app's own (see docs/SCHEDULES.md), e.g. "
                    + "[{\"name\": \"nightly\", \"cron\": \"0 3 * * *\", \"task\": \"reports.nightly\"}].")
    java.nio.file.Path schedulesFile;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION",
            description = "How long running jobs get to finish on shutdown (default: 25s).")
    Duration shutdownGrace;

    @Option(names = "--priority-aging", paramLabel = "DURATION",
            description = "Move a job that waited this long up one priority, every such step (default: off, strict priority).")
    Duration priorityAging;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics at http://HOST:N/metrics (default: off; 0 picks a free port). "
                    + "See docs/METRICS.md.")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "HOST",
            description = "The address the metrics endpoint binds to (default: 127.0.0.1, this machine only).")
    String metricsHost = dev.conveyor.metrics.MetricsServer.DEFAULT_HOST;

    @Option(names = "--metrics-poll", paramLabel = "DURATION",
            description = "How often queue depths are read from the broker for the metrics, one query each time "
                    + "(default: 10s).")
    Duration metricsPoll = dev.conveyor.metrics.ConveyorMetrics.DEFAULT_QUEUE_POLL;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private String appBrokerUrl;
    private volatile java.net.URI metricsUri;

    @Override
    protected int run() throws InterruptedException, IOException {
        if (!verbose()) Logging.level("dev.conveyor", "INFO");
        SerialFilter.install(); // this JVM deserializes no Java objects (the library never sets this; see SECURITY.md)
        WorkerOptions options = options();
        AppLoader.Loaded loaded = AppLoader.load(appClass, classpath, WorkerCommand.class.getClassLoader());
        Thread me = Thread.currentThread();
        ClassLoader previousLoader = me.getContextClassLoader();
        // The app's loader lets ServiceLoader find broker providers the app's jars bring.
        me.setContextClassLoader(loaded.loader());
        try (WorkerMetrics metrics = metricsPort == null ? null : new WorkerMetrics(metricsHost, metricsPort, metricsPoll);
             Conveyor conveyor = build(loaded, metrics)) {
            if (conveyor.tasks().isEmpty()) {
                throw CliException.failure(
                        "app " + appClass + " registered no tasks; call builder.task(...) in configure()");
            }
            if (metrics != null) metricsUri = metrics.start(conveyor);
            Signals handlers = Signals.install(this::onSignal);
            Worker worker = conveyor.startWorker(options.shutdownOnSigterm(handlers == null));
            try {
                out().println("Worker running " + conveyor.tasks().size() + " task(s) of " + appClass + " "
                        + conveyor.tasks().keySet() + " on " + brokerLabel() + ", queues "
                        + options.queues() + ", concurrency " + options.concurrency() + ", fetch batch " + options.fetchBatch()
                        + ", " + options.fetchers() + (options.fetchers() == 1 ? " fetch loop" : " fetch loops")
                        + ", prefetch " + Math.min(options.prefetch(), options.concurrency()) + ".");
                if (metricsUri != null) out().println("Metrics at " + metricsUri + " (Prometheus text format).");
                if (!conveyor.schedules().isEmpty()) {
                    out().println("Scheduler running " + conveyor.schedules().size() + " schedule(s) "
                            + conveyor.schedules().stream().map(dev.conveyor.schedule.Schedule::name).toList()
                            + "; `conveyor schedules` shows their fire times.");
                }
                out().println("Stop it with Ctrl-C or SIGTERM (graceful; running jobs get "
                        + Format.age(options.shutdownGrace()) + " to finish).");
                out().flush();
                started.countDown();
                stop.await();
                out().println("Stopping: no new jobs; waiting up to " + Format.age(options.shutdownGrace())
                        + " for running ones (Ctrl-C again to stop at once)…");
                out().flush();
                worker.shutdown(options.shutdownGrace());
            } finally {
                if (handlers != null) handlers.close();
            }
            Worker.Stats s = worker.stats();
            out().println("Stopped: " + s.succeeded() + " succeeded, " + s.retried() + " retried, " + s.dead()
                    + " dead, " + s.released() + " handed back.");
        } finally {
            me.setContextClassLoader(previousLoader);
            if (loaded.loader() instanceof URLClassLoader own) own.close();
        }
        return ExitCodes.OK;
    }

    private WorkerOptions options() {
        try {
            WorkerOptions o = WorkerOptions.defaults();
            if (queues != null) o = o.queues(queues.stream().map(String::trim).toList());
            if (concurrency != null) o = o.concurrency(concurrency);
            if (fetchBatch != null) o = o.fetchBatch(fetchBatch);
            if (fetchers != null) o = o.fetchers(fetchers);
            if (prefetch != null) o = o.prefetch(prefetch);
            if (shutdownGrace != null) o = o.shutdownGrace(shutdownGrace);
            if (priorityAging != null) o = o.priorityAging(priorityAging);
            return o;
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Errors.message(e));
        }
    }

    private Conveyor build(AppLoader.Loaded loaded, WorkerMetrics metrics) {
        Conveyor.Builder builder = Conveyor.builder();
        if (metrics != null) builder.listener(metrics.listener());
        String keys = System.getenv("CONVEYOR_ARGS_KEYS"); // set before configure(), so the app can override it
        if (keys != null && !keys.isBlank()) {
            try {
                builder.argsCipher(dev.conveyor.crypto.ArgsCipher.parse(keys));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("CONVEYOR_ARGS_KEYS: " + Errors.message(e));
            }
        }
        try {
            loaded.app().configure(builder);
        } catch (RuntimeException | LinkageError e) {
            throw new CliException(ExitCodes.FAILURE, "app " + appClass + ": configure() threw "
                    + e.getClass().getName() + ": " + Errors.message(e), e);
        }
        if (schedulesFile != null) {
            try {
                for (dev.conveyor.schedule.Schedule s : dev.conveyor.schedule.ScheduleFile.read(schedulesFile)) {
                    builder.schedule(s);
                }
            } catch (IllegalArgumentException e) {
                throw CliException.usage(Errors.message(e));
            }
        }
        if (brokerOptions.explicit()) return open(builder, brokerUrl());
        appBrokerUrl = builder.brokerUrl();
        String url = appBrokerUrl != null ? appBrokerUrl : Conveyor.DEFAULT_BROKER;
        try {
            return builder.build(); // the app's broker (URL or instance), else the default
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.FAILURE, cannotOpen(url, e) + " (the broker "
                    + (appBrokerUrl != null ? "app " + appClass + " set" : "used by default")
                    + "; choose one with --broker)", e);
        }
    }

    private String brokerLabel() {
        if (brokerOptions.explicit()) return Brokers.redact(brokerUrl());
        // Conveyor.Builder does not tell whether the app set a broker instance (no URL): assume the default then.
        return appBrokerUrl != null ? Brokers.redact(appBrokerUrl) + " (set by the app)"
                : Conveyor.DEFAULT_BROKER + " (the default)";
    }

    private void onSignal() {
        if (signals.incrementAndGet() > 1) {
            err().println("Stopping at once.");
            err().flush();
            Runtime.getRuntime().halt(130);
        }
        stop.countDown();
    }

    /** Asks a running worker to stop as SIGTERM would (tests). */
    void requestStop() {
        stop.countDown();
    }

    /** The metrics endpoint's URL once the worker runs with {@code --metrics-port}, else null (tests). */
    java.net.URI metricsUri() {
        return metricsUri;
    }

    /** Waits until the worker runs (tests). */
    boolean awaitStarted(Duration max) throws InterruptedException {
        return started.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }
}
