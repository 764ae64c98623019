package dev.conveyor.bench.peers.driver;

import dev.conveyor.Conveyor;
import dev.conveyor.Retention;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Conveyor as a driver of the side-by-side benchmark, in its own JVM like every peer:
 * {@code --broker redis|postgres|sqlite} (and, run by hand, {@code --prefetch N} for the worker's held jobs). One
 * {@link Conveyor} holds the producer and one worker; enqueues go through {@code enqueueAll} (one broker call per
 * batch), the worker runs handlers on virtual threads.
 */
public final class ConveyorDriver implements JvmSystem {
    private final String broker;
    private final String url;
    /** Jobs the worker holds ahead of free slots: {@code --prefetch N} (default: WorkerOptions' default). */
    private final int prefetch;
    private final Task<Payload, Void> task;
    private final Conveyor conveyor;
    private Worker worker;

    ConveyorDriver(DriverArgs a) {
        this.broker = a.extra().getOrDefault("broker", "redis");
        this.url = switch (broker) {
            case "redis" -> a.redis() + "/0?prefix=" + a.prefix();
            case "postgres" -> a.pg() + (a.pg().contains("?") ? "&" : "?") + "migrate=auto";
            case "sqlite" -> "sqlite:" + java.util.Objects.requireNonNull(a.sqlite(), "--sqlite FILE");
            default -> throw new IllegalArgumentException("--broker " + broker + ": redis, postgres or sqlite");
        };
        this.prefetch = Integer.parseInt(a.extra().getOrDefault("prefetch", String.valueOf(WorkerOptions.DEFAULT_PREFETCH)));
        this.task = Task.named("peer_noop", Payload.class)
                .action(p -> Recorder.run(p.seq(), p.sentMicros(), p.sleepMs()));
        this.conveyor = Conveyor.builder().broker(url).task(task).build();
    }

    public static void main(String[] args) {
        JvmHarness.main(args, ConveyorDriver::new);
    }

    @Override
    public String name() {
        return "conveyor-" + broker;
    }

    @Override
    public String version() {
        return System.getProperty("bench.git", "working tree");
    }

    @Override
    public Map<String, Object> settings(DriverArgs a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", url.replaceAll("prefix=.*", "prefix=<run>"));
        m.put("enqueue", "enqueueAll, " + a.batch() + " jobs per call; latency: enqueue, one per call");
        m.put("worker", "one Worker, concurrency " + a.concurrency() + " (virtual threads), fetchBatch "
                + fetchBatch(a.concurrency()) + ", prefetch " + Math.min(prefetch, a.concurrency())
                + " (jobs held ahead of free slots; WorkerOptions' default unless --prefetch), Retention.keepAll() (no "
                + "pruning round inside a run)");
        return m;
    }

    /** The default fetch batch (256), or the concurrency when it is smaller. */
    private static int fetchBatch(int concurrency) {
        return Math.min(256, concurrency);
    }

    @Override
    public void startWorker(int concurrency) {
        worker = conveyor.startWorker(WorkerOptions.defaults()
                .concurrency(concurrency)
                .fetchBatch(fetchBatch(concurrency))
                .retention(Retention.keepAll())
                .prefetch(prefetch)
                .shutdownOnSigterm(false));
    }

    @Override
    public void enqueueBulk(List<Payload> jobs) {
        conveyor.enqueueAll(task, jobs);
    }

    @Override
    public void enqueueOne(Payload job) {
        conveyor.enqueue(task, job);
    }

    @Override
    public boolean awaitRecorded(long n, long deadlineNanos) {
        while (worker.stats().succeeded() < n) {
            if (System.nanoTime() > deadlineNanos) return false;
            LockSupport.parkNanos(1_000_000); // every 1 ms, as the other JVM drivers poll their counters
        }
        return true;
    }

    @Override
    public void close() {
        conveyor.close();
    }
}
