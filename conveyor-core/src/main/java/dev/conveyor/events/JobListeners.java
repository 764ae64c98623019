package dev.conveyor.events;

import dev.conveyor.job.Job;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several listeners as one, each call isolated: a listener that throws is logged (once a minute at most) and
 * the others still hear the event. Conveyor calls its listeners only through this.
 */
public final class JobListeners implements JobListener {
    private static final Logger log = LoggerFactory.getLogger(JobListeners.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final List<JobListener> listeners;
    private volatile long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;

    private JobListeners(List<JobListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** The listeners as one; {@link JobListener#NONE} when the list is empty. */
    public static JobListener of(List<JobListener> listeners) {
        return listeners.isEmpty() ? NONE : new JobListeners(listeners);
    }

    @Override
    public void enqueued(Job job) {
        each(l -> l.enqueued(job));
    }

    @Override
    public void started(Job job, Duration waited) {
        each(l -> l.started(job, waited));
    }

    @Override
    public void finished(Job job, JobOutcome outcome, boolean handlerFailed, Duration runTime) {
        each(l -> l.finished(job, outcome, handlerFailed, runTime));
    }

    @Override
    public void workerStarted(WorkerView worker) {
        each(l -> l.workerStarted(worker));
    }

    @Override
    public void workerStopped(WorkerView worker) {
        each(l -> l.workerStopped(worker));
    }

    private void each(Consumer<JobListener> call) {
        for (JobListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                if (now - lastLogged >= LOG_EVERY_NANOS) {
                    lastLogged = now;
                    log.warn("job listener {} threw; ignored (logged at most once a minute)", l.getClass().getName(), e);
                }
            }
        }
    }
}
