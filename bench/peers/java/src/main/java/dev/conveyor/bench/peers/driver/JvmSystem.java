package dev.conveyor.bench.peers.driver;

import java.util.List;
import java.util.Map;

/** One job system as the JVM harness drives it: start a worker, enqueue in bulk or one at a time, wait for the books. */
public interface JvmSystem extends AutoCloseable {
    /** A job's args: a sequence number, the send time in epoch microseconds (0 = not measured), the sleep. */
    record Payload(long seq, long sentMicros, int sleepMs) implements java.io.Serializable {}

    /** "jobrunr", "db-scheduler", "conveyor-redis", ... */
    String name();

    /** The library's version. */
    String version();

    /** The settings this driver uses and why (printed in the result and in BENCHMARKS.md). */
    Map<String, Object> settings(DriverArgs a);

    /** Starts one worker with this concurrency; returns once it takes jobs. */
    void startWorker(int concurrency) throws Exception;

    /** Enqueues jobs with the system's bulk API (one call for the list). */
    void enqueueBulk(List<Payload> jobs) throws Exception;

    /** Enqueues one job (the latency scenario's open-loop producer). */
    void enqueueOne(Payload job) throws Exception;

    /**
     * Returns once the system's own books show {@code n} jobs done (not just the handlers returned: the ack or
     * the row update is part of a job's cost), or false at the deadline ({@code System.nanoTime()}).
     */
    boolean awaitRecorded(long n, long deadlineNanos) throws Exception;

    @Override
    void close() throws Exception;
}
