package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs enqueued in the application's transaction exist if and only if it commits: of 10,000 enqueues in
 * transactions of which 30 % roll back, exactly the 7,000 committed ones run, each once, each beside its
 * committed business row.
 */
class TransactionalEnqueueTest {
    record Receipt(long orderId) {}

    static PostgresTestDatabase db;

    @BeforeAll
    static void createSchema() {
        db = new PostgresTestDatabase();
        db.execute("CREATE TABLE " + db.schema() + ".orders (id BIGINT PRIMARY KEY)");
    }

    @AfterAll
    static void dropSchema() {
        db.close();
    }

    @Test
    void rolledBackEnqueuesNeverRunAndCommittedOnesAlwaysDo() throws Exception {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Receipt, Void> receipt = Task.named("send_receipt", Receipt.class)
                .action(r -> runs.computeIfAbsent(r.orderId(), k -> new AtomicInteger()).incrementAndGet());
        Set<Long> committed = new HashSet<>();
        Random random = new Random(42);
        try (Conveyor conveyor = Conveyor.builder().broker(db.url("")).task(receipt).build();
             Connection c = db.connect()) {
            conveyor.startWorker(WorkerOptions.defaults().concurrency(128).shutdownOnSigterm(false));
            c.setAutoCommit(false);
            // 1,000 transactions of 10 orders each; exactly 300 of them roll back.
            List<Boolean> rollBack = new ArrayList<>();
            for (int i = 0; i < 1000; i++) rollBack.add(i < 300);
            java.util.Collections.shuffle(rollBack, random);
            long orderId = 0;
            try (PreparedStatement insertOrder = c.prepareStatement("INSERT INTO orders (id) VALUES (?)")) {
                for (boolean abort : rollBack) {
                    List<Receipt> batch = new ArrayList<>();
                    for (int k = 0; k < 10; k++) {
                        long id = ++orderId;
                        insertOrder.setLong(1, id);
                        insertOrder.executeUpdate();
                        if (k % 2 == 0) conveyor.enqueue(c, receipt, new Receipt(id));  // one at a time
                        else batch.add(new Receipt(id));
                    }
                    conveyor.enqueueAll(c, receipt, batch, EnqueueOptions.defaults());  // and as a batch
                    if (abort) {
                        c.rollback();
                    } else {
                        c.commit();
                        for (long id = orderId - 9; id <= orderId; id++) committed.add(id);
                    }
                }
            }
            assertThat(committed).hasSize(7_000);
            await().atMost(Duration.ofSeconds(120)).until(() -> runs.size() >= 7_000);
            // Give any phantom job a chance to show up before checking that none did.
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            assertThat(runs.keySet()).isEqualTo(committed);
            assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(7_000);
            }
            c.commit();
        }
    }

    @Test
    void aJoiningDataSourceMakesPlainEnqueuesJoinTheCurrentTransaction() throws Exception {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Receipt, Void> receipt = Task.named("send_receipt", Receipt.class)
                .action(r -> runs.computeIfAbsent(r.orderId(), k -> new AtomicInteger()).incrementAndGet());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + PostgresTestDatabase.HOST + "/test?currentSchema=" + db.schema());
        config.setUsername("postgres");
        config.setMaximumPoolSize(2);
        try (HikariDataSource app = new HikariDataSource(config);
             Conveyor conveyor = Conveyor.builder().broker(db.url("")).task(receipt).build()) {
            JoiningDataSource joining = new JoiningDataSource(app);
            ((SqlBroker) conveyor.broker()).joinTransactionsOf(joining);
            conveyor.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));

            joining.inTransaction(c -> {
                c.createStatement().executeUpdate("INSERT INTO orders (id) VALUES (100001)");
                conveyor.enqueue(receipt, new Receipt(100001));   // knows nothing of the connection
                return null;
            });
            try {
                joining.inTransaction(c -> {
                    c.createStatement().executeUpdate("INSERT INTO orders (id) VALUES (100002)");
                    conveyor.enqueue(receipt, new Receipt(100002));
                    throw new IllegalStateException("payment declined");
                });
            } catch (IllegalStateException expected) {
                // rolled back: neither the order nor its job
            }
            conveyor.enqueue(receipt, new Receipt(100003));       // outside any transaction: its own

            await().atMost(Duration.ofSeconds(30)).until(() -> runs.containsKey(100001L) && runs.containsKey(100003L));
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            assertThat(runs.keySet()).containsExactlyInAnyOrder(100001L, 100003L);
        }
    }
}
