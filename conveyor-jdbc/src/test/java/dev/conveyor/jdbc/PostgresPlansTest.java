package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.jdbc.postgres.PostgresDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the plans of the claim and the ack (docs/SQL.md, "The hot statements"). The claim must walk the ready
 * index in order and stop after n rows (Limit over an index scan, rows locked with SKIP LOCKED), never sort or scan
 * every ready job — PERFORMANCE.md measured 10–60× slowdowns when the planner drifted to a bitmap scan and a full
 * sort after bulk changes. The ack must probe the primary key once per job.
 */
class PostgresPlansTest {
    record Noop(int n) {}

    static PostgresTestDatabase db;

    @BeforeAll
    static void createSchema() {
        db = new PostgresTestDatabase();
    }

    @AfterAll
    static void dropSchema() {
        db.close();
    }

    @Test
    void theClaimWalksTheReadyIndexAndStopsAfterNRows() throws Exception {
        Task<Noop, Void> noop = Task.named("noop", Noop.class).action(a -> {});
        try (Conveyor conveyor = Conveyor.builder().broker(db.url("")).task(noop).build()) {
            conveyor.enqueueAll(noop, IntStream.range(0, 20_000).mapToObj(Noop::new).toList());
        }
        PostgresDialect dialect = new PostgresDialect(db.schema(), "conveyor_");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE " + dialect.table());
                // The same per-transaction settings the claim runs with.
                s.execute(PostgresDialect.PLAN_SETTINGS);
            }
            for (int queues : new int[] {1, 3}) {
                String plan = explain(c, dialect.claimSql(queues), queues);
                assertThat(plan).as("plan for %d queue(s):%n%s", queues, plan)
                        .contains("Index Scan using conveyor_jobs_ready")
                        .contains("LockRows")
                        .contains("Limit")
                        .doesNotContain("Seq Scan on conveyor_jobs")
                        .doesNotContain("Bitmap");
                if (queues == 1) {
                    assertThat(plan).doesNotContain("Sort");
                    // The pick stops after n rows (the limit is 100 here), not after every ready row.
                    assertThat(plan).containsPattern("Limit .*actual time=[0-9.]+\\.\\.[0-9.]+ rows=100 loops=1");
                }
            }
            c.rollback();
        }
    }

    @Test
    void aClaimOfNLeasesExactlyN() throws Exception {
        Task<Noop, Void> noop = Task.named("noop", Noop.class).action(a -> {});
        try (Conveyor conveyor = Conveyor.builder().broker(db.url("")).task(noop).build()) {
            conveyor.enqueueAll(noop, IntStream.range(0, 5_000).mapToObj(Noop::new).toList());
            var leased = conveyor.broker().fetch(List.of("default"), 256, java.time.Duration.ofSeconds(30));
            assertThat(leased).hasSize(256);
            long running = conveyor.store().queues().stream()
                    .mapToLong(q -> q.count(dev.conveyor.job.JobState.RUNNING)).sum();
            assertThat(running).isEqualTo(256);
        }
    }

    /**
     * The ack must reach its rows through the primary key, one probe per job. With {@code state = 'RUNNING'} as a
     * constant the planner (here, as in a fresh schema, without statistics) read every running job from the lease
     * index with a bitmap scan and hash-joined the batch: every ack then also visited the lease-index entries of
     * all jobs finished within the lease time, which stay until vacuum and which a bitmap scan never marks dead.
     * Without the plan settings, on a table this small, it chose a sequential scan and a hash join instead.
     */
    @Test
    void theAckProbesThePrimaryKeyNotTheLeaseIndex() throws Exception {
        Task<Noop, Void> noop = Task.named("noop", Noop.class).action(a -> {});
        List<dev.conveyor.broker.LeasedJob> running;
        try (Conveyor conveyor = Conveyor.builder().broker(db.url("")).task(noop).build()) {
            conveyor.enqueueAll(noop, IntStream.range(0, 6_000).mapToObj(Noop::new).toList());
            var broker = conveyor.broker();
            // 5,000 jobs run and finish: their lease-index entries stay behind, dead, as in a busy table.
            for (int round = 0; round < 20; round++) {
                var leased = broker.fetch(List.of("default"), 250, java.time.Duration.ofMinutes(5));
                broker.ack(leased.stream().map(l -> new dev.conveyor.broker.Completion(l.lease(), null)).toList());
            }
            running = broker.fetch(List.of("default"), 768, java.time.Duration.ofMinutes(5));
            assertThat(running).hasSize(768);
        }
        PostgresDialect dialect = new PostgresDialect(db.schema(), "conveyor_");
        List<dev.conveyor.broker.LeasedJob> batch = running.subList(0, 290);
        try (Connection c = db.connect()) {
            // In autocommit, as the broker runs it: the settings hold for the statements sent with them, no longer.
            try (Statement s = c.createStatement()) {
                s.execute(PostgresDialect.ACK_PLAN_SETTINGS + "SELECT current_setting('enable_hashjoin')");
                assertThat(s.getMoreResults()).isTrue();
                try (ResultSet rs = s.getResultSet()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("off");
                }
                try (ResultSet rs = s.executeQuery("SELECT current_setting('enable_hashjoin')")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as("the settings end with the ack's transaction").isEqualTo("on");
                }
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(PostgresDialect.ACK_PLAN_SETTINGS);
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + dialect.ackSql())) {
                ps.setLong(1, 1L);
                ps.setLong(2, 1L);
                ps.setArray(3, c.createArrayOf("text", batch.stream().map(l -> l.lease().jobId()).toArray()));
                ps.setArray(4, c.createArrayOf("bigint", batch.stream().map(l -> l.lease().token()).toArray()));
                ps.setArray(5, c.createArrayOf("text", new String[batch.size()]));
                ps.setLong(6, 0L);
                ps.setString(7, "conveyor_test_ack_plan");
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) lines.add(rs.getString(1));
                }
                String plan = String.join("\n", lines);
                assertThat(plan).as("ack plan:%n%s", plan)
                        .contains("Index Scan using conveyor_jobs_pkey")
                        .containsPattern("Update on conveyor_jobs j .*rows=290 loops=1")
                        .doesNotContain("conveyor_jobs_leases")
                        .doesNotContain("Bitmap")
                        .doesNotContain("Hash Join");
            }
            c.rollback();
        }
    }

    private static String explain(Connection c, String sql, int queues) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            int i = 1;
            for (int q = 0; q < queues; q++) ps.setString(i++, q == 0 ? "default" : "other" + q);
            ps.setInt(i++, 100);
            if (queues > 1) ps.setInt(i++, 100);
            ps.setLong(i++, 1L);
            ps.setLong(i++, Long.MAX_VALUE);
            ps.setLong(i, 0L);
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) lines.add(rs.getString(1));
            }
            return String.join("\n", lines);
        }
    }
}
