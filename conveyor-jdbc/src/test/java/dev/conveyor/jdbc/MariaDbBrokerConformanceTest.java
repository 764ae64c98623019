package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.TransactionalEnqueue;
import dev.conveyor.jdbc.mariadb.MariaDbDialect;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.testkit.BrokerConformanceTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB broker against the machine's real server, in a database of its own; then what is particular to
 * MariaDB: the claim's plan and locks, unique keys in a caller's REPEATABLE READ transaction, the migration
 * lock, adaptive polling and the URL.
 */
class MariaDbBrokerConformanceTest extends BrokerConformanceTest {
    static MariaDbTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = new MariaDbTestDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(db.url("pool=4"), context);
    }

    @Nested
    @DisplayName("MariaDB specifics")
    class MariaDb {
        private final BrokerContext context = new BrokerContext(Clock.systemUTC());
        private final MariaDbDialect dialect = new MariaDbDialect(db.database(), "conveyor_");

        private static String queue() {
            return "md-" + UUID.randomUUID().toString().substring(0, 8);
        }

        private Job job(String queue, String uniqueKey) {
            Clock clock = context.clock();
            return new Job(JobIds.next(clock), "md.noop", queue, "{}", Map.of(), Job.DEFAULT_PRIORITY, 0, 0, 3, 3,
                    clock.instant(), clock.instant(), null, null, uniqueKey, null, null, null);
        }

        @Test
        void theClaimReadsTheReadyIndexInOrderAndLocksOnlyNRowsPerQueue() throws Exception {
            List<String> queues = List.of(queue(), queue(), queue());
            try (Broker broker = Brokers.open(db.url("pool=2"), context)) {
                List<Job> jobs = new ArrayList<>();
                for (String q : queues) for (int i = 0; i < 400; i++) jobs.add(job(q, null));
                broker.enqueue(jobs);
            }
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("ANALYZE TABLE " + dialect.table());
                for (int n : new int[] {1, 3}) {
                    List<String[]> plan = explain(c, dialect.claimSql(n), queues.subList(0, n));
                    List<String[]> onJobs = plan.stream().filter(r -> dialect.table().endsWith(r[0])).toList();
                    assertThat(onJobs).as("claim over %d queue(s) reads the jobs table once per queue", n).hasSize(n);
                    assertThat(onJobs).allSatisfy(r -> {
                        assertThat(r[1]).as("index").isEqualTo("conveyor_jobs_ready");
                        assertThat(r[2]).as("extra").doesNotContain("filesort").doesNotContain("temporary");
                    });
                }
            }
            // The locks themselves: a fetcher holding a claim of 5 leaves every other ready row to the next one.
            try (Connection a = db.connect(); Connection b = db.connect()) {
                for (Connection c : List.of(a, b)) {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    c.setAutoCommit(false);
                }
                List<String> claimed = new ArrayList<>();
                dialect.claim(a, queues.subList(0, 1), 5, 42, Long.MAX_VALUE, 1, rs -> claimed.add(rs.getString("id")));
                assertThat(claimed).hasSize(5);
                assertThat(lockableReadyRows(b, queues.get(0))).isEqualTo(395);
                dialect.claim(a, queues.subList(1, 3), 5, 42, Long.MAX_VALUE, 1, rs -> claimed.add(rs.getString("id")));
                assertThat(claimed).hasSize(10);
                assertThat(lockableReadyRows(b, queues.get(1)) + lockableReadyRows(b, queues.get(2)))
                        .as("at most n rows locked per queue").isGreaterThanOrEqualTo(790);
                a.rollback();
                b.rollback();
            }
        }

        private int lockableReadyRows(Connection c, String queue) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + dialect.table()
                    + " WHERE state = 'READY' AND queue = ? FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, queue);
                int n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) n++;
                }
                c.rollback();
                return n;
            }
        }

        /** Rows of EXPLAIN as {table, key, Extra}. */
        private List<String[]> explain(Connection c, String sql, List<String> queues) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                int i = 1;
                for (String q : queues) {
                    ps.setLong(i++, 1);
                    ps.setLong(i++, 2);
                    ps.setLong(i++, 3);
                    ps.setString(i++, q);
                    ps.setInt(i++, 10);
                }
                if (queues.size() > 1) ps.setInt(i, 10);
                List<String[]> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new String[] {rs.getString("table"), String.valueOf(rs.getString("key")),
                                String.valueOf(rs.getString("Extra"))});
                    }
                }
                return rows;
            }
        }

        @Test
        void aUniqueKeyHoldsAcrossACallersRepeatableReadTransaction() throws Exception {
            String q = queue();
            try (Broker broker = Brokers.open(db.url("pool=2"), context);
                 Connection caller = db.connect()) {
                TransactionalEnqueue tx = (TransactionalEnqueue) broker;
                caller.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                caller.setAutoCommit(false);
                snapshot(caller);
                // Committed after the caller's snapshot: a plain read would miss it, the locking read does not.
                String first = broker.enqueue(List.of(job(q, "k1"))).get(0).id();
                assertThat(tx.enqueue(caller, List.of(job(q, "k1")))).containsExactly(new EnqueueResult(first, true));

                // The caller holds k2 uncommitted: a concurrent enqueue of k2 waits, then answers the caller's job.
                Job mine = job(q, "k2");
                assertThat(tx.enqueue(caller, List.of(mine))).containsExactly(new EnqueueResult(mine.id(), false));
                CompletableFuture<EnqueueResult> other = CompletableFuture.supplyAsync(
                        () -> broker.enqueue(List.of(job(q, "k2"))).get(0));
                Thread.sleep(200);
                assertThat(other).as("waits for the caller's transaction").isNotDone();
                caller.commit();
                assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(new EnqueueResult(mine.id(), true));

                // A rolled-back enqueue releases the key at once.
                snapshot(caller);
                Job rolledBack = job(q, "k3");
                assertThat(tx.enqueue(caller, List.of(rolledBack)).get(0).duplicate()).isFalse();
                caller.rollback();
                Job after = job(q, "k3");
                assertThat(broker.enqueue(List.of(after))).containsExactly(new EnqueueResult(after.id(), false));
                assertThat(((JobStore) broker).get(rolledBack.id())).isEmpty();
            }
        }

        private void snapshot(Connection c) throws SQLException {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + dialect.table())) {
                rs.next();
            }
        }

        @Test
        void processesMigratingAtOnceApplyEachStepOnce() throws Exception {
            String url = db.url("pool=1&prefix=race_");
            int n = 4;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                CyclicBarrier start = new CyclicBarrier(n);
                List<Future<Broker>> opened = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    opened.add(pool.submit(() -> {
                        start.await();
                        return Brokers.open(url, context);
                    }));
                }
                for (Future<Broker> f : opened) f.get(60, TimeUnit.SECONDS).close();
            } finally {
                pool.shutdownNow();
            }
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(version) FROM race_schema_version")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("version rows").isEqualTo(6);
                    assertThat(rs.getInt(2)).isEqualTo(6);
                }
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM race_unique_locks")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(65_536);
                }
            }
        }

        @Test
        void migrateCheckRefusesAnUnmigratedDatabaseAndMysqlUrlsOpenToo() {
            String url = "mariadb://root@" + MariaDbTestDatabase.HOST + "/" + db.database() + "?prefix=unmigrated_";
            assertThatThrownBy(() -> Brokers.open(url, context)).isInstanceOf(BrokerException.class)
                    .hasMessageContaining("schema is at version 0").hasMessageContaining("conveyor migrate");
            assertThatThrownBy(() -> Brokers.open(db.url("poll=soon"), context))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soon");
            assertThatThrownBy(() -> Brokers.open(db.url("schema=x"), context))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'schema'");
            String q = queue();
            try (Broker broker = Brokers.open("mysql://root@" + MariaDbTestDatabase.HOST + "/" + db.database(), context)) {
                Job job = job(q, null);
                broker.enqueue(List.of(job));
                assertThat(broker.fetch(List.of(q), 10, Duration.ofSeconds(30))).extracting(l -> l.job().id())
                        .containsExactly(job.id());
            }
        }

        @Test
        void pollingTightensAfterJobsWereFoundAndBacksOffToTheCapWhenIdle() throws Exception {
            String q = queue();
            // Two brokers with pools of their own stand for two processes: no in-JVM signal passes between them.
            try (Broker worker = Brokers.open(db.url("pool=2&poll=2s"), context);
                 Broker producer = Brokers.open(db.url("pool=2"), context)) {
                // Idle: nothing was ever found, so an idle fetcher waits the whole cap.
                long t0 = System.nanoTime();
                worker.awaitWork(List.of(q), Duration.ofSeconds(20));
                assertThat(millisSince(t0)).as("idle wait, capped by poll=2s").isBetween(1_600L, 5_000L);

                for (int round = 0; round < 3; round++) {
                    producer.enqueue(List.of(job(q, null)));
                    List<LeasedJob> got = awaitJobs(worker, q);
                    worker.ack(List.of(new Completion(got.get(0).lease(), null)));
                    // Jobs were just found: another process's next job is seen in milliseconds, not after 2 s.
                    assertThat(worker.fetch(List.of(q), 10, Duration.ofSeconds(30))).isEmpty();
                    CompletableFuture<Long> seen = CompletableFuture.supplyAsync(() -> {
                        long start = System.nanoTime();
                        awaitJobs(worker, q).forEach(l -> worker.ack(List.of(new Completion(l.lease(), null))));
                        return millisSince(start);
                    });
                    Thread.sleep(30);
                    producer.enqueue(List.of(job(q, null)));
                    assertThat(seen.get(10, TimeUnit.SECONDS)).as("ms to see a job from another process")
                            .isLessThan(1_000L);
                }
            }
        }

        /** A worker's idle loop: fetch, and wait for work while nothing comes. */
        private static List<LeasedJob> awaitJobs(Broker broker, String q) {
            while (true) {
                List<LeasedJob> got = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
                if (!got.isEmpty()) return got;
                broker.awaitWork(List.of(q), Duration.ofSeconds(20));
            }
        }

        private static long millisSince(long t0) {
            return (System.nanoTime() - t0) / 1_000_000;
        }

        @Test
        void deadlocksAndLockWaitTimeoutsAreRetriedOtherFailuresAreNot() {
            assertThat(dialect.isTransient(new SQLException("Deadlock found", "40001", 1213))).isTrue();
            assertThat(dialect.isTransient(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isTrue();
            assertThat(dialect.isTransient(new SQLException("connection lost", "08000", 0))).isTrue();
            assertThat(dialect.isTransient(new java.sql.BatchUpdateException("batch", "HY000", 0, new int[0],
                    new SQLException("Deadlock found", "40001", 1213)))).isTrue();
            assertThat(dialect.isTransient(new SQLException("Duplicate entry", "23000", 1062))).isFalse();
            assertThat(dialect.isTransient(new SQLException("syntax", "42000", 1064))).isFalse();
        }
    }
}
