package dev.conveyor.bench;

import dev.conveyor.Task;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Single-enqueue rate: one thread calls {@code enqueue} once per job (one broker call, and on SQLite one commit,
 * per job), no worker running. jobs/s = N / elapsed, after a warm-up on the same broker; each call's latency
 * goes into a histogram.
 */
final class EnqueueScenario {
    private EnqueueScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.ENQUEUE, kind);
        res.params.put("n", o.enqueueN);
        res.params.put("warmup", o.enqueueWarmup);
        res.params.put("runs", o.runs);
        if (kind.isSqlite() && !o.sqliteSetup.isEmpty()) res.params.put("sqliteSetup", o.sqliteSetup);
        res.params.put("producerThreads", 1);
        List<Double> rates = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (int r = 1; r <= o.runs; r++) {
            Task<ThroughputScenario.Noop, Void> task = Task.named(ThroughputScenario.TASK, ThroughputScenario.Noop.class)
                    .action(a -> { });
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("run", r);
            try (Rig rig = Rig.open(kind, dir, "enqueue-" + kind.label() + "-" + r, task, o)) {
                long seq = 0;
                for (int i = 0; i < o.enqueueWarmup; i++) rig.conveyor.enqueue(task, new ThroughputScenario.Noop(seq++));
                rig.resetDiagnostics();
                Histogram calls = new Histogram(3);
                run.put("loadAverageBefore", Env.loadAverage());
                Procs before = Procs.now();
                long t0 = System.nanoTime();
                for (int i = 0; i < o.enqueueN; i++) {
                    long s = System.nanoTime();
                    rig.conveyor.enqueue(task, new ThroughputScenario.Noop(seq++));
                    calls.recordValue(System.nanoTime() - s);
                }
                long wall = System.nanoTime() - t0;
                Procs after = Procs.now();
                double rate = o.enqueueN / (wall / 1e9);
                rates.add(rate);
                p99s.add(calls.getValueAtPercentile(99) / 1e6);
                run.put("jobs", o.enqueueN);
                run.put("jobsPerSecond", TimedBroker.round(rate, 1));
                run.put("wallMs", TimedBroker.round(wall / 1e6, 1));
                run.put("callMs", Latency.percentiles(calls));
                run.put("cpuShare", TimedBroker.round(after.cpuShareSince(before), 3));
                run.put("gcCount", after.gcCount() - before.gcCount());
                run.put("calls", rig.diagnostics(wall));
                long stored = rig.count(JobState.READY);
                if (stored >= 0) res.check(r, "jobs READY in the store", o.enqueueWarmup + (long) o.enqueueN, stored);
                System.out.printf("  %-10s %-13s run %d: %,10.0f jobs/s  call p50 %.3f ms  p99 %.3f ms  CPU %3.0f%%%n",
                        res.scenario.label(), kind.label(), r, rate, calls.getValueAtPercentile(50) / 1e6,
                        calls.getValueAtPercentile(99) / 1e6, 100 * after.cpuShareSince(before));
            }
            res.runs.add(run);
        }
        Summary s = Summary.of(rates);
        res.summary.put("jobsPerSecond", s.toMap(0));
        res.summary.put("callP99Ms", Summary.of(p99s).toMap(3));
        res.line = String.format("enqueue    %-13s %s jobs/s one enqueue() per job, one thread, median of %d; N=%,d after %,d warm-up",
                kind.label(), s.describe("%,.0f"), s.runs(), o.enqueueN, o.enqueueWarmup);
        return res;
    }
}
