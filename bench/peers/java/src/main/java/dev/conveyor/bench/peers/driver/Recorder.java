package dev.conveyor.bench.peers.driver;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every JVM driver's job handler reports: a job started (its enqueue-to-start latency, from the send time
 * the job carries in its args) and finished. One per process; the handlers reach it statically because some
 * systems (JobRunr) call a static method by name.
 */
public final class Recorder {
    /** The process's recorder. */
    public static final Recorder INSTANCE = new Recorder();

    private final LongAdder finished = new LongAdder();
    private final AtomicLong firstStartMicros = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastFinishMicros = new AtomicLong();
    /** Enqueue-to-start latencies in microseconds, 3 significant digits (the drivers' common histogram form). */
    private final ConcurrentHashMap<Long, LongAdder> latency = new ConcurrentHashMap<>();

    private Recorder() {}

    /** Microseconds since the epoch: the clock all drivers stamp jobs with (producer and worker may be two processes). */
    public static long nowMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /** The job body of every JVM system: record the start, sleep if asked (the I/O scenario), record the end. */
    public static void run(long seq, long sentMicros, int sleepMs) throws InterruptedException {
        INSTANCE.started(sentMicros);
        if (sleepMs > 0) Thread.sleep(sleepMs);
        INSTANCE.finished();
    }

    void started(long sentMicros) {
        long now = nowMicros();
        firstStartMicros.accumulateAndGet(now, Math::min);
        if (sentMicros > 0) { // 0: a warm-up job, not recorded
            latency.computeIfAbsent(round3(Math.max(0, now - sentMicros)), k -> new LongAdder()).increment();
        }
    }

    void finished() {
        lastFinishMicros.accumulateAndGet(nowMicros(), Math::max);
        finished.increment();
    }

    public long finishedCount() {
        return finished.sum();
    }

    public long firstStartMicros() {
        return firstStartMicros.get();
    }

    public long lastFinishMicros() {
        return lastFinishMicros.get();
    }

    public java.util.Map<Long, Long> latencyMicros() {
        java.util.TreeMap<Long, Long> m = new java.util.TreeMap<>();
        latency.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** A value rounded to 3 significant digits: HdrHistogram's precision with 3 digits, and the same in every driver. */
    public static long round3(long v) {
        if (v < 1000) return v;
        long scale = 1;
        while (v / scale >= 1000) scale *= 10;
        return (v / scale) * scale;
    }
}
