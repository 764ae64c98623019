package dev.conveyor.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side-by-side benchmark's smoke: every system's driver (Conveyor on Redis, PostgreSQL and SQLite, BullMQ,
 * Celery, RQ, JobRunr, db-scheduler, graphile-worker) runs the end-to-end scenario with a few jobs against the
 * machine's Redis and PostgreSQL, and every job is recorded; the report and its chart are written. Counts only,
 * never timings. It runs bench/peers/setup first (which installs what it can); a peer that is still missing
 * FAILS this test with the message naming it and how to install it: it never skips. About 30-60 s on a quiet machine (JobRunr alone
 * waits for its 5 s poll).
 */
class QuickPeersTest {
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // a loaded shared machine starts JVMs slowly; ~1 min when quiet
    void everySystemRunsEndToEndAndRecordsEveryJob(@TempDir Path out) throws Exception {
        PeerOptions o = new PeerOptions().quick();
        o.scenarioNames = List.of("e2e");
        o.jobs = 100;
        o.concurrency = 16;
        o.cap = Duration.ofSeconds(120);
        o.out = out;

        // Installs what it can (npm ci; apt-get as root), as bench/run peers does; then a missing peer fails here.
        String setupFailure = PeerPaths.find().setup();
        assertThat(setupFailure).as("bench/peers/setup").isNull();
        Peers.Outcome r = Peers.run(o); // throws, naming what is missing, if a peer is not installed

        assertThat(r.failures()).as("failed runs").isEmpty();
        assertThat(r.results()).hasSize(PeerSystem.values().length).allSatisfy(res -> {
            assertThat(res.get("ok")).as(res.get("system") + " ok").isEqualTo(true);
            @SuppressWarnings("unchecked")
            Map<String, Object> driver = (Map<String, Object>) ((List<Map<String, Object>>) res.get("runs")).get(0).get("driver");
            assertThat(driver.get("completed")).as(res.get("system") + " completed").isEqualTo(100);
            assertThat(driver.get("version")).as(res.get("system") + " version").isNotNull();
        });
        String report = Files.readString(r.report());
        for (PeerSystem s : PeerSystem.values()) assertThat(report).contains("| " + s.label() + " |");
        assertThat(out.resolve("e2e.png")).isNotEmptyFile();
        assertThat(out.resolve("e2e-bullmq.json")).isNotEmptyFile();
    }
}
