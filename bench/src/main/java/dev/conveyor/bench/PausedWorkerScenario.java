package dev.conveyor.bench;

import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Paused worker and fencing (docs/RELIABILITY.md): a worker process runs jobs that each take about a lease; the
 * harness SIGSTOPs it for two leases, so its leases expire and a second worker takes those jobs over; then
 * SIGCONTs it. Its handlers finish and report, and the broker must refuse those stale outcomes (fencing token).
 * Pass: every job recorded as succeeded exactly once (one accepted ack per job in the ledger), the paused
 * worker's outcomes for the taken-over jobs refused, every job SUCCEEDED in the store, none lost.
 */
final class PausedWorkerScenario {
    private PausedWorkerScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.PAUSED_WORKER, kind);
        int jobs = Math.min(o.chaosJobs, 200);
        long leaseMs = o.chaosLease.toMillis();
        res.params.put("jobs", jobs);
        res.params.put("jobSleepMs", leaseMs);
        res.params.put("leaseMs", leaseMs);
        res.params.put("pausedForMs", 2 * leaseMs);
        if (Chaos.notApplicable(kind, res, "paused")) return res;
        Path runDir = Chaos.runDir(dir, "paused", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Ledger producer = Ledger.open(ledgerDir, "producer")) {
            Task<ChaosWorker.Work, Void> task = ChaosWorker.work(producer);
            try (Rig rig = Rig.open(kind, dir, "paused-" + kind.label(), task, o);
                 ChaosProcesses procs = new ChaosProcesses(rig.url, runDir, o.chaosConcurrency, leaseMs)) {
                Process paused = procs.start();
                List<ChaosWorker.Work> batch = new ArrayList<>();
                for (int i = 0; i < jobs; i++) batch.add(new ChaosWorker.Work(i, (int) leaseMs));
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(task, batch)) producer.write('Q', h.id());
                // Pause it mid-run: once it has started some jobs.
                long deadline = System.nanoTime() + o.timeout.toNanos();
                while (started(ledgerDir, paused.pid()) == 0 && System.nanoTime() < deadline) Chaos.sleep(20);
                ChaosProcesses.signal(paused, "STOP");
                int inFlightAtPause = started(ledgerDir, paused.pid());
                procs.start();
                Chaos.sleep(2 * leaseMs);
                ChaosProcesses.signal(paused, "CONT");
                run.put("startedByThePausedWorkerBeforeThePause", inFlightAtPause);
                JobStore store = (JobStore) rig.real;
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    done = Chaos.count(store, JobState.SUCCEEDED) >= jobs;
                    Chaos.sleep(100);
                }
                Chaos.sleep(2 * leaseMs); // let the paused worker's last outcomes arrive and be refused
                procs.close();
                long succeeded = Chaos.count(store, JobState.SUCCEEDED);
                List<Ledger.Entry> entries = Ledger.read(ledgerDir);
                Map<String, Integer> accepted = new HashMap<>();
                int refused = 0;
                for (Ledger.Entry e : entries) {
                    if (e.kind() == 'A') accepted.merge(e.id(), 1, Integer::sum);
                    if (e.kind() == 'R') refused++;
                }
                long twice = accepted.values().stream().filter(n -> n > 1).count();
                Ledger.Verdict v = Ledger.check(entries);
                run.put("acceptedAcks", accepted.size());
                run.put("jobsAcceptedTwice", twice);
                run.put("refusedOutcomes", refused);
                run.put("lost", v.lost());
                run.put("succeededInStore", succeeded);
                res.check(1, "jobs with one accepted completion", jobs, accepted.size());
                res.check(1, "jobs accepted twice", 0, twice);
                res.check(1, "the paused worker's stale outcomes refused", 1, refused > 0 ? 1 : 0);
                res.check(1, "lost", 0, v.lost());
                res.check(1, "succeeded in the store", jobs, succeeded);
            }
        }
        res.runs.add(run);
        res.line = String.format("paused     %-13s SIGSTOP for 2 leases with %s jobs in hand: %s stale outcomes refused, "
                        + "%s jobs accepted twice, %s lost (%d jobs)", kind.label(),
                run.get("startedByThePausedWorkerBeforeThePause"), run.get("refusedOutcomes"), run.get("jobsAcceptedTwice"),
                run.get("lost"), jobs);
        return res;
    }

    /** Jobs the given process has started so far, by its ledger. */
    private static int started(Path ledgerDir, long pid) {
        if (!Files.isDirectory(ledgerDir)) return 0;
        String p = Long.toString(pid);
        return (int) Ledger.read(ledgerDir).stream().filter(e -> e.kind() == 'S' && e.pid().equals(p)).count();
    }

}
