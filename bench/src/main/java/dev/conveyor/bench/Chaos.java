package dev.conveyor.bench;

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
