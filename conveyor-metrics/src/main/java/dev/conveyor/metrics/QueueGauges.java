package dev.conveyor.metrics;

import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue depth by state and the age of each queue's oldest ready job, from {@link JobStore#queues()} read on a
 * timer and cached: a scrape never queries the store, however often Prometheus asks. The age is computed at
 * scrape time from the cached {@code oldestReadySince}, so it keeps growing between polls as it should.
 */
final class QueueGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueGauges.class);

    private final MeterRegistry registry;
    private final JobStore store;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile Map<String, QueueStats> latest = Map.of();
    private volatile long lastPollNanos = System.nanoTime();

    QueueGauges(MeterRegistry registry, JobStore store, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("conveyor-metrics-queues").factory());
        Gauge.builder(MeterNames.QUEUE_STATS_AGE, this, g -> (System.nanoTime() - g.lastPollNanos) / 1e9)
                .description("Time since the queue gauges were last read from the store").baseUnit("seconds")
                .strongReference(true).register(registry);
    }

    /** Polls now and then every {@code every}. */
    QueueGauges start(Duration every) {
        timer.scheduleWithFixedDelay(this::poll, 0, every.toNanos(), TimeUnit.NANOSECONDS);
        return this;
    }

    /** Reads the store once and refreshes the cache (and registers gauges for queues seen the first time). */
    void poll() {
        try {
            Map<String, QueueStats> stats = store.queues().stream()
                    .collect(Collectors.toUnmodifiableMap(QueueStats::queue, Function.identity(), (a, b) -> a));
            latest = stats;
            lastPollNanos = System.nanoTime();
            stats.keySet().forEach(this::registerOnce);
        } catch (RuntimeException e) {
            // The gauges keep the last values; conveyor.queue.stats.age shows how old they are.
            log.warn("reading queue stats for metrics failed: {}; retrying next round", e.toString());
        }
    }

    private void registerOnce(String queue) {
        if (!registered.add(queue)) return;
        for (JobState state : JobState.values()) {
            Gauge.builder(MeterNames.QUEUE_DEPTH, this, g -> g.count(queue, state))
                    .description("Jobs in the queue by state, as last read from the store")
                    .tags("queue", queue, "state", state.name().toLowerCase(java.util.Locale.ROOT))
                    .strongReference(true).register(registry);
        }
        Gauge.builder(MeterNames.QUEUE_OLDEST_READY_AGE, this, g -> g.oldestReadyAgeSeconds(queue))
                .description("How long the queue's oldest ready job has waited; 0 when none is ready")
                .tags("queue", queue).baseUnit("seconds").strongReference(true).register(registry);
    }

    private double count(String queue, JobState state) {
        QueueStats s = latest.get(queue);
        return s == null ? 0 : s.count(state); // a queue gone from the store has no jobs left
    }

    private double oldestReadyAgeSeconds(String queue) {
        QueueStats s = latest.get(queue);
        Instant since = s == null ? null : s.oldestReadySince();
        if (since == null) return 0;
        Duration age = Duration.between(since, clock.instant());
        return age.isNegative() ? 0 : age.toNanos() / 1e9;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
