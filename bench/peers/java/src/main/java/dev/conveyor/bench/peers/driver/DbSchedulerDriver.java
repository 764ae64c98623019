package dev.conveyor.bench.peers.driver;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * db-scheduler on PostgreSQL as a driver of the side-by-side benchmark. Best-performance settings, from
 * db-scheduler's README ("Polling strategy", "Throughput"):
 * <ul>
 *   <li>{@code pollUsingLockAndFetch(0.5, 1.0)}: one {@code SELECT … FOR UPDATE SKIP LOCKED} claims up to a
 *       thread count of executions and refills when half the threads are idle (PostgreSQL supports it);</li>
 *   <li>{@code threads} = the concurrency asked for; {@code pollingInterval} 10 ms (the default is 10 s);</li>
 *   <li>{@code enableImmediateExecution()}: a job scheduled for now by this instance wakes its poller;</li>
 *   <li>bulk enqueue with {@code scheduleBatch(List, Instant)} (JDBC batch inserts);</li>
 *   <li>a HikariCP pool of {@code min(concurrency + 2, 20)} connections (every completion deletes its row on
 *       its own connection).</li>
 * </ul>
 * The table is db-scheduler's documented PostgreSQL DDL, created in the run's own database.
 */
public final class DbSchedulerDriver implements JvmSystem {
    static final String DDL = """
            create table if not exists scheduled_tasks (
              task_name text not null,
              task_instance text not null,
              task_data bytea,
              execution_time timestamp with time zone not null,
              picked boolean not null,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint not null,
              priority smallint,
              primary key (task_name, task_instance));
            create index if not exists execution_time_idx on scheduled_tasks (execution_time);
            create index if not exists last_heartbeat_idx on scheduled_tasks (last_heartbeat);
            create index if not exists priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc)
            """;

    private final HikariDataSource ds;
    private final OneTimeTask<Payload> task;
    private final Scheduler scheduler;
    private final int poolSize;

    DbSchedulerDriver(DriverArgs a) {
        this.poolSize = Math.min(a.concurrency() + 2, 20);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(a.pgJdbc());
        hc.setMaximumPoolSize(poolSize);
        this.ds = new HikariDataSource(hc);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : DDL.split(";")) s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create db-scheduler's table: " + e.getMessage(), e);
        }
        this.task = Tasks.oneTime("peer_noop", Payload.class)
                .execute((inst, ctx) -> {
                    Payload p = inst.getData();
                    try {
                        Recorder.run(p.seq(), p.sentMicros(), p.sleepMs());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        this.scheduler = Scheduler.create(ds, task)
                .threads(a.concurrency())
                .pollingInterval(Duration.ofMillis(10))
                .pollUsingLockAndFetch(0.5, 1.0)
                .enableImmediateExecution()
                .build();
    }

    public static void main(String[] args) {
        JvmHarness.main(args, DbSchedulerDriver::new);
    }

    @Override
    public String name() {
        return "db-scheduler";
    }

    @Override
    public String version() {
        return Versions.of(Scheduler.class);
    }

    @Override
    public Map<String, Object> settings(DriverArgs a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("storage", "PostgreSQL, table scheduled_tasks (the documented DDL), HikariCP pool of " + poolSize);
        m.put("enqueue", "scheduleBatch(List, now) per batch of " + a.batch() + "; latency: schedule(instance, now), one per call");
        m.put("worker", "one Scheduler, threads " + a.concurrency() + ", pollUsingLockAndFetch(0.5, 1.0), pollingInterval 10 ms, enableImmediateExecution");
        return m;
    }

    @Override
    public void startWorker(int concurrency) {
        scheduler.start();
    }

    @Override
    public void enqueueBulk(List<Payload> jobs) {
        List<TaskInstance<?>> batch = new ArrayList<>(jobs.size());
        for (Payload p : jobs) batch.add(task.instance("j" + p.seq(), p));
        scheduler.scheduleBatch(batch, Instant.now());
    }

    @Override
    public void enqueueOne(Payload job) {
        scheduler.schedule(task.instance("j" + job.seq(), job), Instant.now());
    }

    @Override
    public boolean awaitRecorded(long n, long deadlineNanos) throws Exception {
        while (Recorder.INSTANCE.finishedCount() < n) {
            if (System.nanoTime() > deadlineNanos) return false;
            Thread.sleep(1);
        }
        // A one-time execution is done once its row is deleted.
        while (remaining() > 0) {
            if (System.nanoTime() > deadlineNanos) return false;
            Thread.sleep(10);
        }
        return true;
    }

    private long remaining() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from scheduled_tasks")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        scheduler.stop();
        ds.close();
    }
}
