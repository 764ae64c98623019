package dev.conveyor.bench;

import dev.conveyor.Task;
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
 * One tenant's backlog against another tenant's few jobs. A "big" tenant enqueues {@code --fair-jobs} jobs (each
 * sleeping {@code --fair-work-ms}); once the worker has started a tenth of them, a "small" tenant enqueues 10. The
 * scenario records how long after their enqueue the small tenant's jobs start, and how many big jobs start
 * before the last of them, twice per run on the same broker: in plain order (first in, first out) and with
 * {@code Task.Builder.fairBy(tenant)}.
 */
final class FairnessScenario {
    static final int SMALL_JOBS = 10;

    record Tenant(String tenant, int n) {}

    private FairnessScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.FAIRNESS, kind);
        res.params.put("bigTenantJobs", o.fairJobs);
        res.params.put("smallTenantJobs", SMALL_JOBS);
        res.params.put("workMsPerJob", o.fairWorkMs);
        res.params.put("concurrency", o.concurrency);
        res.params.put("fetchBatch", o.fetchBatch);
        res.params.put("runs", o.runs);
        List<Double> fairMax = new ArrayList<>();
        List<Double> fifoMax = new ArrayList<>();
        List<Double> fairAhead = new ArrayList<>();
        List<Double> fifoAhead = new ArrayList<>();
        for (int r = 1; r <= o.runs; r++) {
            for (boolean fair : new boolean[] {false, true}) {
                Map<String, Object> run = runOnce(kind, o, dir, r, fair, res);
                res.runs.add(run);
                double max = (Double) run.get("smallLastStartMs");
                double ahead = ((Number) run.get("bigStartedBeforeLastSmall")).doubleValue();
                (fair ? fairMax : fifoMax).add(max);
                (fair ? fairAhead : fifoAhead).add(ahead);
                System.out.printf("  %-10s %-13s run %d %-4s: small tenant's last job started %.1f ms after its enqueue, "
                                + "%,.0f big-tenant jobs started in between (drain %.1f s)%n",
                        res.scenario.label(), kind.label(), r, fair ? "fair" : "fifo", max, ahead,
                        (Double) run.get("drainSeconds"));
            }
        }
        res.summary.put("fairSmallLastStartMs", Summary.of(fairMax).toMap(1));
        res.summary.put("fifoSmallLastStartMs", Summary.of(fifoMax).toMap(1));
        res.summary.put("fairBigStartedBeforeLastSmall", Summary.of(fairAhead).toMap(0));
        res.summary.put("fifoBigStartedBeforeLastSmall", Summary.of(fifoAhead).toMap(0));
        res.line = String.format("fairness   %-13s small tenant's 10 jobs all started within %s ms with fairBy (%s big jobs "
                        + "ahead), %s ms first-in first-out (%s ahead); %,d-job backlog, median of %d run(s)",
                kind.label(), Summary.of(fairMax).describe("%.1f"), Summary.of(fairAhead).describe("%.0f"),
                Summary.of(fifoMax).describe("%.1f"), Summary.of(fifoAhead).describe("%.0f"), o.fairJobs, o.runs);
        return res;
    }

    private static Map<String, Object> runOnce(BrokerKind kind, BenchOptions o, Path dir, int r, boolean fair,
                                               ScenarioResult res) {
        AtomicLong started = new AtomicLong();
        long[] smallStartNanos = new long[SMALL_JOBS];
        long[] startedBefore = new long[SMALL_JOBS];
        ThroughputScenario.Counter counter = new ThroughputScenario.Counter();
        long workNanos = o.fairWorkMs * 1_000_000L;
        Task.Builder<Tenant, Void> builder = Task.named("bench_tenant", Tenant.class);
        if (fair) builder.fairBy(Tenant::tenant);
        Task<Tenant, Void> task = builder.action(t -> {
            long before = started.getAndIncrement();
            if (t.tenant().equals("small")) {
                smallStartNanos[t.n()] = System.nanoTime();
                startedBefore[t.n()] = before;
            }
            if (workNanos > 0) LockSupport.parkNanos(workNanos);
            counter.handled();
        });
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", r);
        run.put("mode", fair ? "fair" : "fifo");
        int total = o.fairJobs + SMALL_JOBS;
        try (Rig rig = Rig.open(kind, dir, "fairness-" + kind.label() + "-" + r + (fair ? "-fair" : "-fifo"), task, o)) {
            List<Tenant> big = new ArrayList<>(o.producerBatch);
            for (int i = 0; i < o.fairJobs; i++) {
                big.add(new Tenant("big", i));
                if (big.size() == o.producerBatch || i == o.fairJobs - 1) {
                    rig.conveyor.enqueueAll(task, big);
                    big = new ArrayList<>(o.producerBatch);
                }
            }
            CountDownLatch done = counter.arm(total);
            long drainStart = System.nanoTime();
            Worker worker = rig.startWorker(o);
            long deadline = System.nanoTime() + o.timeout.toNanos();
            while (started.get() < o.fairJobs / 10 && System.nanoTime() < deadline) LockSupport.parkNanos(200_000);
            long smallAt = System.nanoTime();
            long startedAtSmall = started.get();
            List<Tenant> small = new ArrayList<>();
            for (int i = 0; i < SMALL_JOBS; i++) small.add(new Tenant("small", i));
            rig.conveyor.enqueueAll(task, small);
            boolean finished;
            try {
                finished = done.await(o.timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            while (finished && worker.stats().succeeded() < total && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long lastSmall = 0;
            long lastBefore = 0;
            for (int i = 0; i < SMALL_JOBS; i++) {
                lastSmall = Math.max(lastSmall, smallStartNanos[i] - smallAt);
                lastBefore = Math.max(lastBefore, startedBefore[i]);
            }
            run.put("smallLastStartMs", TimedBroker.round(lastSmall / 1e6, 1));
            // Big jobs started after the small tenant enqueued and before its last job started.
            run.put("bigStartedBeforeLastSmall", Math.max(0, lastBefore - startedAtSmall - (SMALL_JOBS - 1)));
            run.put("drainSeconds", TimedBroker.round((counter.reachedAt - drainStart) / 1e9, 2));
            run.put("jobs", total);
            Worker.Stats st = worker.stats();
            res.check(r, (fair ? "fair" : "fifo") + " handler invocations", total, counter.count());
            res.check(r, (fair ? "fair" : "fifo") + " worker-recorded successes", total, st.succeeded());
        }
        return run;
    }
}
