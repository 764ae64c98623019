package dev.conveyor.bench;

import dev.conveyor.Task;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end no-op throughput: one worker runs while the producer (this thread) enqueues N jobs with
 * {@code enqueueAll} in batches; jobs/s = N / the wall time from the first enqueue to the moment the worker has
 * recorded the last completion in the broker ({@code Worker.stats().succeeded()}). A warm-up of the same shape
 * runs first on the same broker. Completion is detected from the handler count (a latch, no polling) and then
 * the worker's counters for the last acks: no per-job broker reads.
 */
final class ThroughputScenario {
    /** The job's args: a sequence number, so each job's JSON differs a little, as real ones do. */
    record Noop(long seq) {}

    static final String TASK = "bench_noop";

    private ThroughputScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.THROUGHPUT, kind);
        res.params.put("n", o.n);
        res.params.put("warmup", o.warmup);
        res.params.put("producerBatch", o.producerBatch);
        res.params.put("concurrency", o.concurrency);
        res.params.put("fetchBatch", o.fetchBatch);
        res.params.put("fetchers", o.fetchers);
        res.params.put("prefetch", o.prefetch);
        res.params.put("runs", o.runs);
        if (kind.isSqlite() && !o.sqliteSetup.isEmpty()) res.params.put("sqliteSetup", o.sqliteSetup);
        List<Double> rates = new ArrayList<>();
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int r = 1; r <= o.runs; r++) {
            Map<String, Object> run = runOnce(kind, o, dir, r, res);
            res.runs.add(run);
            if (run.get("jobsPerSecond") instanceof Double d) rates.add(d);
            calls.add(run);
            System.out.printf("  %-10s %-13s run %d: %,10.0f jobs/s  wall %,8.1f ms  producer done %,8.1f ms  CPU %3.0f%%  GC %d (%d ms)%n",
                    res.scenario.label(), kind.label(), r, run.getOrDefault("jobsPerSecond", Double.NaN),
                    run.get("wallMs"), run.get("producerMs"), 100 * (Double) run.get("cpuShare"),
                    run.get("gcCount"), run.get("gcMs"));
        }
        Summary s = Summary.of(rates);
        res.summary.put("jobsPerSecond", s.toMap(0));
        res.line = String.format("throughput %-13s %s jobs/s end-to-end, median of %d; N=%,d after %,d warm-up, "
                        + "batches of %,d, concurrency %d, fetchBatch %d, fetchers %d, prefetch %d",
                kind.label(), s.describe("%,.0f"), s.runs(), o.n, o.warmup, o.producerBatch, o.concurrency,
                o.fetchBatch, o.fetchers, Math.min(o.prefetch, o.concurrency));
        // The broker calls of the median run.
        calls.stream().filter(m -> m.get("jobsPerSecond") instanceof Double d && d == s.median()).findFirst()
                .ifPresent(m -> {
                    res.summary.put("medianRunCalls", m.get("calls"));
                    if (m.get("redisCommandsPerJob") != null) res.summary.put("redisCommandsPerJob", m.get("redisCommandsPerJob"));
                });
        return res;
    }

    private static Map<String, Object> runOnce(BrokerKind kind, BenchOptions o, Path dir, int r, ScenarioResult res) {
        Counter counter = new Counter();
        Task<Noop, Void> task = Task.named(TASK, Noop.class).action(a -> counter.handled());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", r);
        try (Rig rig = Rig.open(kind, dir, "throughput-" + kind.label() + "-" + r, task, o)) {
            Worker worker = rig.startWorker(o);
            long seq = 0;
            if (o.warmup > 0) {
                Phase warm = phase(rig, task, worker, counter, seq, o.warmup, o);
                seq += o.warmup;
                if (!warm.done) res.problems.add("run " + r + ": warm-up did not finish within " + o.timeout);
            }
            rig.resetDiagnostics();
            if (rig.redis != null) rig.redis.resetStats();
            run.put("loadAverageBefore", Env.loadAverage());
            Procs before = Procs.now();
            Phase p = phase(rig, task, worker, counter, seq, o.n, o);
            Procs after = Procs.now();
            run.put("jobs", o.n);
            run.put("completed", p.done);
            if (p.done) run.put("jobsPerSecond", TimedBroker.round(o.n / (p.wallNanos / 1e9), 1));
            run.put("wallMs", TimedBroker.round(p.wallNanos / 1e6, 1));
            run.put("producerMs", TimedBroker.round(p.producerNanos / 1e6, 1));
            run.put("producerJobsPerSecond", TimedBroker.round(o.n / (p.producerNanos / 1e9), 1));
            run.put("lastHandlerMs", TimedBroker.round(p.handledNanos / 1e6, 1));
            run.put("cpuShare", TimedBroker.round(after.cpuShareSince(before), 3));
            run.put("gcCount", after.gcCount() - before.gcCount());
            run.put("gcMs", after.gcMillis() - before.gcMillis());
            run.put("calls", rig.diagnostics(p.wallNanos));
            if (rig.redis != null) run.put("redisCommandsPerJob", perJob(rig.redis.commandCalls(), o.n));

            long total = o.warmup + (long) o.n;
            Worker.Stats st = worker.stats();
            run.put("workerStats", Map.of("succeeded", st.succeeded(), "retried", st.retried(), "dead", st.dead(),
                    "released", st.released(), "stale", st.stale()));
            res.check(r, "handler invocations", total, counter.count());
            res.check(r, "worker-recorded successes", total, st.succeeded());
            res.check(r, "retried+dead+released+stale", 0, st.retried() + st.dead() + st.released() + st.stale());
            long stored = rig.count(JobState.SUCCEEDED);
            if (stored >= 0) res.check(r, "jobs SUCCEEDED in the store", total, stored);
        }
        return run;
    }

    /** Redis commands per job from INFO commandstats (all clients: the benchmark is the server's only user). */
    static Map<String, Object> perJob(Map<String, Long> calls, long n) {
        Map<String, Object> out = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : calls.entrySet()) {
            if (e.getKey().equals("info") || e.getKey().startsWith("config")) continue; // the benchmark's own probes
            total += e.getValue();
            out.put(e.getKey(), TimedBroker.round((double) e.getValue() / n, 4));
        }
        out.put("total", TimedBroker.round((double) total / n, 4));
        return out;
    }

    private record Phase(boolean done, long wallNanos, long producerNanos, long handledNanos) {}

    /** Enqueues {@code count} jobs in batches while the worker drains; returns when all are recorded. */
    private static Phase phase(Rig rig, Task<Noop, Void> task, Worker worker, Counter counter, long firstSeq,
                               int count, BenchOptions o) {
        List<List<Noop>> batches = new ArrayList<>();
        for (int from = 0; from < count; from += o.producerBatch) {
            int size = Math.min(o.producerBatch, count - from);
            List<Noop> b = new ArrayList<>(size);
            for (int i = 0; i < size; i++) b.add(new Noop(firstSeq + from + i));
            batches.add(b);
        }
        long succeededTarget = worker.stats().succeeded() + count;
        CountDownLatch latch = counter.arm(counter.count() + count);
        long deadline = System.nanoTime() + o.timeout.toNanos();

        long t0 = System.nanoTime();
        for (List<Noop> b : batches) rig.conveyor.enqueueAll(task, b);
        long tProducer = System.nanoTime();
        boolean done;
        try {
            done = latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        long tHandled = counter.reachedAt;
        while (done && worker.stats().succeeded() < succeededTarget) {
            if (System.nanoTime() > deadline) {
                done = false;
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        long tEnd = System.nanoTime();
        return new Phase(done, tEnd - t0, tProducer - t0, done ? tHandled - t0 : -1);
    }

    /** Counts handler invocations; opens a latch when a target count is reached. */
    static final class Counter {
        private final AtomicLong n = new AtomicLong();
        private volatile long target = Long.MAX_VALUE;
        private volatile CountDownLatch latch = new CountDownLatch(1);
        volatile long reachedAt;

        void handled() {
            long h = n.incrementAndGet();
            if (h == target) {
                reachedAt = System.nanoTime();
                latch.countDown();
            }
        }

        long count() {
            return n.get();
        }

        CountDownLatch arm(long target) {
            CountDownLatch l = new CountDownLatch(1);
            this.latch = l;
            this.target = target;
            if (n.get() >= target) l.countDown();
            return l;
        }
    }
}
