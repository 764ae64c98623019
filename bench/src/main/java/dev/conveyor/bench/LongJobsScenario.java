package dev.conveyor.bench;

import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Long jobs vs lease (docs/RELIABILITY.md): two worker processes run jobs that each take ten leases
 * ({@code --long-job-leases}; four with {@code --quick}; only the heartbeat keeps them), jobs delayed by 1.5–3 leases, and jobs whose first run asks to be retried two leases
 * later. Pass: every long job started once, ended once, accepted once, nothing refused (no lease was lost to a
 * missed heartbeat); every delayed or retried run started no earlier than it was due (checked against the
 * harness's own clock, not the broker's runAt) and ran exactly once; all SUCCEEDED, none lost.
 */
final class LongJobsScenario {
    private LongJobsScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.LONG_JOBS, kind);
        long leaseMs = o.chaosLease.toMillis();
        int longJobs = Math.min(o.chaosJobs, 48);
        int timedJobs = Math.min(o.chaosJobs, 200);
        res.params.put("longJobs", longJobs);
        res.params.put("longJobMs", o.longJobLeases * leaseMs);
        res.params.put("delayedJobs", timedJobs);
        res.params.put("delaysMs", List.of(leaseMs * 3 / 2, 3 * leaseMs));
        res.params.put("retriedJobs", timedJobs);
        res.params.put("retryDelayMs", 2 * leaseMs);
        res.params.put("leaseMs", leaseMs);
        if (Chaos.notApplicable(kind, res, "long-jobs")) return res;
        Path runDir = Chaos.runDir(dir, "long-jobs", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        Map<String, String> group = new HashMap<>(); // job -> long | delayed | retried
        try (Ledger producer = Ledger.open(ledgerDir, "producer")) {
            Task<ChaosWorker.Timed, Void> task = ChaosWorker.timed(producer);
            try (Rig rig = Rig.open(kind, dir, "long-jobs-" + kind.label(), task, o);
                 ChaosProcesses procs = new ChaosProcesses(rig.url, runDir, o.chaosConcurrency, leaseMs)) {
                procs.start();
                procs.start();
                List<ChaosWorker.Timed> longs = new ArrayList<>();
                for (int i = 0; i < longJobs; i++) longs.add(new ChaosWorker.Timed(i, (int) (o.longJobLeases * leaseMs), 0));
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(task, longs)) ack(producer, group, h, "long");
                for (int i = 0; i < timedJobs; i++) {
                    // Delays of 1.5, 2, 2.5 and 3 leases; the earliest allowed start by the harness's clock ('W').
                    long delay = leaseMs * (3 + (i % 4)) / 2;
                    long earliest = System.currentTimeMillis() + delay;
                    JobHandle<Void> h = rig.conveyor.enqueue(task, new ChaosWorker.Timed(i, 0, 0),
                            EnqueueOptions.defaults().delay(Duration.ofMillis(delay)));
                    ack(producer, group, h, "delayed");
                    producer.writeAt('W', h.id(), earliest);
                }
                List<ChaosWorker.Timed> retried = new ArrayList<>();
                for (int i = 0; i < timedJobs; i++) retried.add(new ChaosWorker.Timed(i, 0, (int) (2 * leaseMs)));
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(task, retried)) ack(producer, group, h, "retried");
                int total = group.size();
                JobStore store = (JobStore) rig.real;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                while (Chaos.count(store, JobState.SUCCEEDED) < total && System.nanoTime() < deadline) Chaos.sleep(200);
                Chaos.sleep(leaseMs); // any late or stale outcome would land now
                procs.close();
                judge(Ledger.read(ledgerDir), group, 2 * leaseMs, Chaos.count(store, JobState.SUCCEEDED), run, res);
            }
        }
        res.runs.add(run);
        res.line = String.format("long-jobs  %-13s %d jobs of %d leases: %s started twice, %s refused; %d delayed + %d retried: "
                        + "%s early, %s ran twice, latest start %s ms after due; %s lost", kind.label(), longJobs,
                o.longJobLeases, run.get("longStartedTwice"), run.get("refusedOutcomes"), timedJobs, timedJobs, run.get("earlyStarts"),
                run.get("timedRanTwice"), run.get("maxLatenessMs"), run.get("lost"));
        return res;
    }

    private static void ack(Ledger producer, Map<String, String> group, JobHandle<Void> h, String kind) {
        producer.write('Q', h.id());
        group.put(h.id(), kind);
    }

    private static void judge(List<Ledger.Entry> entries, Map<String, String> group, long retryDelayMs, long succeeded,
                              Map<String, Object> run, ScenarioResult res) {
        Map<String, List<Long>> starts = new HashMap<>();
        Map<String, Long> earliest = new HashMap<>();
        Map<String, Integer> accepted = new HashMap<>();
        int refused = 0;
        for (Ledger.Entry e : entries) {
            switch (e.kind()) {
                case 'S' -> starts.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e.at());
                case 'W' -> earliest.put(e.id(), e.at());
                case 'F' -> earliest.merge(e.id(), e.at() + retryDelayMs, Math::max); // the retry's earliest start
                case 'A' -> accepted.merge(e.id(), 1, Integer::sum);
                case 'R' -> refused++;
                default -> { }
            }
        }
        int longTwice = 0;
        int timedTwice = 0;
        int early = 0;
        long maxLate = 0;
        long earliestBy = Long.MAX_VALUE; // the most early a start was (negative: early)
        for (Map.Entry<String, String> g : group.entrySet()) {
            List<Long> s = starts.getOrDefault(g.getKey(), List.of()).stream().sorted().toList();
            int expectedStarts = g.getValue().equals("retried") ? 2 : 1;
            if (s.size() > expectedStarts) {
                if (g.getValue().equals("long")) longTwice++;
                else timedTwice++;
            }
            if (g.getValue().equals("long") || s.size() < expectedStarts) continue;
            long due = earliest.getOrDefault(g.getKey(), 0L);
            long start = s.get(expectedStarts - 1);
            if (start < due) early++;
            maxLate = Math.max(maxLate, start - due);
            earliestBy = Math.min(earliestBy, start - due);
        }
        long acceptedTwice = accepted.values().stream().filter(n -> n > 1).count();
        Ledger.Verdict v = Ledger.check(entries);
        run.put("acknowledged", v.acknowledged());
        run.put("lost", v.lost());
        run.put("lostExamples", v.lostIds());
        run.put("duplicateRuns", v.duplicateRuns());
        run.put("longStartedTwice", longTwice);
        run.put("timedRanTwice", timedTwice);
        run.put("acceptedTwice", acceptedTwice);
        run.put("refusedOutcomes", refused);
        run.put("earlyStarts", early);
        run.put("maxLatenessMs", maxLate);
        run.put("minMarginMs", earliestBy == Long.MAX_VALUE ? null : earliestBy);
        run.put("succeededInStore", succeeded);
        res.check(1, "jobs acknowledged", group.size(), v.acknowledged());
        res.check(1, "lost", 0, v.lost());
        res.check(1, "duplicate runs", 0, v.duplicateRuns());
        res.check(1, "long jobs started more than once (lease lost despite the heartbeat)", 0, longTwice);
        res.check(1, "delayed or retried jobs run more than once", 0, timedTwice);
        res.check(1, "runs started before they were due", 0, early);
        res.check(1, "jobs accepted twice", 0, acceptedTwice);
        res.check(1, "refused outcomes (stale leases)", 0, refused);
        res.check(1, "succeeded in the store", group.size(), succeeded);
    }
}
