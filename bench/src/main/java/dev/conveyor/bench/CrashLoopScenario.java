package dev.conveyor.bench;

import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Crash-loop detection end to end (docs/RELIABILITY.md): two {@link ChaosWorker} processes, restarted by this
 * harness whenever one dies, share a queue of good jobs and one job whose handler halts its JVM. The core counts
 * deliveries apart from attempts: each crash costs the job a delivery, and after {@code maxDeliveries} (3) it is
 * quarantined — DEAD, with a reason saying its worker died 3 times — instead of killing workers forever.
 * Pass: the poison job is DEAD with that reason after exactly 3 worker deaths, every good job ran to its end and
 * is SUCCEEDED, none lost.
 */
final class CrashLoopScenario {
    static final int WORKERS = 2;

    private CrashLoopScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.CRASH_LOOP, kind);
        int good = Math.min(o.chaosJobs, 2_000);
        res.params.put("goodJobs", good);
        res.params.put("workers", WORKERS);
        res.params.put("leaseMs", o.chaosLease.toMillis());
        if (Chaos.notApplicable(kind, res, "crash-loop")) return res;
        Path runDir = Chaos.runDir(dir, "crash-loop", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Ledger producer = Ledger.open(ledgerDir, "producer")) {
            Task<ChaosWorker.Work, Void> work = ChaosWorker.work(producer);
            Task<ChaosWorker.Crash, Void> crash = ChaosWorker.crash();
            try (Rig rig = Rig.open(kind, dir, "crash-loop-" + kind.label(), work, o);
                 ChaosProcesses procs = new ChaosProcesses(rig.url, runDir, o.chaosConcurrency, o.chaosLease.toMillis());
                 dev.conveyor.Conveyor poisoner = dev.conveyor.Conveyor.builder().broker(rig.broker).task(crash).build()) {
                for (int i = 0; i < WORKERS; i++) procs.start();
                // The poison goes first, at a higher priority, so it is fetched while good jobs are still flowing.
                JobHandle<Void> poison = poisoner.enqueue(crash, new ChaosWorker.Crash(1),
                        EnqueueOptions.defaults().priority(9));
                List<ChaosWorker.Work> batch = new ArrayList<>();
                for (int i = 0; i < good; i++) batch.add(new ChaosWorker.Work(i, 10));
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(work, batch)) producer.write('Q', h.id());
                JobStore store = (JobStore) rig.real;
                int restarts = 0;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    while (procs.live().size() < WORKERS) {
                        procs.start();
                        restarts++;
                    }
                    done = Chaos.count(store, JobState.SUCCEEDED) >= good && Chaos.count(store, JobState.DEAD) >= 1;
                    Chaos.sleep(100);
                }
                run.put("drained", done);
                run.put("workerDeaths", restarts);
                JobInfo p = store.get(poison.id()).orElse(null);
                run.put("poisonState", p == null ? null : p.state().name());
                run.put("poisonReason", p == null ? null : p.deadReason());
                run.put("poisonDeliveries", p == null ? null : p.job().deliveries());
                long succeeded = Chaos.count(store, JobState.SUCCEEDED);
                Ledger.Verdict v = Ledger.check(Ledger.read(ledgerDir));
                run.put("lost", v.lost());
                run.put("duplicateRuns", v.duplicateRuns());
                res.check(1, "poison job DEAD", 1, p != null && p.state() == JobState.DEAD ? 1 : 0);
                res.check(1, "poison reason names 3 lost workers", 1,
                        p != null && p.deadReason() != null && p.deadReason().contains("worker died 3 times") ? 1 : 0);
                res.check(1, "worker deaths (one per delivery of the poison)", 3, restarts);
                res.check(1, "good jobs succeeded", good, succeeded);
                res.check(1, "good jobs lost", 0, v.lost());
            }
        }
        res.runs.add(run);
        res.line = String.format("crash-loop %-13s poison job %s after %s worker deaths (%s); %,d good jobs, %s lost",
                kind.label(), run.get("poisonState"), run.get("workerDeaths"), run.get("poisonReason"), good, run.get("lost"));
        return res;
    }

}
