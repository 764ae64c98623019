package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Page;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;

/**
 * Kills a producer-and-worker process with SIGKILL at a random moment, several times, and checks what the
 * embedded store promised: every id whose enqueue was acknowledged is found and ends succeeded once a worker
 * runs again (none lost), and the only jobs run twice are those that were running at the kill.
 */
class SqliteDurabilityTest {
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void acknowledgedJobsSurviveSigkillDuringEnqueueAndProcessing() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            Path db = dir.resolve("round-" + round + ".db");
            Path log = dir.resolve("round-" + round + ".log");
            String url = "sqlite:" + db;

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), DurabilityChild.class.getName(), url)
                    .redirectErrorStream(false)
                    .redirectOutput(log.toFile())
                    .redirectError(dir.resolve("round-" + round + ".err").toFile())
                    .start();
            try {
                // Let it get going (enqueueing and running), then kill at a random moment.
                int enqueuedBeforeKill = 200 + ThreadLocalRandom.current().nextInt(2_000);
                // Generous: on a loaded machine (CI beside other builds) a FULL-sync enqueue can take tens of ms.
                await().atMost(Duration.ofSeconds(180)).until(() -> count(log, "START ") >= 50
                        && count(log, "ENQ ") >= enqueuedBeforeKill);
                Thread.sleep(ThreadLocalRandom.current().nextInt(50));
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }

            List<String> lines = Files.readAllLines(log);
            Set<String> acknowledged = new HashSet<>();
            Set<String> startedBefore = new HashSet<>();
            for (String line : lines) {
                if (line.startsWith("ENQ ") && line.length() == 40) acknowledged.add(line.substring(4));
                if (line.startsWith("START ") && line.length() == 42) startedBefore.add(line.substring(6));
            }

            // Restart a worker an hour later, so the dead process's leases have expired.
            SettableClock clock = SettableClock.at(Instant.now().plus(Duration.ofHours(1)));
            Map<String, AtomicInteger> runsAfter = new ConcurrentHashMap<>();
            Task<DurabilityChild.Work, Void> work = Task.named(DurabilityChild.TASK, DurabilityChild.Work.class)
                    .action((a, ctx) -> runsAfter.computeIfAbsent(ctx.jobId(), k -> new AtomicInteger()).incrementAndGet());
            try (Conveyor conveyor = Conveyor.builder().broker(url).clock(clock).task(work).build()) {
                Set<String> runningAtKill = ids(conveyor, JobState.RUNNING);
                conveyor.startWorker(WorkerOptions.defaults().pollInterval(Duration.ofMillis(10)).shutdownOnSigterm(false));
                await().atMost(Duration.ofSeconds(60)).until(() -> conveyor.store().queues().stream()
                        .allMatch(q -> q.count(JobState.READY) + q.count(JobState.RUNNING) + q.count(JobState.SCHEDULED) == 0));

                Map<String, JobInfo> all = all(conveyor);
                assertThat(acknowledged).as("round %d: acknowledged ids in the store", round).allSatisfy(id ->
                        assertThat(all).containsKey(id));
                assertThat(all.values()).as("round %d: every job succeeded", round)
                        .allSatisfy(i -> assertThat(i.state()).isEqualTo(JobState.SUCCEEDED));
                Set<String> runTwice = new HashSet<>(runsAfter.keySet());
                runTwice.retainAll(startedBefore);
                assertThat(runningAtKill).as("round %d: jobs run again were running at the kill", round)
                        .containsAll(runTwice);
                assertThat(runsAfter.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
                System.out.printf("round %d: %d acknowledged, %d started before the kill, %d running at the kill, "
                                + "%d re-run after restart, %d jobs in all%n", round, acknowledged.size(),
                        startedBefore.size(), runningAtKill.size(), runTwice.size(), all.size());
            }
        }
    }

    private static long count(Path log, String prefix) throws Exception {
        if (!Files.exists(log)) return 0;
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.startsWith(prefix)).count();
        }
    }

    private static Set<String> ids(Conveyor conveyor, JobState state) {
        Set<String> out = new HashSet<>();
        String cursor = null;
        do {
            Page<JobInfo> page = conveyor.store().list(new JobQuery(state, null, null, cursor, JobQuery.MAX_LIMIT));
            page.items().forEach(i -> out.add(i.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

    private static Map<String, JobInfo> all(Conveyor conveyor) {
        Map<String, JobInfo> out = new HashMap<>();
        String cursor = null;
        do {
            Page<JobInfo> page = conveyor.store().list(new JobQuery(null, null, null, cursor, JobQuery.MAX_LIMIT));
            page.items().forEach(i -> out.put(i.id(), i));
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }
}
