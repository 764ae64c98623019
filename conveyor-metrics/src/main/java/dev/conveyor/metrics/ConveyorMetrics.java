package dev.conveyor.metrics;

import dev.conveyor.Conveyor;
import dev.conveyor.events.JobListener;
import dev.conveyor.events.JobOutcome;
import dev.conveyor.job.Job;
import dev.conveyor.events.WorkerView;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Conveyor's Micrometer meters: jobs per task and queue (counts, run and wait time), queues (depth by state,
 * oldest ready job's age) and workers (in flight, concurrency, heartbeat age). Register it as a listener and
 * call {@link #watchQueues}; serve a Prometheus registry with {@link MetricsServer}. docs/METRICS.md lists
 * every meter.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * ConveyorMetrics metrics = new ConveyorMetrics(registry);
 * try (Conveyor conveyor = Conveyor.builder().broker("sqlite:./jobs.db").task(SEND_REPORT).listener(metrics).build();
 *      MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 9400)) {
 *     metrics.watchQueues(conveyor, ConveyorMetrics.DEFAULT_QUEUE_POLL);
 *     conveyor.startWorker(WorkerOptions.defaults());
 *     ...                                             // curl http://127.0.0.1:9400/metrics
 * } finally {
 *     metrics.close();
 * }
 * }</pre>
 */
public final class ConveyorMetrics implements JobListener, AutoCloseable {
    /** How often queue stats are read from the store by default: each read is one query per process. */
    public static final Duration DEFAULT_QUEUE_POLL = Duration.ofSeconds(10);

    private final MeterRegistry registry;
    private final JobMeters jobs;
    private final WorkerGauges workers;
    private final List<QueueGauges> queues = new CopyOnWriteArrayList<>();

    public ConveyorMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.jobs = new JobMeters(registry);
        this.workers = new WorkerGauges(registry);
    }

    /** The registry the meters are in (a dashboard can read it). */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Starts reading {@code conveyor}'s queue stats every {@code every} (the first read at once) into the queue
     * gauges. Needs a broker that keeps job state ({@code conveyor.store()} not null). Stopped by {@link #close}.
     */
    public ConveyorMetrics watchQueues(Conveyor conveyor, Duration every) {
        if (conveyor.store() == null) {
            throw new IllegalStateException("queue metrics need a broker that keeps job state; "
                    + conveyor.broker().getClass().getSimpleName() + " does not");
        }
        if (every.isNegative() || every.isZero()) throw new IllegalArgumentException("every must be positive, was " + every);
        queues.add(new QueueGauges(registry, conveyor.store(), conveyor.clock()).start(every));
        return this;
    }

    /** Reads the watched queues' stats now (tests; the timer does it on its own). */
    public void pollQueuesNow() {
        queues.forEach(QueueGauges::poll);
    }

    @Override
    public void enqueued(Job job) {
        jobs.enqueued(job);
    }

    @Override
    public void started(Job job, Duration waited) {
        jobs.started(job, waited);
    }

    @Override
    public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
        jobs.finished(job, outcome, handlerFailed, runTime);
    }

    @Override
    public void workerStarted(WorkerView worker) {
        workers.workerStarted(worker);
    }

    @Override
    public void workerStopped(WorkerView worker) {
        workers.workerStopped(worker);
    }

    /** Stops reading queue stats. The meters stay in the registry. */
    @Override
    public void close() {
        queues.forEach(QueueGauges::close);
    }
}
