package dev.conveyor.bench.peers.driver;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;

/**
 * JobRunr (open-source edition) on PostgreSQL as a driver of the side-by-side benchmark. Best-performance
 * settings, from JobRunr's documentation:
 * <ul>
 *   <li>bulk enqueue: {@code JobScheduler.enqueue(Stream, lambda)}, which saves the jobs in batches;</li>
 *   <li>one {@code BackgroundJobServer} with {@code workerCount} = the concurrency asked for;</li>
 *   <li>{@code pollInterval} 5 s, the minimum the open-source edition accepts (JobRunr Pro goes lower);</li>
 *   <li>the storage provider on a HikariCP pool of 10 connections (the server's own thread count needs
 *       few: workers share the storage provider).</li>
 * </ul>
 */
public final class JobRunrDriver implements JvmSystem {
    private final HikariDataSource ds;
    private final StorageProvider storage;
    private final JobScheduler scheduler;
    private final int concurrency;
    private BackgroundJobServer server;

    JobRunrDriver(DriverArgs a) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(a.pgJdbc());
        hc.setMaximumPoolSize(10);
        this.ds = new HikariDataSource(hc);
        this.concurrency = a.concurrency();
        this.storage = new PostgresStorageProvider(ds);
        this.scheduler = JobRunr.configure()
                .useStorageProvider(storage)
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(concurrency)
                        .andPollInterval(Duration.ofSeconds(5)), false) // started by startWorker
                .initialize()
                .getJobScheduler();
    }

    public static void main(String[] args) {
        JvmHarness.main(args, JobRunrDriver::new);
    }

    /** The job JobRunr runs (it calls a static method by name, with the payload as JSON). */
    public static void work(Payload p) throws InterruptedException {
        Recorder.run(p.seq(), p.sentMicros(), p.sleepMs());
    }

    @Override
    public String name() {
        return "jobrunr";
    }

    @Override
    public String version() {
        return Versions.of(JobRunr.class);
    }

    @Override
    public Map<String, Object> settings(DriverArgs a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("storage", "PostgresStorageProvider, HikariCP pool of 10");
        m.put("enqueue", "JobScheduler.enqueue(Stream, job) per batch of " + a.batch() + "; latency: enqueue(job), one per call");
        m.put("worker", "one BackgroundJobServer, workerCount " + a.concurrency() + ", pollInterval 5 s (the open-source minimum)");
        return m;
    }

    @Override
    public void startWorker(int c) throws InterruptedException {
        server = JobRunr.getBackgroundJobServer();
        server.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((!server.isRunning() || server.isNotReadyToProcessJobs()) && System.nanoTime() < deadline) Thread.sleep(5);
    }

    @Override
    public void enqueueBulk(List<Payload> jobs) {
        scheduler.enqueue(jobs.stream(), p -> JobRunrDriver.work(p));
    }

    @Override
    public void enqueueOne(Payload job) {
        scheduler.enqueue(() -> JobRunrDriver.work(job));
    }

    @Override
    public boolean awaitRecorded(long n, long deadlineNanos) throws InterruptedException {
        // Handlers first (cheap), then the store: a job counts once JobRunr has saved it SUCCEEDED.
        while (Recorder.INSTANCE.finishedCount() < n) {
            if (System.nanoTime() > deadlineNanos) return false;
            Thread.sleep(1);
        }
        while (storage.countJobs(StateName.SUCCEEDED) < n) {
            if (System.nanoTime() > deadlineNanos) return false;
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        if (server != null) server.stop();
        ds.close();
    }
}
