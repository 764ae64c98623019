package dev.conveyor.bench;

import dev.conveyor.Task;
import dev.conveyor.worker.Worker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Enqueue-to-start latency at light load, open loop: job i is due at {@code start + i / rate} and carries that
 * intended send time in its args; the producer sends each one when it is due, each send on a virtual thread of
 * its own (as concurrent requests of an application would), and the handler records {@code now - intended}. The
 * schedule, not the previous send, decides when a job is sent: a slow enqueue delays its own job, not the ones
 * due after it, and is counted in its job's latency (coordinated-omission-safe). A single sending thread would
 * not be open loop: at 1,000 durable commits a second, a run of commits slower than 1 ms put every later job
 * behind its schedule and charged the broker's worker for the producer's queue (docs/BENCHMARKS.md). The first
 * {@code --latency-warmup} seconds are sent but not recorded.
 */
final class LatencyScenario {
    /** Intended send time ({@code System.nanoTime()} of this JVM) and whether to record the job. */
    record Timed(long intendedNanos, boolean measured) {}

    private LatencyScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.LATENCY, kind);
        res.params.put("rate", o.rate);
        res.params.put("durationSeconds", o.latencyDuration.toMillis() / 1000.0);
        res.params.put("warmupSeconds", o.latencyWarmup.toMillis() / 1000.0);
        res.params.put("concurrency", o.concurrency);
        res.params.put("fetchBatch", o.fetchBatch);
        res.params.put("runs", o.runs);
        if (kind.isSqlite() && !o.sqliteSetup.isEmpty()) res.params.put("sqliteSetup", o.sqliteSetup);
        Histogram allStart = new Histogram(3);
        Histogram allCall = new Histogram(3);
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (int r = 1; r <= o.runs; r++) {
            ConcurrentHistogram start = new ConcurrentHistogram(3);
            ConcurrentHistogram call = new ConcurrentHistogram(3);
            ConcurrentHistogram lag = new ConcurrentHistogram(3);
            Map<String, Object> run = runOnce(kind, o, dir, r, start, call, lag, res);
            res.runs.add(run);
            allStart.add(start);
            allCall.add(call);
            p50s.add(start.getValueAtPercentile(50) / 1e6);
            p99s.add(start.getValueAtPercentile(99) / 1e6);
            System.out.printf("  %-10s %-13s run %d: enqueue->start p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (%d jobs; enqueue call p99 %.3f ms)%n",
                    res.scenario.label(), kind.label(), r, start.getValueAtPercentile(50) / 1e6,
                    start.getValueAtPercentile(99) / 1e6, start.getValueAtPercentile(99.9) / 1e6,
                    start.getMaxValue() / 1e6, start.getTotalCount(), call.getValueAtPercentile(99) / 1e6);
        }
        res.summary.put("startMs", Latency.percentiles(allStart));
        res.summary.put("enqueueCallMs", Latency.percentiles(allCall));
        res.summary.put("p50PerRunMs", Summary.of(p50s).toMap(3));
        res.summary.put("p99PerRunMs", Summary.of(p99s).toMap(3));
        res.line = String.format("latency    %-13s enqueue->start p50 %.3f / p99 %.3f / p99.9 %.3f ms (max %.3f; %,d jobs at %d/s open loop, "
                        + "%d run(s) of %.1f s pooled; p99 per run %s ms)",
                kind.label(), allStart.getValueAtPercentile(50) / 1e6, allStart.getValueAtPercentile(99) / 1e6,
                allStart.getValueAtPercentile(99.9) / 1e6, allStart.getMaxValue() / 1e6, allStart.getTotalCount(),
                o.rate, o.runs, o.latencyDuration.toMillis() / 1000.0, Summary.of(p99s).describe("%.3f"));
        return res;
    }

    private static Map<String, Object> runOnce(BrokerKind kind, BenchOptions o, Path dir, int r,
                                               ConcurrentHistogram start, ConcurrentHistogram call, ConcurrentHistogram lag,
                                               ScenarioResult res) {
        ThroughputScenario.Counter counter = new ThroughputScenario.Counter();
        Task<Timed, Void> task = Task.named("bench_timed", Timed.class).action(a -> {
            long now = System.nanoTime();
            if (a.measured()) start.recordValue(Math.max(0, now - a.intendedNanos()));
            counter.handled();
        });
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", r);
        try (Rig rig = Rig.open(kind, dir, "latency-" + kind.label() + "-" + r, task, o)) {
            Worker worker = rig.startWorker(o);
            long warmNanos = o.latencyWarmup.toNanos();
            long total = (long) Math.floor((o.latencyWarmup.toNanos() + o.latencyDuration.toNanos()) / 1e9 * o.rate);
            CountDownLatch latch = counter.arm(total);
            run.put("loadAverageBefore", Env.loadAverage());
            long base = System.nanoTime() + 20_000_000;
            long measureFrom = base + warmNanos;
            boolean measuring = false;
            Procs before = null;
            AtomicReference<RuntimeException> failed = new AtomicReference<>();
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                for (long i = 0; i < total && failed.get() == null; i++) {
                    long intended = base + (long) (i * 1e9 / o.rate);
                    long d;
                    while ((d = intended - System.nanoTime()) > 0) LockSupport.parkNanos(d);
                    boolean measured = intended >= measureFrom;
                    if (measured && !measuring) {
                        measuring = true;
                        rig.resetDiagnostics();
                        if (rig.redis != null) rig.redis.resetStats();
                        before = Procs.now();
                    }
                    senders.execute(() -> {
                        long s = System.nanoTime();
                        try {
                            rig.conveyor.enqueue(task, new Timed(intended, measured));
                        } catch (RuntimeException e) {
                            failed.compareAndSet(null, e);
                            return;
                        }
                        long e = System.nanoTime();
                        if (measured) {
                            call.recordValue(e - s);
                            lag.recordValue(Math.max(0, s - intended));
                        }
                    });
                }
            } // waits for every send
            if (failed.get() != null) throw new IllegalStateException("an enqueue failed", failed.get());
            boolean done;
            try {
                done = latch.await(o.timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                done = false;
            }
            long deadline = System.nanoTime() + o.timeout.toNanos();
            while (done && worker.stats().succeeded() < total && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long wall = before == null ? 0 : System.nanoTime() - before.wallNanos();
            if (before != null) {
                Procs after = Procs.now();
                run.put("cpuShare", TimedBroker.round(after.cpuShareSince(before), 3));
            }
            run.put("jobs", total);
            run.put("measuredJobs", start.getTotalCount());
            run.put("startMs", Latency.percentiles(start));
            run.put("enqueueCallMs", Latency.percentiles(call));
            run.put("sendLagMs", Latency.percentiles(lag));
            run.put("calls", rig.diagnostics(wall));
            if (rig.redis != null) {
                // at light load every job is its own calls: what each costs the server, per job (includes the
                // commands its scripts run)
                long measuredJobs = total - (long) Math.floor(warmNanos / 1e9 * o.rate);
                Map<String, Object> perJob = ThroughputScenario.perJob(rig.redis.commandCalls(), measuredJobs);
                run.put("redisCommandsPerJob", perJob);
                res.summary.put("redisCommandsPerJob", perJob);
            }
            Worker.Stats st = worker.stats();
            res.check(r, "handler invocations", total, counter.count());
            res.check(r, "worker-recorded successes", total, st.succeeded());
            res.check(r, "retried+dead+released+stale", 0, st.retried() + st.dead() + st.released() + st.stale());
        }
        return run;
    }
}
