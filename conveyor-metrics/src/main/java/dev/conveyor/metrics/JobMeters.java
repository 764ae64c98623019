package dev.conveyor.metrics;

import dev.conveyor.events.JobListener;
import dev.conveyor.events.JobOutcome;
import dev.conveyor.job.Job;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts jobs and times their runs and waits, per task and queue. */
final class JobMeters implements JobListener {
    private record Key(String task, String queue) {}

    private final MeterRegistry registry;
    // The registry would find the meters too, but building tags on every event costs more than a map lookup.
    private final Map<Key, TaskMeters> byTaskAndQueue = new ConcurrentHashMap<>();

    JobMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void enqueued(Job job) {
        meters(job).enqueued.increment();
    }

    @Override
    public void started(Job job, Duration waited) {
        TaskMeters m = meters(job);
        m.started.increment();
        m.waitTime.record(waited);
    }

    @Override
    public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
        TaskMeters m = meters(job);
        m.outcome(outcome).increment();
        if (handlerFailed) m.failed.increment();
        if (runTime != null) m.runTime.record(runTime);
    }

    private TaskMeters meters(Job job) {
        return byTaskAndQueue.computeIfAbsent(new Key(job.task(), job.queue()),
                k -> new TaskMeters(registry, k.task(), k.queue()));
    }
}
