package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.Brokers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versioned migrations: applied once under a lock, checked when not automatic, newer schemas refused. */
class SchemaMigrationTest {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedStoreMigratesItselfAndRefusesANewerSchema() throws Exception {
        String url = "sqlite:" + dir.resolve("m.db");
        try (Broker b = Brokers.open(url, BrokerContext.defaults())) {
            assertThat(b).isNotNull();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM conveyor_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(6);
            }
            s.execute("INSERT INTO conveyor_schema_version (version, description, applied_at) VALUES (7, 'from the future', 0)");
        }
        assertThatThrownBy(() -> Brokers.open(url, BrokerContext.defaults()))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("the Conveyor schema is at version 7, newer than the version 6 this Conveyor knows");
    }

    @Test
    void aVersion1StoreIsUpgradedInPlaceKeepingItsJobs() throws Exception {
        String url = "sqlite:" + dir.resolve("old.db");
        String id;
        try (Broker b = Brokers.open(url, BrokerContext.defaults())) {
            java.time.Instant now = java.time.Instant.now();
            id = b.enqueue(List.of(new dev.conveyor.job.Job(dev.conveyor.job.JobIds.next(java.time.Clock.systemUTC()),
                    "t", "default", "{}", java.util.Map.of(), 5, 0, 0, 3, 3, now, now, null, null, null, null, null,
                    null))).get(0).id();
        }
        // Back to what version 1 created: no state table, no cancel/progress, fairness, start-mark or keep-time
        // columns, no record of steps 2 to 6.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"));
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE conveyor_state");
            s.execute("ALTER TABLE conveyor_jobs DROP COLUMN cancel_requested_at");
            s.execute("ALTER TABLE conveyor_jobs DROP COLUMN progress");
            s.execute("DROP INDEX conveyor_jobs_fair");
            s.execute("ALTER TABLE conveyor_jobs DROP COLUMN fair_key");
            s.execute("ALTER TABLE conveyor_jobs DROP COLUMN started_delivery");
            s.execute("DROP INDEX conveyor_jobs_kept");
            s.execute("ALTER TABLE conveyor_jobs DROP COLUMN keep_result_ms");
            s.execute("DELETE FROM conveyor_schema_version WHERE version >= 2");
        }
        try (Broker b = Brokers.open(url, BrokerContext.defaults())) {
            assertThat(((dev.conveyor.broker.JobStore) b).get(id)).as("the job survived the upgrade").isPresent();
            assertThat(((dev.conveyor.broker.StateStore) b).compareAndSetState("k", null, "v")).isTrue();
            assertThat(((dev.conveyor.broker.JobStore) b).cancel(List.of(id)))
                    .containsExactly(dev.conveyor.broker.CancelResult.CANCELLED);
        }
    }

    @Test
    void checkModeRefusesAnUnmigratedDatabaseWithWhatToDo() {
        String url = "sqlite:" + dir.resolve("fresh.db") + "?migrate=check";
        assertThatThrownBy(() -> Brokers.open(url, BrokerContext.defaults()))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("is at version 0, this Conveyor needs version 6")
                .hasMessageContaining("conveyor migrate");
    }

    @Test
    void concurrentMigrationsOnPostgresApplyEachStepOnce() throws Exception {
        try (PostgresTestDatabase db = new PostgresTestDatabase()) {
            int n = 5;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            List<Future<?>> opened = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    go.await();
                    try (Broker b = Brokers.open(db.url("pool=2&listen=false"), BrokerContext.defaults())) {
                        return b.capabilities();
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : opened) f.get();
            pool.shutdown();
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), max(version) FROM conveyor_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per applied step").isEqualTo(6);
                assertThat(rs.getInt(2)).isEqualTo(6);
            }
            assertThatThrownBy(() -> Brokers.open(db.url("").replace("migrate=auto", "migrate=nonsense"),
                    BrokerContext.defaults())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("migrate must be auto or check");
        }
    }
}
