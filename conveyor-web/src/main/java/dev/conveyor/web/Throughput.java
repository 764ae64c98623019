package dev.conveyor.web;

import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live numbers behind the overview: queue counts sampled from {@link JobStore#queues()} (one aggregate
 * query) at most once per {@link #MIN_INTERVAL_MS}, however many browsers poll, and only while someone looks
 * (no background thread). The query reads every job (about 0.7 s for a million on SQLite), so the interval also
 * stretches to {@value #COST_FACTOR} times the last query's duration: the dashboard never spends more than about a
 * tenth of the store's time counting. Throughput is the growth of each queue's finished jobs (succeeded + dead +
 * cancelled) between samples; retention deleting finished jobs makes a count shrink, which reads as zero, never
 * as negative. Keeps {@value #KEEP} samples (about ten minutes at the page's 2-second poll).
 */
final class Throughput {
    static final long MIN_INTERVAL_MS = 1000;
    static final int COST_FACTOR = 10;
    static final int KEEP = 300;
    /** The window the per-queue rate is averaged over. */
    static final long RATE_WINDOW_MS = 60_000;

    /** One reading. */
    record Sample(long at, List<QueueStats> queues, Map<String, Long> finished) {
        long totalFinished() {
            return finished.values().stream().mapToLong(Long::longValue).sum();
        }

        long total(JobState state) {
            return queues.stream().mapToLong(q -> q.count(state)).sum();
        }
    }

    /** A point of the chart: when, finished jobs per second since the previous point, ready and running then. */
    record Point(long at, double perSecond, long ready, long running) {}

    private final JobStore store;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long lastCostMs;

    Throughput(JobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The latest sample, taking a new one if the last is older than {@link #MIN_INTERVAL_MS}. */
    synchronized Sample sample() {
        long now = clock.millis();
        Sample last = samples.peekLast();
        long interval = Math.max(MIN_INTERVAL_MS, COST_FACTOR * lastCostMs);
        if (last != null && now - last.at() < interval && now >= last.at()) return last;
        long t0 = System.nanoTime();
        List<QueueStats> queues = store.queues();
        lastCostMs = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Long> finished = new HashMap<>();
        for (QueueStats q : queues) {
            finished.put(q.queue(), q.count(JobState.SUCCEEDED) + q.count(JobState.DEAD) + q.count(JobState.CANCELLED));
        }
        Sample s = new Sample(now, queues, finished);
        samples.addLast(s);
        while (samples.size() > KEEP) samples.removeFirst();
        return s;
    }

    /** The chart's points, oldest first. */
    synchronized List<Point> series() {
        List<Point> out = new ArrayList<>();
        Sample prev = null;
        for (Sample s : samples) {
            double rate = prev == null ? 0 : perSecond(prev, s, null);
            out.add(new Point(s.at(), rate, s.total(JobState.READY), s.total(JobState.RUNNING)));
            prev = s;
        }
        return out;
    }

    /** Finished jobs per second in {@code queue} over the last minute of samples (0 with fewer than two). */
    synchronized double rate(String queue) {
        Sample last = samples.peekLast();
        if (last == null) return 0;
        Sample first = null;
        for (Sample s : samples) {
            if (last.at() - s.at() <= RATE_WINDOW_MS) {
                first = s;
                break;
            }
        }
        return first == null || first == last ? 0 : perSecond(first, last, queue);
    }

    private static double perSecond(Sample a, Sample b, String queue) {
        long ms = b.at() - a.at();
        if (ms <= 0) return 0;
        long delta = queue == null ? b.totalFinished() - a.totalFinished()
                : b.finished().getOrDefault(queue, 0L) - a.finished().getOrDefault(queue, 0L);
        return Math.max(0, delta) * 1000.0 / ms;
    }
}
