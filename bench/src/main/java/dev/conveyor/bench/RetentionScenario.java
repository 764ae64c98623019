package dev.conveyor.bench;

import dev.conveyor.Retention;
import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Retention under load: many no-op jobs (default 1,000,000) go through one worker whose {@link Retention} keeps
 * the newest {@code --retention-keep} succeeded jobs, pruning every {@code --retention-interval} in batches of
 * {@code --retention-batch}. The producer offers {@code --retention-rate} jobs/s (paced, open loop, in batches).
 * Every {@code --retention-sample} jobs sent it records: the non-empty fetch calls of that window (median, p99,
 * max, jobs per fetch, from {@link TimedBroker}), the prune calls, the rows in the table by state, and the
 * table's size on disk ({@link Rig#tableSize}). Fetch latency and size should stay flat once the table has
 * reached its kept size: no bloat spiral. One run per broker.
 */
final class RetentionScenario {
    private RetentionScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.RETENTION, kind);
        int batch = o.producerBatchSet ? o.producerBatch : 100;
        Retention retention = Retention.keepAll().maxSucceeded(o.retentionKeep).interval(o.retentionInterval)
                .batch(o.retentionBatch);
        res.params.put("jobs", o.retentionJobs);
        res.params.put("sampleEvery", o.retentionSample);
        res.params.put("rate", o.retentionRate);
        res.params.put("producerBatch", batch);
        res.params.put("concurrency", o.concurrency);
        res.params.put("fetchBatch", o.fetchBatch);
        if (o.retentionVacuum != null) res.params.put("vacuumEveryMs", o.retentionVacuum.toMillis());
        res.params.put("retention", Map.of("maxSucceeded", o.retentionKeep, "intervalMs",
                o.retentionInterval.toMillis(), "batch", o.retentionBatch));

        ThroughputScenario.Counter counter = new ThroughputScenario.Counter();
        Task<ThroughputScenario.Noop, Void> task = Task.named(ThroughputScenario.TASK, ThroughputScenario.Noop.class)
                .action(a -> counter.handled());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        List<Map<String, Object>> samples = new ArrayList<>();
        System.out.printf("  %-10s %-13s %,d jobs at %s, keeping %,d succeeded (prune every %.1f s, batch %d)%n",
                res.scenario.label(), kind.label(), o.retentionJobs,
                o.retentionRate == 0 ? "full speed" : String.format("%,d/s", o.retentionRate), o.retentionKeep,
                o.retentionInterval.toMillis() / 1000.0, o.retentionBatch);
        System.out.println("      jobs sent  done      s   fetch p50    p99    max ms  jobs/fetch  prune calls (ms mean)"
                + "  rows (succeeded)         size MB  detail");
        ServerDb.Vacuumer vacuum = null;
        try (Rig rig = Rig.open(kind, dir, "retention-" + kind.label(), task, o)) {
            if (rig.server != null && kind == BrokerKind.POSTGRES) {
                String av = rig.server.autovacuum();
                run.put("autovacuum", av);
                if (o.retentionVacuum != null) {
                    run.put("benchVacuumEveryMs", o.retentionVacuum.toMillis());
                    vacuum = rig.server.vacuumEvery("conveyor_jobs", o.retentionVacuum);
                    System.out.printf("      (the server's autovacuum is %s; the bench runs VACUUM on the table every %.1f s)%n",
                            av, o.retentionVacuum.toMillis() / 1000.0);
                } else if ("off".equals(av)) {
                    System.out.println("      NOTE: autovacuum is off on this server: nothing reclaims dead tuples "
                            + "(--retention-vacuum S makes the bench VACUUM the table itself)");
                }
            }
            Worker worker = rig.startWorker(o, retention);
            TimedBroker.Meter prune = rig.broker.meterNamed("prune");
            run.put("loadAverageBefore", Env.loadAverage());
            Procs before = Procs.now();
            rig.broker.fetchWindow(); // start the first window now
            long prevFetches = 0;
            long prevFetched = 0;
            long prevPrunes = 0;
            long prevPruneNanos = 0;
            long deadline = System.nanoTime() + o.timeout.toNanos();
            long t0 = System.nanoTime();
            long sent = 0;
            long nextSample = o.retentionSample;
            boolean timedOut = false;
            while (sent < o.retentionJobs) {
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
                int size = (int) Math.min(batch, o.retentionJobs - sent);
                if (o.retentionRate > 0) {
                    long due = t0 + (long) (sent * 1e9 / o.retentionRate);
                    long d;
                    while ((d = due - System.nanoTime()) > 0) LockSupport.parkNanos(d);
                }
                List<ThroughputScenario.Noop> jobs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) jobs.add(new ThroughputScenario.Noop(sent + i));
                rig.conveyor.enqueueAll(task, jobs);
                sent += size;
                if (sent >= nextSample || sent == o.retentionJobs) {
                    nextSample += o.retentionSample;
                    Histogram fetch = rig.broker.fetchWindow();
                    long fetches = meter(rig, "fetch", "calls");
                    long fetched = meter(rig, "fetch", "items");
                    long prunes = prune == null ? 0 : prune.calls.sum();
                    long pruneNanos = prune == null ? 0 : prune.nanos.sum();
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("jobsSent", sent);
                    s.put("jobsDone", worker.stats().succeeded());
                    s.put("seconds", TimedBroker.round((System.nanoTime() - t0) / 1e9, 1));
                    s.put("fetchMs", Latency.percentiles(fetch));
                    long df = fetches - prevFetches;
                    s.put("jobsPerFetch", df == 0 ? 0 : TimedBroker.round((fetched - prevFetched) / (double) df, 1));
                    s.put("pruneCalls", prunes - prevPrunes);
                    s.put("pruneMeanMs", prunes == prevPrunes ? 0
                            : TimedBroker.round((pruneNanos - prevPruneNanos) / 1e6 / (prunes - prevPrunes), 2));
                    Map<JobState, Long> rows = rows(rig);
                    s.put("rows", rows.values().stream().mapToLong(Long::longValue).sum());
                    s.put("rowsByState", rows);
                    Map<String, Object> size0 = rig.tableSize();
                    s.put("table", size0);
                    samples.add(s);
                    prevFetches = fetches;
                    prevFetched = fetched;
                    prevPrunes = prunes;
                    prevPruneNanos = pruneNanos;
                    System.out.printf("      %,9d %,9d %6.1f   %7.2f %7.2f %8.2f  %9.1f  %6d (%6.2f)   %,9d (%,9d)  %8.1f  %s%n",
                            sent, (Long) s.get("jobsDone"), (Double) s.get("seconds"),
                            fetch.getValueAtPercentile(50) / 1e6, fetch.getValueAtPercentile(99) / 1e6,
                            fetch.getMaxValue() / 1e6, (Double) s.get("jobsPerFetch"), (Long) s.get("pruneCalls"),
                            (Double) s.get("pruneMeanMs"), (Long) s.get("rows"),
                            rows.getOrDefault(JobState.SUCCEEDED, 0L),
                            ((Number) size0.getOrDefault("bytes", 0L)).longValue() / 1048576.0, detail(size0));
                }
            }
            long producerNanos = System.nanoTime() - t0;
            // Every job run and recorded ...
            while (!timedOut && worker.stats().succeeded() < sent) {
                if (System.nanoTime() > deadline) timedOut = true;
                LockSupport.parkNanos(1_000_000);
            }
            long wall = System.nanoTime() - t0;
            Procs after = Procs.now();
            // ... then the pruner's next rounds bring the succeeded jobs down to the kept number.
            long settleBy = System.nanoTime() + 3 * o.retentionInterval.toNanos() + 5_000_000_000L;
            long succeededStored;
            while ((succeededStored = rows(rig).getOrDefault(JobState.SUCCEEDED, 0L)) > o.retentionKeep
                    && System.nanoTime() < settleBy) {
                LockSupport.parkNanos(100_000_000);
            }
            run.put("jobs", sent);
            run.put("completed", !timedOut);
            run.put("wallMs", TimedBroker.round(wall / 1e6, 1));
            run.put("producerMs", TimedBroker.round(producerNanos / 1e6, 1));
            run.put("jobsPerSecond", TimedBroker.round(sent / (wall / 1e9), 1));
            run.put("cpuShare", TimedBroker.round(after.cpuShareSince(before), 3));
            run.put("gcCount", after.gcCount() - before.gcCount());
            run.put("gcMs", after.gcMillis() - before.gcMillis());
            run.put("calls", rig.diagnostics(wall));
            run.put("samples", samples);
            run.put("succeededStoredAfterSettling", succeededStored);
            if (vacuum != null) {
                vacuum.close();
                run.put("benchVacuums", vacuum.runs.get());
                run.put("benchVacuumMs", TimedBroker.round(vacuum.nanos.get() / 1e6, 1));
                if (vacuum.error != null) run.put("benchVacuumError", vacuum.error);
                vacuum = null;
            }
            run.put("tableAfterSettling", rig.tableSize());

            Worker.Stats st = worker.stats();
            if (timedOut) res.problems.add("run 1: not finished within " + o.timeout + " (" + sent + " jobs sent)");
            res.check(1, "handler invocations", o.retentionJobs, counter.count());
            res.check(1, "worker-recorded successes", o.retentionJobs, st.succeeded());
            res.check(1, "retried+dead+released+stale", 0, st.retried() + st.dead() + st.released() + st.stale());
            if (succeededStored > o.retentionKeep) {
                res.problems.add("run 1: " + succeededStored + " succeeded jobs still stored "
                        + "after the pruner's rounds, expected at most " + o.retentionKeep);
            }
        } finally {
            if (vacuum != null) vacuum.close();
        }
        res.runs.add(run);
        res.summary.put("samples", samples.size());
        res.summary.put("jobsPerSecond", run.get("jobsPerSecond"));
        res.summary.put("fetchP50Ms", Summary.of(samples.stream()
                .map(s -> (Double) ((Map<?, ?>) s.get("fetchMs")).get("p50")).toList()).toMap(3));
        res.summary.put("fetchP99Ms", Summary.of(samples.stream()
                .map(s -> (Double) ((Map<?, ?>) s.get("fetchMs")).get("p99")).toList()).toMap(3));
        res.summary.put("rows", Summary.of(samples.stream().map(s -> ((Long) s.get("rows")).doubleValue()).toList()).toMap(0));
        res.summary.put("bytes", Summary.of(samples.stream()
                .map(s -> bytesOf(s)).toList()).toMap(0));
        Summary p99 = Summary.of(samples.stream().map(s -> (Double) ((Map<?, ?>) s.get("fetchMs")).get("p99")).toList());
        Summary rows = Summary.of(samples.stream().map(s -> ((Long) s.get("rows")).doubleValue()).toList());
        Summary bytes = Summary.of(samples.stream()
                .map(s -> bytesOf(s) / 1048576).toList());
        res.line = String.format("retention  %-13s %,d jobs in %.0f s (%,.0f jobs/s); over %d samples: fetch p99 %s ms, "
                        + "rows %s, size %s MB; keep %,d, prune every %.1f s × %d",
                kind.label(), (Long) run.get("jobs"), (Double) run.get("wallMs") / 1000,
                (Double) run.get("jobsPerSecond"), samples.size(), p99.describe("%.2f"), rows.describe("%,.0f"),
                bytes.describe("%.1f"), o.retentionKeep, o.retentionInterval.toMillis() / 1000.0, o.retentionBatch);
        return res;
    }

    private static double bytesOf(Map<String, Object> sample) {
        Object b = ((Map<?, ?>) sample.get("table")).get("bytes");
        return b instanceof Number n ? n.doubleValue() : 0;
    }

    private static long meter(Rig rig, String name, String what) {
        TimedBroker.Meter m = rig.broker.meterNamed(name);
        if (m == null) return 0;
        return what.equals("calls") ? m.calls.sum() : m.items.sum();
    }

    private static Map<JobState, Long> rows(Rig rig) {
        Map<JobState, Long> m = new EnumMap<>(JobState.class);
        if (rig.real instanceof JobStore store) {
            for (QueueStats q : store.queues()) q.counts().forEach((s, n) -> m.merge(s, n, Long::sum));
        }
        return m;
    }

    /** The size's parts worth a glance: dead tuples and vacuums on PostgreSQL, the WAL on SQLite, the file on MariaDB. */
    private static String detail(Map<String, Object> size) {
        if (size.containsKey("deadTuples")) {
            return String.format("heap %.1f idx %.1f MB, dead tuples %,d, autovacuums %d",
                    ((Long) size.get("heapBytes")) / 1048576.0, ((Long) size.get("indexBytes")) / 1048576.0,
                    (Long) size.get("deadTuples"), (Long) size.get("autovacuums"));
        }
        if (size.containsKey("walBytes")) {
            return String.format("file %.1f + WAL %.1f MB", ((Long) size.get("fileBytes")) / 1048576.0,
                    ((Long) size.get("walBytes")) / 1048576.0);
        }
        if (size.containsKey("dataBytes")) {
            return String.format("(.ibd file) statistics: data %.1f + idx %.1f = %.1f MB, free %.1f MB",
                    ((Long) size.get("dataBytes")) / 1048576.0, ((Long) size.get("indexBytes")) / 1048576.0,
                    ((Long) size.get("statsBytes")) / 1048576.0, ((Long) size.get("freeBytes")) / 1048576.0);
        }
        return "";
    }
}
