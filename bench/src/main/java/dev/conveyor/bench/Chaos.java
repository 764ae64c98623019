package dev.conveyor.bench;

import java.util.Map;

import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the chaos scenarios share: their queue, their run directory, and the memory broker's exclusion. */
final class Chaos {
    static final String QUEUE = "chaos";

    private Chaos() {}

    /** True (and the result says why) for {@code memory:}, which lives in one process: no worker process can share it. */
    static boolean notApplicable(BrokerKind kind, ScenarioResult res, String label) {
        if (kind != BrokerKind.MEMORY) return false;
        res.line = String.format("%-10s %-13s not applicable: a memory: broker lives in one process", label, kind.label());
        return true;
    }

    /** A new directory for one run's ledger and worker output, inside the bench's directory. */
    static Path runDir(Path dir, String scenario, BrokerKind kind) {
        try {
            return Files.createTempDirectory(dir, scenario + "-" + kind.label() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Puts the ledger's verdict and the store's counts into a run's record (acknowledged, lost and a few of their
     * ids, duplicate runs, succeeded and dead in the store) and checks what every fault scenario owes: nothing
     * lost, nothing run that was never acknowledged (unless {@code unexpectedAllowed}), every acknowledged job
     * SUCCEEDED, none dead.
     */
    static void recordAndCheck(Ledger.Verdict v, long succeeded, long dead, boolean unexpectedAllowed,
                               Map<String, Object> run, ScenarioResult res) {
        run.put("acknowledged", v.acknowledged());
        run.put("lost", v.lost());
        run.put("lostExamples", v.lostIds());
        run.put("duplicateRuns", v.duplicateRuns());
        run.put(unexpectedAllowed ? "ranButNeverAcknowledged" : "unexpected", v.unexpected());
        run.put("succeededInStore", succeeded);
        run.put("deadInStore", dead);
        res.check(1, "lost", 0, v.lost());
        if (!unexpectedAllowed) res.check(1, "unexpected", 0, v.unexpected());
        res.check(1, "acknowledged jobs SUCCEEDED in the store (at least)", 1, succeeded >= v.acknowledged() ? 1 : 0);
        res.check(1, "dead", 0, dead);
    }

    /** Jobs of the chaos queue in this state, by the store's own count. */
    static long count(JobStore store, JobState state) {
        QueueStats s = store.queues().stream().filter(q -> q.queue().equals(QUEUE)).findFirst().orElse(null);
        return s == null ? 0 : s.count(state);
    }

    /**
     * Waits at least {@code minMs}, and then until every given worker has recorded an accepted success after
     * {@code since} (or {@code timeout} passed): the producer keeps enqueueing meanwhile, so a worker that
     * recovers slowly still finds work, and "it recorded a success again" is a count, not a race with the drain.
     */
    static void awaitRecovered(Path ledgerDir, java.util.List<Process> workers, long since, long minMs, java.time.Duration timeout) {
        long start = System.nanoTime();
        sleep(minMs);
        while (System.nanoTime() - start < timeout.toNanos()) {
            java.util.Set<String> recovered = new java.util.HashSet<>();
            for (Ledger.Entry e : Ledger.read(ledgerDir)) if (e.kind() == 'A' && e.at() >= since) recovered.add(e.pid());
            if (workers.stream().allMatch(w -> recovered.contains(Long.toString(w.pid())))) return;
            sleep(500);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
