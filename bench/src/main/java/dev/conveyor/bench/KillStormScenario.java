package dev.conveyor.bench;

import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Worker kill storm (docs/RELIABILITY.md): N jobs, three {@link ChaosWorker} processes, one of them SIGKILLed at
 * random every {@code --kill-every} for {@code --kill-for} and restarted at once; then the workers drain the rest.
 * The ledger (outside the broker) records every acknowledged enqueue, every handler start and end, and every
 * kill. Pass: 0 lost (every acknowledged job ran to its end and is SUCCEEDED in the store), 0 unexpected,
 * every duplicate run accounted for: a job a killed worker held (running, held ahead of a slot, or finished with
 * its ack on its way) or whose lease a live worker lost ({@link Ledger#unaccountedDuplicates}). Also measured: the
 * duplicates against kills × a worker's concurrency, and how long after its worker's death each orphaned job
 * started again (bounded by about one lease, as the lease has to expire first).
 */
final class KillStormScenario {
    static final int WORKERS = 3;

    private KillStormScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.KILL_STORM, kind);
        res.params.put("jobs", o.chaosJobs);
        res.params.put("workers", WORKERS);
        res.params.put("workerConcurrency", o.chaosConcurrency);
        res.params.put("jobSleepMs", o.chaosSleepMs);
        res.params.put("killEverySeconds", o.killEvery.toMillis() / 1000.0);
        res.params.put("killForSeconds", o.killFor.toMillis() / 1000.0);
        res.params.put("leaseMs", o.chaosLease.toMillis());
        res.params.put("maxDeliveries", o.stormMaxDeliveries);
        if (Chaos.notApplicable(kind, res, "kill-storm")) return res;
        Path runDir = Chaos.runDir(dir, "kill-storm", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Ledger producer = Ledger.open(ledgerDir, "producer");
             Ledger harness = Ledger.open(ledgerDir, "harness")) {
            // maxDeliveries 10, not 3: a random storm this dense eventually kills some orphan three times while its
            // handler runs, and the crash-loop rule must quarantine that (RELIABILITY.md); the storm is about loss.
            Task<ChaosWorker.Work, Void> task = ChaosWorker.work(producer, o.stormMaxDeliveries);
            try (Rig rig = Rig.open(kind, dir, "kill-storm-" + kind.label(), task, o);
                 ChaosProcesses procs = new ChaosProcesses(rig.url, runDir, o.chaosConcurrency, o.chaosLease.toMillis())) {
                for (int i = 0; i < WORKERS; i++) procs.start();
                long t0 = System.nanoTime();
                enqueue(rig, task, o, producer);
                run.put("enqueueSeconds", TimedBroker.round((System.nanoTime() - t0) / 1e9, 1));
                int kills = storm(procs, harness, o, run);
                run.put("kills", kills);
                boolean drained = awaitDrained((JobStore) rig.real, o);
                run.put("drained", drained);
                run.put("wallSeconds", TimedBroker.round((System.nanoTime() - t0) / 1e9, 1));
                procs.close();
                long succeeded = Chaos.count((JobStore) rig.real, JobState.SUCCEEDED);
                long dead = Chaos.count((JobStore) rig.real, JobState.DEAD);
                judge(Ledger.read(ledgerDir), kills, succeeded, dead, o, run, res);
            }
        }
        res.runs.add(run);
        res.line = String.format("kill-storm %-13s %,d jobs, %d kills (%s ticks with one worker up killed none): "
                        + "%s lost, %s duplicate runs (bound %s held by the killed workers; kills x concurrency %s), "
                        + "%s unexpected; orphans restarted after %s ms at most (lease %d ms)",
                kind.label(), o.chaosJobs, run.get("kills"), run.get("ticksWithoutAKill"), run.get("lost"),
                run.get("duplicateRuns"), run.get("duplicateBound"), run.get("killsTimesConcurrency"),
                run.get("unexpected"), run.get("orphanRestartMaxMs"), o.chaosLease.toMillis());
        return res;
    }

    private static void enqueue(Rig rig, Task<ChaosWorker.Work, Void> task, BenchOptions o, Ledger producer) {
        List<ChaosWorker.Work> batch = new ArrayList<>(1000);
        for (int i = 0; i < o.chaosJobs; i++) {
            batch.add(new ChaosWorker.Work(i, o.chaosSleepMs));
            if (batch.size() == 1000 || i == o.chaosJobs - 1) {
                // Recorded only once the broker acknowledged the batch: those are the jobs that must not be lost.
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(task, batch)) producer.write('Q', h.id());
                batch = new ArrayList<>(1000);
            }
        }
    }

    /**
     * Kills on a fixed beat; each replacement starts on its own thread, so the beat does not wait for JVM starts. A
     * tick that finds only one worker up kills none.
     */
    private static int storm(ChaosProcesses procs, Ledger harness, BenchOptions o, Map<String, Object> run) {
        int kills = 0;
        int skipped = 0;
        long every = o.killEvery.toNanos();
        long next = System.nanoTime() + every;
        long end = System.nanoTime() + o.killFor.toNanos();
        try (java.util.concurrent.ExecutorService restarts = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            while (next <= end) {
                long wait = next - System.nanoTime();
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                next += every;
                List<Process> live = procs.live();
                // One worker always survives a tick: orphans then have a worker to go to, and their restart time
                // measures the lease, not a replacement JVM's start (seconds on two busy cores, longer than a tick).
                if (live.size() < 2) {
                    skipped++;
                    continue;
                }
                Process victim = live.get(ThreadLocalRandom.current().nextInt(live.size()));
                harness.write('K', "-", Long.toString(victim.pid()));
                ChaosProcesses.kill(victim);
                kills++;
                restarts.submit(procs::start);
            }
        }
        run.put("ticksWithoutAKill", skipped); // only one worker was up (the others still starting)
        while (procs.live().size() < WORKERS) procs.start();
        return kills;
    }

    private static boolean awaitDrained(JobStore store, BenchOptions o) {
        long deadline = System.nanoTime() + o.timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Chaos.count(store, JobState.SUCCEEDED) + Chaos.count(store, JobState.DEAD) >= o.chaosJobs) return true;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static void judge(List<Ledger.Entry> entries, int kills, long succeeded, long dead, BenchOptions o,
                              Map<String, Object> run, ScenarioResult res) {
        Ledger.Verdict v = Ledger.check(entries);
        int bound = Ledger.heldAtKills(entries);
        int unaccounted = Ledger.unaccountedDuplicates(entries);
        Chaos.recordAndCheck(v, succeeded, dead, false, run, res);
        run.put("completed", v.completed());
        run.put("duplicateBound", bound);
        run.put("duplicatesUnaccounted", unaccounted);
        run.put("killsTimesConcurrency", kills * o.chaosConcurrency);
        long[] orphans = orphanRestarts(entries);
        run.put("orphans", orphans[0]);
        run.put("orphansNotRestarted", orphans[1]);
        run.put("orphanRestartMaxMs", orphans[2]);
        res.check(1, "jobs acknowledged", o.chaosJobs, v.acknowledged());
        res.check(1, "succeeded in the store", o.chaosJobs, succeeded);
        // Each duplicate must be a job a killed worker held (so at most `bound` of them) or one whose lease a live
        // worker lost: an acknowledged job run again, or two runs under one live lease, fail here.
        res.check(1, "duplicate runs no kill or lost lease accounts for", 0, unaccounted);
        res.check(1, "orphans never started again", 0, orphans[1]);
    }

    /**
     * Jobs a killed worker had started and not ended: {count, never started again, longest time from the kill to
     * the job's next start (ms)}.
     */
    static long[] orphanRestarts(List<Ledger.Entry> entries) {
        Map<String, Long> killedAt = new HashMap<>();
        for (Ledger.Entry e : entries) if (e.kind() == 'K') killedAt.put(e.pid(), e.at());
        Map<String, Map<String, Long>> open = new HashMap<>(); // pid -> job -> start
        Map<String, List<Long>> startsById = new HashMap<>();
        for (Ledger.Entry e : entries) {
            if (e.kind() == 'S') {
                open.computeIfAbsent(e.pid(), p -> new HashMap<>()).put(e.id(), e.at());
                startsById.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e.at());
            } else if (e.kind() == 'E') {
                Map<String, Long> m = open.get(e.pid());
                if (m != null) m.remove(e.id());
            }
        }
        long count = 0;
        long never = 0;
        long worst = 0;
        for (Map.Entry<String, Long> k : killedAt.entrySet()) {
            Map<String, Long> orphaned = open.getOrDefault(k.getKey(), Map.of());
            for (String id : orphaned.keySet()) {
                count++;
                long next = startsById.getOrDefault(id, List.of()).stream().filter(t -> t > k.getValue())
                        .min(Long::compare).orElse(-1L);
                if (next < 0) never++;
                else worst = Math.max(worst, next - k.getValue());
            }
        }
        return new long[] {count, never, worst};
    }
}
