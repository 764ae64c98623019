package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An idle worker in another process hears of an enqueue by NOTIFY: an enqueue that commits on its own notifies
 * with its commit, and one in a caller's transaction only when that transaction commits. The worker polls only
 * once an hour here, so it can only wake in time if the notification arrived.
 */
class PostgresEnqueueWakeUpTest {
    private static Job job(String queue) {
        Instant now = Instant.now();
        return new Job(JobIds.next(Clock.systemUTC()), "t", queue, "{}", Map.of(), 5, 0, 0, 3, 3, now, now,
                null, null, null, null, null, null);
    }

    /**
     * Waits until {@code n} sessions LISTEN on this schema's channels (a listener's last statement is the LISTEN of
     * its last channel): a notification before that is lost.
     */
    private static void awaitListeners(PostgresTestDatabase db, int n) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE query LIKE ?")) {
            ps.setString(1, "LISTEN %" + db.schema() + "%");
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= n) return;
                }
                assertThat(System.nanoTime()).as("%d listeners within 20 s", n).isLessThan(until);
                Thread.sleep(20);
            }
        }
    }

    /** An idle worker's wait on {@code queue}, started after a fetch that found nothing (so it waits for news). */
    private static CompletableFuture<Long> idleWait(SqlBroker worker, String queue) {
        return CompletableFuture.supplyAsync(() -> {
            assertThat(worker.fetch(List.of(queue), 1, Duration.ofSeconds(30))).isEmpty();
            long t0 = System.nanoTime();
            worker.awaitWork(List.of(queue), Duration.ofSeconds(60));
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        });
    }

    @Test
    void anIdleWorkerElsewhereWakesForAnEnqueueThatCommittedOnItsOwn() throws Exception {
        try (PostgresTestDatabase db = new PostgresTestDatabase();
             SqlBroker producer = (SqlBroker) Brokers.open(db.url(""), new BrokerContext(Clock.systemUTC()));
             SqlBroker worker = (SqlBroker) Brokers.open(db.url("poll=1h"), new BrokerContext(Clock.systemUTC()))) {
            awaitListeners(db, 2);
            Thread.sleep(200); // the listeners' start-up signals are past
            CompletableFuture<Long> waited = idleWait(worker, "notify");
            Thread.sleep(300);
            assertThat(waited).as("nothing to wake for yet").isNotDone();
            producer.enqueue(List.of(job("notify")));
            assertThat(waited.get(30, TimeUnit.SECONDS)).as("woken, not polling (poll=1h)").isLessThan(30_000);
            assertThat(worker.fetch(List.of("notify"), 1, Duration.ofSeconds(30))).hasSize(1);
        }
    }

    @Test
    void anEnqueueInACallersTransactionWakesOnlyWhenThatTransactionCommits() throws Exception {
        try (PostgresTestDatabase db = new PostgresTestDatabase();
             SqlBroker producer = (SqlBroker) Brokers.open(db.url(""), new BrokerContext(Clock.systemUTC()));
             SqlBroker worker = (SqlBroker) Brokers.open(db.url("poll=1h"), new BrokerContext(Clock.systemUTC()));
             Connection tx = db.connect()) {
            awaitListeners(db, 2);
            Thread.sleep(200);
            CompletableFuture<Long> waited = idleWait(worker, "tx");
            tx.setAutoCommit(false);
            producer.enqueue(tx, List.of(job("tx")));
            Thread.sleep(500);
            assertThat(waited).as("not woken by an enqueue that has not committed").isNotDone();
            tx.commit();
            assertThat(waited.get(30, TimeUnit.SECONDS)).as("woken by the commit").isLessThan(30_000);
            assertThat(worker.fetch(List.of("tx"), 1, Duration.ofSeconds(30))).hasSize(1);
        }
    }
}
